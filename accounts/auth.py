from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from core.db import by_pk

from .models import User


def customer(request: HttpRequest | Request) -> User:
    """The logged-in user of a view that requires one (IsAuthenticated has let the request in)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's bearer-token authentication, reading the user by a written-out
    query (core.db.by_pk): the ORM's get() cost about 1.5 ms of CPU on every
    authenticated request. The user is still read each time, so a deactivated
    account's tokens stop working at once."""

    def get_user(self, validated_token: Token) -> User:
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        user = by_pk(User, user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        return user


class JWTAuthenticationScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of JWTAuthentication: simplejwt's, unchanged (jwtAuth)."""

    target_class = "accounts.auth.JWTAuthentication"
