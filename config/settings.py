"""Settings for the booking service.

Everything that differs between a laptop and production comes from the
environment. Local defaults are safe to run as they are; production secrets
have no default and the process refuses to start without them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from core.localsecrets import local_secret

BASE_DIR = Path(__file__).resolve().parent.parent

# Django's generic classes (forms.ModelForm[Show], admin.ModelAdmin[Booking])
# take their type arguments at runtime too, as the type checker reads them.
django_stubs_ext.monkeypatch()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or value == "" else int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Off unless asked for: a deployment that forgets the variable runs as
# production, and refuses to start without its secrets. `make run`, `make test`
# and the test settings turn it on.
DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(for local development: DJANGO_DEBUG=1, as make run sets it)."
        )
    # Never a key written down anywhere, which anyone who read it could sign
    # sessions and tokens with: each checkout makes its own, kept out of git.
    SECRET_KEY = local_secret(
        Path(os.environ.get("DJANGO_SECRET_KEY_FILE") or BASE_DIR / ".django-secret-key"),
        lambda: secrets.token_urlsafe(50),
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

# HTTPS. On by default in production: redirect, HSTS and cookies sent over
# TLS only. DJANGO_HTTPS=0 turns them all off together, for a deployment
# without TLS or a local production-mode run; each has its own variable too.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", HTTPS)
# Load balancers probe these over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
# Behind a reverse proxy: how many proxies in front of the app append to
# X-Forwarded-For. The client address is taken that many hops from the right,
# so a client can not spoof it by sending the header itself; 0 ignores it.
TRUSTED_PROXIES = env_int("DJANGO_TRUSTED_PROXIES", 0)
if TRUSTED_PROXIES:
    # The proxy terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# CORS: browser apps on these origins may call the API (none by default).
CORS_ALLOWED_ORIGINS = env_list("DJANGO_CORS_ORIGINS", [])

# A request body larger than this is answered 413 before it is read.
MAX_REQUEST_BODY_BYTES = env_int("DJANGO_MAX_BODY_BYTES", 64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# Swagger UI, ReDoc and the schema: public by default (they document the API
# for its clients); with DJANGO_PUBLIC_DOCS=0 only staff logged in to the
# admin see them.
PUBLIC_DOCS = env_bool("DJANGO_PUBLIC_DOCS", True)

INSTALLED_APPS = [
    # The box office's templates come first: they override the admin's own.
    "backoffice.apps.BackofficeConfig",
    "backoffice.apps.CinemaAdminConfig",  # django.contrib.admin, with the cinema's admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "core",
    "accounts",
    "catalog",
    "bookings",
    "tickets",
    "pricing",
    "orders",
    "waitlist",
    "outbox",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # The Admin* ones only act on SESSION_PATHS (core/middleware.py).
    "core.middleware.AdminSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "core.middleware.AdminAuthenticationMiddleware",
    "core.middleware.AdminMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns the admin log-in's lockout into its answer.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out name or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
ADMIN_URL = "admin/"  # where config/urls.py mounts the admin
# The paths that use the admin's log-in (a session cookie): the admin, and the
# API docs, which with PUBLIC_DOCS off only staff logged in there may see.
# Sessions, Django's request.user and messages run on these alone (core/middleware.py).
SESSION_PATHS = (f"/{ADMIN_URL}", "/swagger/", "/redoc/", "/api/schema/")
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A database that does not answer must not hold a worker until gunicorn kills
# it: connecting gives up after DATABASE_CONNECT_TIMEOUT seconds, the server
# cancels a statement after DATABASE_STATEMENT_TIMEOUT_MS, and a server that
# does not answer at all is cut off a grace period later (core/watchdog.py).
# Each ends in a JSON 503 with Retry-After. 0 turns a timeout off (e.g. for a
# long migration: DATABASE_STATEMENT_TIMEOUT_MS=0 manage.py migrate).
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 3)
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000)
DATABASE_DEADLINE_GRACE_SECONDS = 2
# A connection idle for longer is checked ("SELECT 1") before a request uses it (core/postgresql).
DATABASE_HEALTH_CHECK_IDLE_SECONDS = float(os.environ.get("DATABASE_HEALTH_CHECK_IDLE_SECONDS", "1"))
# Parameters are sent apart from the SQL, and a statement a connection runs
# this many times is prepared: PostgreSQL then skips parsing and planning it
# (docs/performance.md, step 23). Django turns preparing off unless asked.
# "off" for a pooler that does not keep prepared statements apart per client
# (PgBouncer in transaction mode before 1.21, or without
# max_prepared_statements). Written-out reads list their columns
# (core.db.columns), so a migration that adds one breaks no prepared statement.
DATABASE_PREPARE_THRESHOLD: int | None = (
    None
    if os.environ.get("DATABASE_PREPARE_THRESHOLD", "").strip().lower() == "off"
    else env_int("DATABASE_PREPARE_THRESHOLD", 5)
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "core.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DATABASE_CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}",
            "server_side_binding": True,
            "prepare_threshold": DATABASE_PREPARE_THRESHOLD,
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite allows one writer at a time. BEGIN IMMEDIATE takes the write lock
    # when the transaction starts, so concurrent writers queue on the busy
    # timeout instead of failing with "database is locked" when a read lock is
    # upgraded half way through. WAL lets readers run while a write is going on.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The connection is cheap to open; persistent connections would keep the
    # file open in threads that never close them.
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The cinema's local time zone: "?date=" filters and the admin use it.
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.auth.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: a form-encoded body never reaches the serializers, so a
    # string "5" can not sneak in where an integer is required.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.negotiation.ContentNegotiation",
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.ReadThrottle"],
    "NUM_PROXIES": TRUSTED_PROXIES,
}

# Throttling: rates per scope ("N/second|minute|hour|day"), each overridable
# by THROTTLE_<SCOPE>. DJANGO_THROTTLING=0 turns all of it off (load tests).
THROTTLING = env_bool("DJANGO_THROTTLING", True)
THROTTLE_RATES = {
    scope: os.environ.get(f"THROTTLE_{scope.upper()}", default)
    for scope, default in {
        "reads": "600/minute",  # per client IP, every GET
        "login": "30/minute",  # per client IP, every attempt
        "signup": "10/hour",  # per client IP
        "signup_username": "5/minute",  # per username asked for (canonical form)
        "bookings": "30/minute",  # per user: book, cancel, change password
        "check_ins": "120/minute",  # per door device (account and device id): scans
        "check_ins_account": "600/minute",  # per door account, whatever device ids it sends
        "password_reset": "10/hour",  # per client IP: reset e-mails asked for
        "password_reset_email": "3/hour",  # per address asked for, from anywhere
        "password_reset_confirm": "20/hour",  # per client IP: tokens tried
    }.items()
}

# Failed log-ins (API and admin alike) lock the name, and the address they
# came from, for a while: django-axes, counted in the database so that every
# worker and app server shares the count, with or without Redis.
AXES_ENABLED = THROTTLING
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 5))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successful log-ins are in the event log

# Public catalog reads are answered from the cache until something they show
# changes (config/httpcache.py). Without a shared cache, entries live only a
# few seconds: other processes' changes are not seen before that.
HTTP_CACHE = env_bool("DJANGO_HTTP_CACHE", True)

# The cache holds throttle counters and cached responses, and every worker
# process and app server must share it, or N workers allow N times each rate.
# With REDIS_URL: Redis, which the service can do without while it is down
# (core/cache.py). Without: the database (its table is made by migrate), or
# with DEBUG on, local memory (one runserver process).
REDIS_URL = os.environ.get("REDIS_URL", "")
# Made by migrate whatever this process's cache, so that a database migrated
# with Redis or DEBUG on serves a server without either (core/migrations/0002).
DATABASE_CACHE_TABLE = "core_cache"
REDIS_TIMEOUT_SECONDS = float(os.environ.get("REDIS_TIMEOUT_SECONDS", "0.5"))
if REDIS_URL:
    _default_cache = {
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "booking",
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS},
    }
elif DEBUG:
    _default_cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
else:
    _default_cache = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": DATABASE_CACHE_TABLE,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
CACHES = {"default": _default_cache}
SHARED_CACHE = _default_cache["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache"
# Without a shared cache, other processes' changes are not seen: entries then live a few seconds.
HTTP_CACHE_SECONDS = env_int("DJANGO_HTTP_CACHE_SECONDS", 300 if SHARED_CACHE else 3)
# Answers showing seats: holds lapse without a write that would retire them.
HTTP_CACHE_SEATS_SECONDS = env_int("DJANGO_HTTP_CACHE_SEATS_SECONDS", 5)

# Tokens are signed with their own key, so it can be rotated without touching
# SECRET_KEY (sessions, password reset links). Unset, it is derived from
# SECRET_KEY for this purpose alone.
JWT_SIGNING_KEY = (
    os.environ.get("DJANGO_JWT_SIGNING_KEY")
    or hmac.new(SECRET_KEY.encode(), b"booking-jwt-signing-key", hashlib.sha256).hexdigest()
)

SIMPLE_JWT = {
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Movie ticket booking API",
    "DESCRIPTION": (
        "Browse movies and shows, book and cancel seats. "
        "Log in with POST /login/, then send the access token as "
        "`Authorization: Bearer <token>` (the Authorize button in Swagger UI)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # A booking's and a ticket's status are one set: one name for it.
    "ENUM_NAME_OVERRIDES": {
        "BookingStatusEnum": "bookings.serializers.BOOKING_STATUSES",
        "SeatKindEnum": "catalog.layouts.KINDS",
        "KindEnum": "pricing.models.PromoKind",  # the promo code kind, named before seat kinds came
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.typed_field_errors",
        "core.schema.query_errors",
    ],
    # In the order a client meets them.
    "TAGS": [
        {"name": "accounts", "description": "Sign up, log in (JWT), refresh, log out, profile."},
        {"name": "movies", "description": "What is on (public); staff add and change movies."},
        {"name": "genres", "description": "Genres of movies (public)."},
        {"name": "screens", "description": "Screens and their seat layouts (public); staff manage them."},
        {"name": "shows", "description": "Screenings, seat maps and booking."},
        {"name": "holds", "description": "Hold seats during checkout, then confirm or release."},
        {"name": "seat blocks", "description": "Seats of a show staff keep off sale, and put back (staff)."},
        {"name": "bookings", "description": "The caller's bookings; cancelling."},
        {"name": "tickets", "description": "The caller's tickets with their QR codes; the keys that sign them."},
        {"name": "check-in", "description": "The door: check tickets in, check-in lists for offline scanners."},
        {"name": "reports", "description": "Occupancy and revenue (staff)."},
        {"name": "webhooks", "description": "Endpoints that receive signed events, and their delivery log (staff)."},
    ],
}

# Booking rules.
BOOKING_MAX_SEATS = env_int("BOOKING_MAX_SEATS", 10)  # seats in one request
# How long a booking waits for its show's lock on PostgreSQL before answering
# 503 with Retry-After, instead of piling up workers behind a slow transaction.
# Set once per connection (core/postgresql), so it bounds every lock wait of
# the app, its workers and its commands alike (0: no bound).
BOOKING_LOCK_TIMEOUT_MS = env_int("BOOKING_LOCK_TIMEOUT_MS", 3000)
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24)
# On: seats are sold only through paid orders (POST /orders/), and booking a
# show or confirming a hold directly answers 402. Off, both sell unpaid seats,
# as a cinema that takes the money at the door does.
BOOKING_REQUIRES_PAYMENT = env_bool("BOOKING_REQUIRES_PAYMENT", False)

# Online payment with Stripe (PaymentIntents). Without a secret key the API
# takes no payment online (POST /orders/{id}/pay/ answers 503) and orders are
# paid at the box office. Every call to Stripe is bounded: STRIPE_TIMEOUT_SECONDS
# per attempt, STRIPE_MAX_NETWORK_RETRIES more on a network error. Stripe's
# webhook is checked with STRIPE_WEBHOOK_SECRET (its "whsec_..." signing secret).
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "5"))
STRIPE_MAX_NETWORK_RETRIES = env_int("STRIPE_MAX_NETWORK_RETRIES", 1)
# Orders waiting for Stripe longer than this are asked about (a lost webhook).
PAYMENT_RECONCILE_AFTER_MINUTES = env_int("PAYMENT_RECONCILE_AFTER_MINUTES", 5)
PAYMENT_RECONCILE_SECONDS = float(os.environ.get("PAYMENT_RECONCILE_SECONDS", "60"))
# A customer may cancel a paid order until this long before the show, and gets
# its total back less REFUND_FEE (never less than nothing).
REFUND_CUTOFF_MINUTES = env_int("REFUND_CUTOFF_MINUTES", 120)
REFUND_FEE = Decimal(os.environ.get("REFUND_FEE", "0.00"))
# The booking fee of an order made online (box-office sales have none): this
# much per ticket, or per order, shown apart from the seats' prices; given back
# with a refund of its seats only when refundable.
BOOKING_FEE = Decimal(os.environ.get("BOOKING_FEE", "0.00"))
BOOKING_FEE_PER = os.environ.get("BOOKING_FEE_PER", "ticket")  # "ticket" or "order"
BOOKING_FEE_REFUNDABLE = env_bool("BOOKING_FEE_REFUNDABLE", False)
if BOOKING_FEE_PER not in ("ticket", "order") or not BOOKING_FEE.is_finite() or BOOKING_FEE < 0:
    raise ImproperlyConfigured('BOOKING_FEE must be 0 or more and BOOKING_FEE_PER "ticket" or "order".')

# Seat holds: how long seats stay reserved during checkout, how far one
# extension can take a hold, and how many a customer may have.
HOLD_MINUTES = env_int("HOLD_MINUTES", 8)
HOLD_MAX_LIFETIME_MINUTES = env_int("HOLD_MAX_LIFETIME_MINUTES", 20)
HOLD_MAX_SEATS = env_int("HOLD_MAX_SEATS", 10)
HOLD_MAX_PER_SHOW = env_int("HOLD_MAX_PER_SHOW", 1)  # active holds per customer per show
HOLD_RETENTION_DAYS = env_int("HOLD_RETENTION_DAYS", 7)  # ended holds are deleted after this
# Best available (docs/seating.md): a party that can not sit together is
# split over as few blocks as the hall has, or (off) refused with how many can.
BEST_AVAILABLE_SPLIT = env_bool("BEST_AVAILABLE_SPLIT", False)
SEAT_BLOCK_MAX_SEATS = env_int("SEAT_BLOCK_MAX_SEATS", 500)  # seats staff block in one request
# The waiting list (docs/waiting-list.md): how long seats offered to the next
# customer stay held for them; whether a smaller party that fits is offered
# seats before a larger one ahead of it that does not; how long before a show
# offers stop; how often the worker looks for seats that came back; the page
# of the cinema's app where an offer is taken, with {hold} and {show} (empty:
# the e-mail names the API's hold).
WAITING_LIST_OFFER_MINUTES = env_int("WAITING_LIST_OFFER_MINUTES", 15)
WAITING_LIST_SKIP = env_bool("WAITING_LIST_SKIP", False)
WAITING_LIST_CLOSE_MINUTES = env_int("WAITING_LIST_CLOSE_MINUTES", 15)
WAITING_LIST_SWEEP_SECONDS = env_int("WAITING_LIST_SWEEP_SECONDS", 5)
WAITING_LIST_OFFER_LINK = os.environ.get("WAITING_LIST_OFFER_LINK", "")
# Where the step-free entrance is, for the confirmation of wheelchair and companion seats.
STEP_FREE_ENTRANCE = os.environ.get("CINEMA_STEP_FREE_ENTRANCE", "")

# The cinema: prices are in one currency; a screen needs this long between the
# end of one show and the start of the next.
CURRENCY = os.environ.get("CINEMA_CURRENCY", "EUR")
DEFAULT_TICKET_PRICE = os.environ.get("CINEMA_DEFAULT_PRICE", "10.00")
# The ticket type sold when the customer chooses none, priced by a show's own
# price and tier prices (catalog.models.TicketType).
DEFAULT_TICKET_TYPE = os.environ.get("CINEMA_DEFAULT_TICKET_TYPE", "adult")
CLEANING_BUFFER_MINUTES = env_int("CINEMA_CLEANING_BUFFER_MINUTES", 15)
SCHEDULE_HORIZON_DAYS = env_int("CINEMA_SCHEDULE_HORIZON_DAYS", 730)  # how far ahead shows can be scheduled

# Tickets: the Ed25519 key that signs QR codes ("<key id>:<private key>", from
# `manage.py ticket_signing_key`), and retired keys' public halves that still
# verify ("<key id>:<public key>,..."), so tickets issued before a rotation
# stay valid. Required with DEBUG off; with DEBUG on a key is made once and
# kept in a local file.
TICKET_SIGNING_KEY = os.environ.get("TICKET_SIGNING_KEY", "")
TICKET_RETIRED_KEYS = os.environ.get("TICKET_RETIRED_KEYS", "")
if not TICKET_SIGNING_KEY and not DEBUG:
    raise ImproperlyConfigured("TICKET_SIGNING_KEY must be set when DJANGO_DEBUG is off: manage.py ticket_signing_key")
TICKET_SIGNING_KEY_FILE = str(BASE_DIR / ".ticket-signing-key") if DEBUG else ""

# The door: check-in opens this long before a show and closes when the movie
# ends; door staff can undo a mistaken check-in for a few minutes (staff at
# any time); an offline scanner's clock may run this far ahead; a check-in
# list's next_since overlaps the previous answer by this much.
CHECK_IN_OPENS_MINUTES = env_int("CHECK_IN_OPENS_MINUTES", 60)
CHECK_IN_UNDO_MINUTES = env_int("CHECK_IN_UNDO_MINUTES", 5)
CHECK_IN_CLOCK_SKEW_SECONDS = env_int("CHECK_IN_CLOCK_SKEW_SECONDS", 120)
CHECK_IN_SYNC_OVERLAP_SECONDS = env_int("CHECK_IN_SYNC_OVERLAP_SECONDS", 60)

# E-mail. With DEBUG on, messages are printed to the terminal; otherwise sent
# over SMTP. The outbox delivers them (outbox/services.py), never a request.
CINEMA_NAME = os.environ.get("CINEMA_NAME", "Cinema")
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10)  # seconds: a slow mail server fails the attempt, not the worker
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tickets@localhost")
EMAIL_MESSAGE_ID_DOMAIN = os.environ.get(
    "EMAIL_MESSAGE_ID_DOMAIN", DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
)
PASSWORD_RESET_TIMEOUT = 60 * env_int("PASSWORD_RESET_MINUTES", 60)
# The page of the cinema's app where a customer chooses a new password, with
# {uid} and {token}; empty: the e-mail gives uid and token for the API.
PASSWORD_RESET_LINK = os.environ.get("PASSWORD_RESET_LINK", "")

# The outbox: how often and how long a message is retried, how long one
# delivery may take before another worker may try, how often the sweep runs.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 30)  # then 60, 120, ... up to the maximum
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600)
OUTBOX_CLAIM_SECONDS = env_int("OUTBOX_CLAIM_SECONDS", 120)
# With a broker, the sweep is what hands new messages to the workers (outbox/services.py).
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 1)

# Celery (config/celery.py). Without a broker, messages are delivered in the
# process after the commit. Tasks are acknowledged after they ran and given
# back when a worker dies; publishing never retries, so a request never waits
# on a broker that is down (the sweep hands the message on later).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "outbox.tasks.sweep", "schedule": OUTBOX_SWEEP_SECONDS},
    "orders-reconcile": {"task": "orders.tasks.reconcile", "schedule": PAYMENT_RECONCILE_SECONDS},
    "waiting-list-offer": {"task": "waitlist.tasks.offer", "schedule": WAITING_LIST_SWEEP_SECONDS},
}
CELERY_TIMEZONE = TIME_ZONE

# Webhooks: a receiver has WEBHOOKS_TIMEOUT_SECONDS to answer 2xx; failures are
# retried with backoff and jitter, 30 s doubling up to 4 h, 15 attempts (about
# a day); an endpoint that fails this many deliveries in a row is deactivated.
# URLs must be https and outside any private network, except for development.
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 5)
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 15)
WEBHOOKS_RETRY_BASE_SECONDS = env_int("WEBHOOKS_RETRY_BASE_SECONDS", 30)
WEBHOOKS_RETRY_MAX_SECONDS = env_int("WEBHOOKS_RETRY_MAX_SECONDS", 4 * 3600)
WEBHOOKS_DISABLE_AFTER_FAILURES = env_int("WEBHOOKS_DISABLE_AFTER_FAILURES", 50)
WEBHOOKS_ATTEMPT_RETENTION_DAYS = env_int("WEBHOOKS_ATTEMPT_RETENTION_DAYS", 30)
WEBHOOKS_REQUIRE_HTTPS = env_bool("WEBHOOKS_REQUIRE_HTTPS", not DEBUG)
WEBHOOKS_ALLOW_PRIVATE_URLS = env_bool("WEBHOOKS_ALLOW_PRIVATE_URLS", DEBUG)

LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")
# "json": one JSON object a line, for log collectors; "text" for people.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # The level sits on the handler too: Django's own loggers propagate here
    # with their own levels.
    "handlers": {
        "console": {"class": "logging.StreamHandler", "level": LOG_LEVEL, "formatter": LOG_FORMAT},
        # Business events (sign-ups, log-ins, bookings ...) are always JSON.
        "events": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"events": {"handlers": ["events"], "level": "INFO", "propagate": False}},
}
