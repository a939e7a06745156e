from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from accounts.auth import customer
from core.exceptions import NotFound
from core.routers import ID_PATTERN
from core.schema import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ERROR_409, ErrorSerializer
from core.throttling import ReadThrottle

from . import selectors, services
from .models import CheckIn
from .permissions import IsDoorStaff
from .renderers import PNGRenderer, SVGRenderer
from .serializers import (
    CheckInCreateSerializer,
    CheckInListQuerySerializer,
    CheckInListSerializer,
    CheckInSerializer,
    CheckInSummarySerializer,
    PurchaseTicketsSerializer,
    TicketKeysSerializer,
    TicketSerializer,
)
from .throttling import CheckInAccountThrottle, CheckInDeviceThrottle

UUID_PATTERN = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=["json", "svg", "png"],
    description="json (default): the ticket; svg or png: its QR code as an image.",
)


class CheckInConflictErrorSerializer(ErrorSerializer):
    """Why the door refuses a ticket (409), with what the door staff need to say."""

    may_be_absent = (
        "ticket",
        "check_in",
        "checked_in_at",
        "checked_in_by",
        "device",
        "scanned_at",
        "ticket_show",
        "movie_title",
        "show_date_time",
        "screen_name",
        "opens_at",
        "ended_at",
    )

    ticket = serializers.IntegerField(required=False)
    check_in = serializers.IntegerField(required=False, help_text="already_checked_in: the check-in on record.")
    checked_in_at = serializers.DateTimeField(required=False, help_text="already_checked_in: when (the earliest scan).")
    checked_in_by = serializers.CharField(required=False, help_text="already_checked_in: by whom.")
    device = serializers.CharField(required=False, help_text="already_checked_in: at which device.")
    scanned_at = serializers.DateTimeField(required=False, help_text="already_checked_in: this scan's time.")
    ticket_show = serializers.IntegerField(required=False, help_text="wrong_show: the show the ticket is for.")
    movie_title = serializers.CharField(required=False, help_text="wrong_show")
    show_date_time = serializers.DateTimeField(required=False, help_text="wrong_show")
    screen_name = serializers.CharField(required=False, help_text="wrong_show")
    opens_at = serializers.DateTimeField(required=False, help_text="too_early: when check-in opens.")
    ended_at = serializers.DateTimeField(
        required=False, help_text="show_over: when the movie ended; check_in_not_active: when the check-in ended."
    )


CHECK_IN_409 = OpenApiResponse(
    response=CheckInConflictErrorSerializer,
    description="already_checked_in, ticket_cancelled, wrong_show, too_early or show_over.",
)


