"""Domain errors and the one place where errors become HTTP responses."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


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


class FieldError(ServiceError):
    """A refusal about one field of the request (a seat the screen lacks): the
    API reports it as that field's error, like any other invalid input."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class NotFound(ServiceError):
    status_code = 404
    code = "not_found"


class Conflict(ServiceError):
    status_code = 409
    code = "conflict"


class Busy(ServiceError):
    """A lock could not be had in time: nothing changed, the client should retry shortly."""

    status_code = 503
    code = "busy"
    headers = {"Retry-After": "1"}


DATABASE_UNAVAILABLE = {
    "detail": "The service can not reach its database right now; nothing was changed. Try again shortly.",
    "code": "database_unavailable",
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is down or unreachable. Django opens a new connection
        # on the next request, so the service recovers by itself when it returns.
        logger.error("database unavailable: %s", exc.__class__.__name__)
        return Response(DATABASE_UNAVAILABLE, status=503, headers={"Retry-After": "5"})
    if isinstance(exc, FieldError):
        exc = exceptions.ValidationError({exc.field: [exc.message]})
    elif isinstance(exc, ServiceError):
        body = {"detail": exc.message, "code": exc.code, **exc.extra}
        return Response(body, status=exc.status_code, headers=exc.headers)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    # As DRF's own handler does, so that the body below gets their code too.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        response.data = error_body(exc, response.data)
    return response


def _messages(value: Any, prefix: str = "") -> list[str]:
    """A field's errors as a flat list of messages; nested ones ("seat_numbers" item 0) say where."""
    if isinstance(value, dict):
        return [message for key, item in value.items() for message in _messages(item, f"{prefix}{key}: ")]
    if isinstance(value, list):
        return [message for item in value for message in _messages(item, prefix)]
    return [f"{prefix}{value}"]


ENVELOPE = ("detail", "code")


def error_body(exc: exceptions.APIException, data: Any) -> dict[str, Any]:
    """Every error answer has ``detail`` and ``code``, for a person and for a program.

    Field errors (400) keep their place, one list of messages per field, beside
    them; a throttled request says when to come back in ``retry_after``.
    """
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(data, dict):
            fields = {name: _messages(errors) for name, errors in data.items()}
            # A field named like the envelope (the check-in's "code") can not sit
            # beside it: its messages are told in detail instead.
            told = [f"{name}: {' '.join(fields.pop(name))}" for name in ENVELOPE if name in fields]
            return {"detail": " ".join(told) or "Invalid input; see the fields.", "code": "invalid", **fields}
        return {"detail": " ".join(_messages(data)) or "Invalid input.", "code": "invalid"}
    detail = data.get("detail", exc.default_detail) if isinstance(data, dict) else data
    codes = exc.get_codes()
    code = codes.get("detail", exc.default_code) if isinstance(codes, dict) else codes
    body: dict[str, Any] = {"detail": str(detail), "code": str(code if isinstance(code, str) else exc.default_code)}
    if isinstance(exc, exceptions.Throttled):
        wait: float | None = getattr(exc, "wait", None)  # set by DRF's Throttled
        body["retry_after"] = int(wait + 0.999) if wait is not None else 1
    return body


# Django's own error pages, in JSON like the rest of the API (used when DEBUG
# is off): no HTML, no stack traces.


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Forbidden.", "code": "permission_denied"}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Internal server error.", "code": "server_error"}, status=500)
