"""Settings of the plain yardstick (bench/plain/__init__.py): a startproject's defaults,
with the production choices the project makes for every app (DEBUG off,
persistent connections, JSON only) so that only the application code differs."""

import hashlib
import hmac
import os
from datetime import timedelta

import dj_database_url

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.plain.urls"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "plain.User"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "bench.plain.apps.PlainConfig",
]
MIDDLEWARE = [  # django-admin startproject's list
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
# The project's tokens, so the same tokens.txt serves both (config/settings.py derives the key so).
SIMPLE_JWT = {
    "SIGNING_KEY": hmac.new(SECRET_KEY.encode(), b"booking-jwt-signing-key", hashlib.sha256).hexdigest(),
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "AUTH_HEADER_TYPES": ("Bearer",),
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
