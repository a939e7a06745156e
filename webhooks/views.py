from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.routers import ID_PATTERN
from core.schema import ERROR_400, ERROR_401, ERROR_403, ERROR_404

from . import services
from .models import Attempt, Endpoint
from .serializers import (
    WebhookAttemptSerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
    WebhookPingSerializer,
)

TAGS = ["webhooks"]


STAFF = {401: ERROR_401, 403: ERROR_403}


@extend_schema_view(
    list=extend_schema(
        summary="Webhook endpoints (staff)", responses={200: WebhookEndpointSerializer(many=True), **STAFF}, tags=TAGS
    ),
    retrieve=extend_schema(
        summary="One webhook endpoint (staff)",
        responses={200: WebhookEndpointSerializer, 404: ERROR_404, **STAFF},
        tags=TAGS,
    ),
    create=extend_schema(
        summary="Subscribe a URL to events (staff); the answer shows the signing secret, once",
        responses={201: WebhookEndpointCreatedSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        tags=TAGS,
    ),
    update=extend_schema(
        summary="Change a webhook endpoint (staff)",
        responses={200: WebhookEndpointSerializer, 400: ERROR_400, 404: ERROR_404, **STAFF},
        tags=TAGS,
    ),
    partial_update=extend_schema(
        summary="Change a webhook endpoint, e.g. turn it on again (staff)",
        responses={200: WebhookEndpointSerializer, 400: ERROR_400, 404: ERROR_404, **STAFF},
        tags=TAGS,
    ),
    destroy=extend_schema(
        summary="Delete a webhook endpoint and its delivery log (staff)",
        responses={204: None, 404: ERROR_404, **STAFF},
        tags=TAGS,
    ),
)
class EndpointViewSet(viewsets.ModelViewSet[Endpoint]):
    permission_classes = [permissions.IsAdminUser]
    serializer_class = WebhookEndpointSerializer
    queryset = Endpoint.objects.all()
    lookup_value_regex = ID_PATTERN

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = WebhookEndpointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = serializer.save()
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Send a test event (type ping) to this endpoint (staff)",
        request=None,
        responses={202: WebhookPingSerializer, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        tags=TAGS,
    )
    @action(detail=True, methods=["post"])
    def ping(self, request: Request, pk: str) -> Response:
        event_id = services.endpoint_ping(endpoint=self.get_object())
        return Response({"event": event_id}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="The latest delivery attempts to this endpoint, newest first (staff)",
        responses={200: WebhookAttemptSerializer(many=True), 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        tags=TAGS,
    )
    @action(detail=True, methods=["get"])
    def attempts(self, request: Request, pk: str) -> Response:
        endpoint = self.get_object()
        # A page of the endpoint's attempts, not of endpoints: typed as such.
        attempts: QuerySet[Any] = endpoint.attempts.order_by("-created_at", "-id")
        page: list[Attempt] | None = self.paginate_queryset(attempts)
        return self.get_paginated_response(WebhookAttemptSerializer(page, many=True).data)
