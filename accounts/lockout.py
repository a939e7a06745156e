"""The log-in lockout shared by the API and the admin (django-axes, kept in the database).

Failed log-ins are counted per canonical username and per client address in
the database, so the count holds across every worker process and app server,
with or without Redis, and the admin's login page and POST /login/ share it.

Counting must be atomic: checking "locked?", checking the password and
recording the failure are one step per name and address. On PostgreSQL an
advisory transaction lock per name and per address serialises concurrent
attempts, so 25 simultaneous wrong passwords for one name get exactly
LOGIN_FAILURE_LIMIT password checks. SQLite, the single-server default,
serialises writers by itself and is not used where this race matters.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import connection, transaction
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from core.db import advisory_lock
from core.events import log_event

from .exceptions import LockedOut
from .identity import username_key
from .models import User


def client_ip(request: HttpRequest | Request) -> str:
    """The client address, as the throttles see it (DJANGO_TRUSTED_PROXIES hops from the right)."""
    # get_ident reads only META, which an HttpRequest and a DRF Request both have.
    return BaseThrottle().get_ident(cast(Request, request))


def lockout_username(request: HttpRequest | Request, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: failures count against the canonical name, not the typed one."""
    username = (credentials or {}).get("username")
    return username_key(username)[:150] if isinstance(username, str) else None


@contextmanager
def _one_attempt_at_a_time(request: HttpRequest | Request, username: str) -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    keys = sorted({f"login:user:{username_key(username)}", f"login:ip:{client_ip(request)}"})
    with transaction.atomic():
        for key in keys:  # always in the same order: no deadlock between two attempts
            advisory_lock(key)
        yield


def login_authenticate(request: HttpRequest | Request, *, username: str, password: str) -> User | None:
    """The user these credentials belong to, or None; LockedOut without checking
    the password while the name or the address is locked out."""
    with _one_attempt_at_a_time(request, username):
        credentials = {"username": username}
        if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, credentials):
            log_event("login_locked_out", username=username[:150], ip=client_ip(request))
            raise LockedOut()
        return authenticate(request=request, username=username, password=password)
