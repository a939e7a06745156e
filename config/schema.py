"""Shared pieces of the OpenAPI description: the error bodies every endpoint can return."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")
    code = serializers.CharField(required=False, help_text="A stable machine-readable reason.")


ERROR_400 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Invalid input. Field errors come as {field: [messages]}; other refusals as {detail, code}.",
)
ERROR_401 = OpenApiResponse(response=ErrorSerializer, description="Missing, invalid or expired credentials.")
ERROR_403 = OpenApiResponse(response=ErrorSerializer, description="Authenticated, but not allowed (staff only).")
ERROR_404 = OpenApiResponse(response=ErrorSerializer, description="Not found.")
ERROR_409 = OpenApiResponse(response=ErrorSerializer, description="Conflicts with the current state.")
ERROR_422 = OpenApiResponse(
    response=ErrorSerializer, description="The Idempotency-Key was already used for a different request."
)
ERROR_503 = OpenApiResponse(
    response=ErrorSerializer,
    description="Busy: a lock could not be had in time. Nothing changed; retry after Retry-After.",
)
ERROR_429 = OpenApiResponse(
    response=ErrorSerializer, description="Too many requests; wait the seconds given in Retry-After."
)
