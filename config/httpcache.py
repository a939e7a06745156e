"""Cached public reads: rendered catalog responses kept in the cache, with ETags.

A public GET (no Authorization header) of a cached view is answered from the
cache when nothing it shows has changed since: no database query at all, and
a 304 when the client or proxy already has that version (If-None-Match).

What a response shows is tracked by version counters. Catalog writes bump
"catalog" (signals in catalog/signals.py); bookings and cancellations bump
"seats" once committed (bookings/services.py). A view lists the counters it
depends on, and the counters are part of the cache key, so a bump retires
every older entry at once.

Holds lapse by the clock, with no write to bump a counter, so answers that
show seats (scope "seats") are kept at most HTTP_CACHE_SEATS_SECONDS: an
anonymous seat map may show a lapsed hold as held for that long. Booking and
holding always check the database itself, and requests with a token are
never served from the cache.

The counters live in the default cache. With REDIS_URL every app server sees
every bump; without it each process only sees its own, so entries then expire
after HTTP_CACHE_SECONDS (a few seconds) to bound how stale another
process's answer can be.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified

PREFIX = "httpcache"
CACHE_CONTROL = "public, max-age=0, must-revalidate"


def bump(*scopes: str) -> None:
    """Retire every cached response that depends on these scopes."""
    for scope in scopes:
        key = f"{PREFIX}:version:{scope}"
        try:
            cache.incr(key)
        except ValueError:  # not there yet (or evicted): any new value retires old entries
            cache.set(key, 1, None)


class CachedReadMixin:
    """For viewsets: list and retrieve answered from the cache when possible."""

    cache_scopes: tuple[str, ...] = ("catalog",)

    def list(self, request, *args, **kwargs):
        return self.cached(request, super().list, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self.cached(request, super().retrieve, *args, **kwargs)

    @staticmethod
    def cache_seconds(scopes: tuple[str, ...]) -> int:
        if "seats" in scopes:
            return min(settings.HTTP_CACHE_SECONDS, settings.HTTP_CACHE_SEATS_SECONDS)
        return settings.HTTP_CACHE_SECONDS

    def cached(self, request, handler, *args, scopes: tuple[str, ...] | None = None, **kwargs):
        """``handler``'s answer, from the cache when nothing in ``scopes`` changed since."""
        # A token may belong to staff, who can see more: only anonymous reads are shared.
        if not settings.HTTP_CACHE or "HTTP_AUTHORIZATION" in request.META:
            return handler(request, *args, **kwargs)
        version_keys = [f"{PREFIX}:version:{scope}" for scope in scopes or self.cache_scopes]
        versions = cache.get_many(version_keys)
        tag = "|".join(str(versions.get(key, 0)) for key in version_keys)
        key = f"{PREFIX}:response:" + hashlib.sha256(f"{tag}|{request.get_full_path()}".encode()).hexdigest()
        entry = cache.get(key)
        if entry is None:
            response = handler(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            response = self.finalize_response(request, response, *args, **kwargs)
            content = response.render().content
            entry = {"content": content, "etag": f'"{hashlib.sha256(content).hexdigest()[:32]}"'}
            cache.set(key, entry, self.cache_seconds(scopes or self.cache_scopes))
        if entry["etag"] in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(entry["content"], content_type="application/json")
        response["ETag"] = entry["etag"]
        response["Cache-Control"] = CACHE_CONTROL
        response["Vary"] = "Authorization"
        return response
