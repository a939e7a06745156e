"""Shared pieces of the OpenAPI description: the error bodies every endpoint can return."""

from typing import Any, Literal

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.throttling import BaseThrottle

# One family of error bodies (core/exceptions.py): every one has detail and code.


class ErrorSerializer(serializers.Serializer[dict[str, Any]]):
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")
    code = serializers.CharField(help_text="A stable machine-readable reason, e.g. not_found, seat_taken.")


class ValidationErrorSerializer(ErrorSerializer):
    """Invalid input: besides detail and code, each field in error with its messages
    ({"seat_numbers": ["No seat 51: ..."]}; see the postprocessing hook below)."""


class OccupiedSeatSerializer(serializers.Serializer[dict[str, Any]]):
    show = serializers.IntegerField()
    seat_number = serializers.IntegerField()
    seat_label = serializers.CharField()
    status = serializers.ChoiceField(choices=["booked", "held", "blocked"])


class ConflictErrorSerializer(ErrorSerializer):
    """A conflict, naming what is in the way when there is something to name."""

    may_be_absent = (
        "seat_number",
        "seat_numbers",
        "seat_labels",
        "seats",
        "hold",
        "show",
        "conflicting_show",
        "checked_in_at",
        "party",
        "together",
        "entry",
    )

    seat_number = serializers.IntegerField(required=False, help_text="seat_taken: the taken seat (one asked for).")
    seat_numbers = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="seat_taken: every taken seat asked for; seat_not_for_sale, strands_seat, companion_seat: "
        "the seats refused or left alone.",
    )
    seat_labels = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="seats_changed: held seats the layout lacks now; seat_not_for_sale, strands_seat, "
        "companion_seat: as seat_numbers, by label.",
    )
    seats = OccupiedSeatSerializer(many=True, required=False, help_text="has_bookings: the seats in the way.")
    hold = serializers.IntegerField(required=False, help_text="hold_limit: the customer's active hold.")
    show = serializers.IntegerField(
        required=False, help_text="schedule_conflict: the show that would move; waiting_list: the show to wait for."
    )
    conflicting_show = serializers.IntegerField(required=False, help_text="schedule_conflict: the show in the way.")
    checked_in_at = serializers.DateTimeField(required=False, help_text="checked_in: when the ticket was used.")
    party = serializers.IntegerField(
        required=False, help_text="no_seats_together, seats_available: the party asked for."
    )
    together = serializers.IntegerField(required=False, help_text="no_seats_together: how many can still sit together.")
    entry = serializers.IntegerField(required=False, help_text="already_waiting: the customer's waiting list entry.")


class ThrottledErrorSerializer(ErrorSerializer):
    retry_after = serializers.IntegerField(help_text="Seconds to wait, as in the Retry-After header.")


def typed_field_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: field errors are lists of messages."""
    schema = result.get("components", {}).get("schemas", {}).get("ValidationError")
    if schema is not None:
        schema["additionalProperties"] = {"type": "array", "items": {"type": "string"}}
    return result


def query_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: a read that takes query parameters can be
    refused with a 400, for a filter's value or for a NUL character anywhere in the
    query (core/middleware.py), so each such operation documents it."""
    answer = {
        "description": ERROR_400.description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationError"}}},
    }
    for operations in result.get("paths", {}).values():
        read = operations.get("get")
        if read and any(parameter.get("in") == "query" for parameter in read.get("parameters", [])):
            responses = read["responses"]
            if "400" not in responses:
                responses["400"] = answer
                read["responses"] = dict(sorted(responses.items()))
    return result


