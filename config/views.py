from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAdminUser


def healthz(request) -> JsonResponse:
    """The process is alive. Touches nothing else, so it stays cheap and never fails with the database."""
    return JsonResponse({"status": "ok"})


def readyz(request) -> JsonResponse:
    """Ready for traffic: the database answers a trivial query (503 when it does not)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class DocsAccess:
    """Docs are public unless PUBLIC_DOCS is off; then only staff logged in to the admin see them."""

    authentication_classes = [SessionAuthentication]

    def get_permissions(self):
        return [AllowAny()] if settings.PUBLIC_DOCS else [IsAdminUser()]


class SchemaView(DocsAccess, SpectacularAPIView):
    pass


class SwaggerView(DocsAccess, SpectacularSwaggerView):
    pass


class RedocView(DocsAccess, SpectacularRedocView):
    pass
