"""Shared pieces of the OpenAPI description: the error bodies every endpoint can return."""

from typing import Any, Literal

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.throttling import BaseThrottle


class ErrorSerializer(serializers.Serializer[dict[str, str]]):
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")
    code = serializers.CharField(required=False, help_text="A stable machine-readable reason.")


ERROR_400 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Invalid input. Field errors come as {field: [messages]}; other refusals as {detail, code}.",
)
ERROR_401 = OpenApiResponse(response=ErrorSerializer, description="Missing, invalid or expired credentials.")
ERROR_403 = OpenApiResponse(response=ErrorSerializer, description="Authenticated, but not allowed (staff only).")
ERROR_404 = OpenApiResponse(response=ErrorSerializer, description="Not found.")
PAGE_NOT_FOUND = OpenApiResponse(response=ErrorSerializer, description="No such page (past the end, or not a number).")
ERROR_409 = OpenApiResponse(response=ErrorSerializer, description="Conflicts with the current state.")
ERROR_422 = OpenApiResponse(
    response=ErrorSerializer, description="The Idempotency-Key was already used for a different request."
)
ERROR_503 = OpenApiResponse(
    response=ErrorSerializer,
    description="Busy: a lock could not be had in time. Nothing changed; retry after Retry-After.",
)
ERROR_413 = OpenApiResponse(
    response=ErrorSerializer, description="The request body is larger than the service accepts (DJANGO_MAX_BODY_BYTES)."
)
ERROR_415 = OpenApiResponse(response=ErrorSerializer, description="The body is not JSON (Content-Type).")
ERROR_429 = OpenApiResponse(
    response=ErrorSerializer, description="Too many requests; wait the seconds given in Retry-After."
)


URI_TOO_LONG = {
    "description": "The URL is too long (answered by the HTTP server, before the application).",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the answers any operation of a kind can give,
    so that every response the API sends is documented:

    - 401 wherever a token is read (an invalid or expired token is refused even
      on public reads),
    - 404 on paginated lists (a page past the end),
    - 429 where a rate limit applies, 503 everywhere (the database unreachable),
    - 414 everywhere: gunicorn refuses an over-long request line before the
      application sees it, with its own small HTML page.
    """

    # drf-spectacular's private hooks are untyped.
    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        extra = {"503": ERROR_503}
        if self.method in ("POST", "PUT", "PATCH"):
            extra["413"], extra["415"] = ERROR_413, ERROR_415
        if self.view.authentication_classes:
            extra["401"] = ERROR_401
        if self._is_list_view() and self._get_paginator():  # type: ignore[no-untyped-call]
            extra["404"] = PAGE_NOT_FOUND
        if any(self._throttles_method(throttle) for throttle in self.view.get_throttles()):
            extra["429"] = ERROR_429
        for code, response in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    response, code, direction=direction
                )
        responses.setdefault("414", URI_TOO_LONG)
        return dict(sorted(responses.items()))

    def get_auth(self) -> list[dict[str, list[str]]]:
        """Anonymous access is declared ({} among the alternatives) wherever a
        permission lets it in: permissions say so with ``allows_anonymous(method)``,
        which drf-spectacular can not see in custom permission classes."""
        auths: list[dict[str, list[str]]] = super().get_auth()
        anonymous = any(
            getattr(permission, "allows_anonymous", lambda method: False)(self.method)
            for permission in self.view.get_permissions()
        )
        if anonymous and {} not in auths:
            auths.append({})
        return auths

    def _throttles_method(self, throttle: BaseThrottle) -> bool:
        reading = self.method in ("GET", "HEAD")
        scope = getattr(throttle, "scope", None)
        return reading if scope == "reads" else not reading if scope == "bookings" else True