ERROR_400 = OpenApiResponse(
    response=ValidationErrorSerializer,
    description="Invalid input: detail and code, and each field in error with its messages.",
)
ERROR_401 = OpenApiResponse(response=ErrorSerializer, description="Missing, invalid or expired credentials.")
ERROR_403 = OpenApiResponse(response=ErrorSerializer, description="Authenticated, but not allowed (staff only).")
ERROR_402 = OpenApiResponse(
    response=ErrorSerializer,
    description="The cinema takes payment first (BOOKING_REQUIRES_PAYMENT): order a hold and pay the order instead.",
)
ERROR_404 = OpenApiResponse(response=ErrorSerializer, description="Not found.")
PAGE_NOT_FOUND = OpenApiResponse(response=ErrorSerializer, description="No such page (past the end, or not a number).")
ERROR_409 = OpenApiResponse(response=ConflictErrorSerializer, description="Conflicts with the current state.")
ERROR_422 = OpenApiResponse(
    response=ErrorSerializer, description="The Idempotency-Key was already used for a different request."
)
ERROR_503 = OpenApiResponse(
    response=ErrorSerializer,
    description="Busy: a lock could not be had in time. Nothing changed; retry after Retry-After.",
)
ERROR_502 = OpenApiResponse(
    response=ErrorSerializer,
    description="The payment provider refused the request (its reason in detail). Nothing was charged.",
)
ERROR_413 = OpenApiResponse(
    response=ErrorSerializer, description="The request body is larger than the service accepts (DJANGO_MAX_BODY_BYTES)."
)
ERROR_415 = OpenApiResponse(response=ErrorSerializer, description="The body is not JSON (Content-Type).")
ERROR_411 = OpenApiResponse(
    response=ErrorSerializer, description="A chunked body without Content-Length: send the length."
)
NOT_MODIFIED = {"description": "Not modified: the ETag sent in If-None-Match is still current (no body)."}
ERROR_429 = OpenApiResponse(
    response=ThrottledErrorSerializer, description="Too many requests; wait the seconds given in Retry-After."
)

# The answers of a write that an Idempotency-Key may repeat safely.
IDEMPOTENT_ERRORS = {
    400: ERROR_400,
    401: ERROR_401,
    404: ERROR_404,
    409: ERROR_409,
    422: ERROR_422,
    429: ERROR_429,
    503: ERROR_503,
}


# 414 is answered by gunicorn before the application, as a small HTML page. It is
# documented on every operation without a body type, so that generated clients
# get no "str" in every return type for an answer they can not act on anyway.
URI_TOO_LONG = {
    "description": "The URL is too long: answered by the HTTP server before the application, not in JSON.",
}
# Path ids are integers of at most 18 digits (core/routers.py: ID_PATTERN).
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 999_999_999_999_999_999}


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
            extra["411"], extra["413"], extra["415"] = ERROR_411, ERROR_413, ERROR_415
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
        for code, response in responses.items():
            content = response.get("content", {})
            if not code.startswith("2") and "application/json" in content:
                # Errors are always JSON, whatever the operation's other formats (a QR code's image).
                response["content"] = {"application/json": content["application/json"]}
        responses.setdefault("414", URI_TOO_LONG)
        if self.method == "GET" and hasattr(self.view, "cached"):
            responses.setdefault("304", NOT_MODIFIED)  # cached public reads answer If-None-Match (core/httpcache.py)
        return dict(sorted(responses.items()))

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._resolve_path_parameters(variables)  # type: ignore[no-untyped-call]
        for parameter in parameters:
            if parameter["name"] == "id":
                parameter["schema"] = dict(ID_SCHEMA)
        return parameters

    def _get_request_body(self, direction: Literal["request", "response"] = "request") -> dict[str, Any] | None:
        """Every POST and PUT of this API needs a body: a client that sends none gets a 400."""
        body: dict[str, Any] | None = super()._get_request_body(direction)  # type: ignore[no-untyped-call]
        if body is not None and self.method in ("POST", "PUT"):
            body["required"] = True
        return body

    def _map_basic_serializer(self, serializer: Any, direction: Literal["request", "response"]) -> dict[str, Any]:
        """In answers every field is present (DRF renders them all, null when empty), so
        all are required, but those a serializer lists in ``may_be_absent``."""
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)  # type: ignore[no-untyped-call]
        if direction == "response":
            absent = set(getattr(serializer, "may_be_absent", ()))
            present = [
                name
                for name, field in schema.get("properties", {}).items()
                if name not in absent and not (isinstance(field, dict) and field.get("writeOnly"))
            ]
            if present:
                schema["required"] = sorted(present)
        return schema

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