class QRFormatMixin:
    """Answers in JSON, or as the QR code's image with ?format=svg|png; errors always in JSON."""

    renderer_classes: Sequence[type[BaseRenderer]] = [JSONRenderer, SVGRenderer, PNGRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        wanted = request.query_params.get("format")
        if wanted is not None and wanted not in ("json", "svg", "png") and not force:
            raise ValidationError({"format": ["Choose json, svg or png."]})
        return super().perform_content_negotiation(request, force)  # type: ignore[misc]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if response.status_code >= 400 or response.status_code == 304:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


def _qr_responses(serializer: Any) -> dict[Any, Any]:
    return {
        (200, "application/json"): OpenApiResponse(serializer, description="The ticket."),
        (200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.BINARY, description="The ticket's QR code."),
        (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="The ticket's QR code."),
        400: ERROR_400,
        401: ERROR_401,
        404: ERROR_404,
    }


class BookingTicketViewSet(QRFormatMixin, viewsets.GenericViewSet[Any]):
    """/bookings/{id}/ticket/: the ticket of one of the caller's booked seats."""

    lookup_value_regex = ID_PATTERN
    throttle_classes = [ReadThrottle]

    @extend_schema(
        summary="The ticket of one of the caller's bookings, or its QR code (?format=svg|png)",
        parameters=[FORMAT_PARAMETER],
        responses=_qr_responses(TicketSerializer),
        tags=["tickets"],
    )
    @action(detail=True, methods=["get"])
    def ticket(self, request: Request, pk: str) -> Response:
        ticket = selectors.ticket_list(user=customer(request), booking_id=int(pk)).first()
        if ticket is None:
            raise NotFound("Ticket not found.")
        return Response(TicketSerializer(ticket).data)


class PurchaseViewSet(viewsets.GenericViewSet[Any]):
    lookup_field = "reference"
    lookup_value_regex = UUID_PATTERN
    throttle_classes = [ReadThrottle]

    @extend_schema(
        summary="Every ticket of one of the caller's purchases (the reference of a booking)",
        parameters=[OpenApiParameter("reference", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: PurchaseTicketsSerializer, 401: ERROR_401, 404: ERROR_404},
        tags=["tickets"],
    )
    @action(detail=True, methods=["get"])
    def tickets(self, request: Request, reference: str) -> Response:
        # A UUID: the route takes nothing else (UUID_PATTERN).
        tickets = list(selectors.ticket_list(user=customer(request), reference=uuid.UUID(reference)))
        if not tickets:
            raise NotFound("Purchase not found.")
        return Response(PurchaseTicketsSerializer({"reference": tickets[0].reference, "tickets": tickets}).data)


class TicketKeysView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ReadThrottle]

    @extend_schema(
        summary="The public keys that sign tickets' QR codes (JSON Web Keys), to check tickets offline",
        responses={200: TicketKeysSerializer},
        tags=["tickets"],
    )
    def get(self, request: Request) -> Response:
        return Response(TicketKeysSerializer.listed().data)


class CheckInViewSet(mixins.DestroyModelMixin, viewsets.GenericViewSet[CheckIn]):
    """The door: check a ticket in, undo a mistaken check-in."""

    permission_classes = [IsDoorStaff]
    lookup_value_regex = ID_PATTERN
    queryset = CheckIn.objects.all()
    serializer_class = CheckInCreateSerializer  # what OPTIONS describes for POST

    def get_throttles(self) -> list[BaseThrottle]:
        if self.action == "create":
            return [CheckInDeviceThrottle(), CheckInAccountThrottle()]
        return super().get_throttles()

    @extend_schema(
        summary="Check a ticket in (door staff): by its typed code or its QR code's content",
        description=(
            "201 the first time a ticket is scanned; every later scan, at any door, is a 409 "
            "`already_checked_in` saying when and by whom. Scanners that worked offline upload their "
            "scans with `scanned_at`: the earliest scan of a ticket is kept, and the other answered 409 "
            "with both times. A QR code whose signature does not verify is a 400, an unknown code a 404."
        ),
        request=CheckInCreateSerializer,
        responses={
            201: CheckInSerializer,
            400: ERROR_400,
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
            409: CHECK_IN_409,
        },
        tags=["check-in"],
    )
    def create(self, request: Request) -> Response:
        serializer = CheckInCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        check_in = services.check_in_create(
            code=data["code"],
            by=customer(request),
            show_id=data.get("show"),
            scanned_at=data.get("scanned_at"),
            device=data["device"],
        )
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Undo a mistaken check-in (door staff within CHECK_IN_UNDO_MINUTES, staff at any time)",
        responses={204: None, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
        tags=["check-in"],
    )
    def destroy(self, request: Request, pk: str) -> Response:
        services.check_in_undo(check_in_id=int(pk), by=customer(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShowCheckInViewSet(viewsets.GenericViewSet[Any]):
    """The door's side of /shows/{id}/: the tickets to admit, and how many came."""

    permission_classes = [IsDoorStaff]
    lookup_value_regex = ID_PATTERN

    @extend_schema(
        summary="Every ticket of a show, for scanners that keep working offline (door staff)",
        parameters=[CheckInListQuerySerializer],
        responses={200: CheckInListSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        tags=["check-in"],
    )
    @action(detail=True, methods=["get"], url_path="check-in-list")
    def check_in_list(self, request: Request, pk: str) -> Response:
        query = CheckInListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        listed = selectors.check_in_list(show_id=int(pk), since=query.validated_data.get("since"))
        return Response(CheckInListSerializer(listed).data)

    @extend_schema(
        summary="Sold, checked in and still to come for a show (door staff)",
        responses={200: CheckInSummarySerializer, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        tags=["check-in"],
    )
    @action(detail=True, methods=["get"], url_path="check-ins/summary")
    def summary(self, request: Request, pk: str) -> Response:
        return Response(CheckInSummarySerializer(selectors.check_in_summary(show_id=int(pk))).data)
