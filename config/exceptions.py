"""Domain errors and the one place where errors become HTTP responses."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


class ServiceError(Exception):
    """A business rule refused the request.

    Services raise subclasses; ``status_code`` and ``code`` say how the API
    reports them, so views never translate errors themselves. The admin and
    management commands show ``message`` to staff.
    """

    status_code = 400
    code = "invalid"
    headers: dict[str, str] = {}

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class Conflict(ServiceError):
    status_code = 409
    code = "conflict"


class Busy(ServiceError):
    """A lock could not be had in time: nothing changed, the client should retry shortly."""

    status_code = 503
    code = "busy"
    headers = {"Retry-After": "1"}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ServiceError):
        body = {"detail": exc.message, "code": exc.code, **exc.extra}
        return Response(body, status=exc.status_code, headers=exc.headers)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    return drf_exception_handler(exc, context)


def not_found(request, exception=None) -> JsonResponse:
    """Unknown paths answer in JSON like the rest of the API (used when DEBUG is off)."""
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request) -> JsonResponse:
    return JsonResponse({"detail": "Internal server error."}, status=500)
