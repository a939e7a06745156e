from collections.abc import Sequence

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import AllowAny, BasePermission, IsAdminUser

from .db import ping


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive. Touches nothing else, so it stays cheap and never fails with the database."""
    return JsonResponse({"status": "ok"})


def cache_status() -> str:
    """ "ok" or "unavailable". Only a cache that can fail (Redis) is asked."""
    available = getattr(caches["default"], "available", None)
    return "ok" if available is None or available() else "unavailable"


def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: each dependency and its state.

    Only the database is required (503 without it): without the cache the
    service answers everything, a little slower and with its rate limits
    failing open (the log-in lockout lives in the database).
    """
    try:
        ping()
        database = "ok"
    except DatabaseError:
        database = "unreachable"
    body = {"status": "ok" if database == "ok" else "unavailable", "database": database, "cache": cache_status()}
    if database != "ok":
        return JsonResponse(body, status=503, headers={"Retry-After": "5"})
    return JsonResponse(body)


class DocsAccess:
    """Docs are public unless PUBLIC_DOCS is off; then only staff logged in to the admin see them."""

    authentication_classes: Sequence[type[BaseAuthentication]] = [SessionAuthentication]

    def get_permissions(self) -> Sequence[BasePermission]:
        return [AllowAny()] if settings.PUBLIC_DOCS else [IsAdminUser()]


class SchemaView(DocsAccess, SpectacularAPIView):
    pass


class SwaggerView(DocsAccess, SpectacularSwaggerView):
    pass


class RedocView(DocsAccess, SpectacularRedocView):
    pass
