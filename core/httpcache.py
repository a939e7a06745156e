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

The counters live in the default cache, which every process shares (Redis,
or the database cache); with a per-process cache (DEBUG without Redis)
entries expire after a few seconds to bound how stale another process's
answer can be. While Redis is down nothing is cached and bumps are lost, so
when it returns every entry is retired (core/cache.py's recovery hooks).

An entry is keyed by everything the answer depends on: the versions, the
scheme and host (pagination links are absolute) and the query string. Only
requests whose query parameters the view knows are cached, and free-text
search never is: junk parameters and endless search strings can not fill
the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotModified
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.cache import recovery_hooks

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


def bump_all() -> None:
    bump("catalog", "seats")


recovery_hooks.append(bump_all)


if TYPE_CHECKING:
    _ViewSet = viewsets.GenericViewSet[Any]
    _ReadViewSet = viewsets.ReadOnlyModelViewSet[Any]
else:  # mixins: the viewset they are mixed into brings these bases
    _ViewSet = _ReadViewSet = object


# Mixins carry comments, not docstrings: drf-spectacular would show a mixin's
# docstring as the description of every operation of the viewsets using it.


# For viewsets: ``cached()`` answers a read from the cache when possible. It adds
# no actions: a router registers only the routes the viewset itself has.
class CachedResponseMixin(_ViewSet):
    cache_scopes: tuple[str, ...] = ("catalog",)

    @staticmethod
    def cache_seconds(scopes: tuple[str, ...]) -> int:
        if "seats" in scopes:
            return min(settings.HTTP_CACHE_SECONDS, settings.HTTP_CACHE_SEATS_SECONDS)
        return settings.HTTP_CACHE_SECONDS

    def cacheable_params(self) -> set[str | None]:
        """The query parameters this view understands, free-text search excepted."""
        known: set[str | None] = set()
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        if self.paginator is not None:
            known |= {getattr(self.paginator, name, None) for name in ("page_query_param", "page_size_query_param")}
        return known

    def cached(
        self,
        request: Request,
        handler: Callable[..., Response],
        *args: Any,
        scopes: tuple[str, ...] | None = None,
        **kwargs: Any,
    ) -> HttpResponseBase:
        """``handler``'s answer, from the cache when nothing in ``scopes`` changed since."""
        # A token may belong to staff, who can see more: only anonymous reads are shared.
        if (
            not settings.HTTP_CACHE
            or "authorization" in request.headers
            or not set(request.GET) <= self.cacheable_params()
        ):
            return handler(request, *args, **kwargs)
        version_keys = [f"{PREFIX}:version:{scope}" for scope in scopes or self.cache_scopes]
        versions = cache.get_many(version_keys)
        tag = "|".join(str(versions.get(key, 0)) for key in version_keys)
        url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        key = f"{PREFIX}:response:" + hashlib.sha256(f"{tag}|{url}".encode()).hexdigest()
        entry = cache.get(key)
        if entry is None:
            computed = handler(request, *args, **kwargs)
            if computed.status_code != 200:
                return computed
            computed = self.finalize_response(request, computed, *args, **kwargs)
            content = computed.render().content
            entry = {"content": content, "etag": f'"{hashlib.sha256(content).hexdigest()[:32]}"'}
            cache.set(key, entry, self.cache_seconds(scopes or self.cache_scopes))
        response: HttpResponseBase
        if entry["etag"] in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(entry["content"], content_type="application/json")
        response["ETag"] = entry["etag"]
        response["Cache-Control"] = CACHE_CONTROL
        response["Vary"] = "Authorization"
        return response


# For model viewsets: list and retrieve answered from the cache when possible.
class CachedReadMixin(CachedResponseMixin, _ReadViewSet):
    # A cached answer is a plain HttpResponse with the rendered JSON, not a DRF Response.
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        return self.cached(request, super().list, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        return self.cached(request, super().retrieve, *args, **kwargs)
