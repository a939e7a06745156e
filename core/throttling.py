"""Request rate limits (429 with Retry-After). Rates: settings.THROTTLE_RATES.

Counters live in the default cache: shared by every app server when
REDIS_URL is set, per process otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .events import log_event

if TYPE_CHECKING:  # at run time DRF's views import the throttles: no import back
    from rest_framework.request import Request
    from rest_framework.views import APIView


class Throttle(SimpleRateThrottle):
    """A scope's rate, read from settings on each request; off with DJANGO_THROTTLING=0."""

    scope: str

    def get_rate(self) -> str:
        rate: str = settings.THROTTLE_RATES[self.scope]
        return rate

    def allow_request(self, request: Request, view: APIView) -> bool:
        if not settings.THROTTLING:
            return True
        # The rate is read here, not at construction, so settings can change it.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def throttle_failure(self) -> bool:
        log_event("throttled", scope=self.scope, key=self.key)
        return False


class IPThrottle(Throttle):
    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UsernameThrottle(Throttle):
    """Keyed by a name in the request body (``field``: the username, or an e-mail
    address), whoever sends it, in the form ``ident`` gives."""

    field = "username"

    def ident(self, username: str) -> str:
        return username.strip().lower()

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        username = request.data.get(self.field) if isinstance(request.data, dict) else None
        if not isinstance(username, str) or not username:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.ident(username)[:150]}


class ReadThrottle(IPThrottle):
    """A generous limit on reads per client IP."""

    scope = "reads"

    def allow_request(self, request: Request, view: APIView) -> bool:
        return request.method not in ("GET", "HEAD") or super().allow_request(request, view)


class UserChangesThrottle(Throttle):
    """Changes (not reads) per logged-in user; apps name the scope."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        # Only changes count: a customer watching a hold's countdown is not booking.
        return request.method in ("GET", "HEAD") or super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
