from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.auth import customer
from accounts.models import User
from catalog.filters import FilterBackend
from catalog.models import Show
from core.api import IDEMPOTENCY_KEY_PARAMETER, CallersRowsMixin, idempotent
from core.httpcache import CachedResponseMixin
from core.routers import ID_PATTERN
from core.schema import (
    ERROR_400,
    ERROR_401,
    ERROR_402,
    ERROR_403,
    ERROR_404,
    ERROR_409,
    IDEMPOTENT_ERRORS,
)
from core.throttling import ReadThrottle

from . import queries, reports, selectors, services
from .filters import BookingFilter, ReportFilter
from .models import Booking, Hold
from .serializers import (
    BookingCreateSerializer,
    BookingSerializer,
    HoldCreateSerializer,
    HoldSerializer,
    MovieReportSerializer,
    PurchaseSerializer,
    SeatBlockCreateSerializer,
    SeatBlockReleaseSerializer,
    SeatBlockSerializer,
    SeatMapSerializer,
    SeatsReleasedSerializer,
    ShowReportSerializer,
    TicketTypeReportSerializer,
)
from .throttling import BookingThrottle


class ShowSeatsViewSet(CachedResponseMixin, viewsets.GenericViewSet[Any]):
    """The booking side of /shows/{id}/: the seat map and booking a seat."""

    cache_scopes = ("catalog", "seats")

    lookup_value_regex = ID_PATTERN
    serializer_class = BookingSerializer
    queryset = Show.objects.none()  # for the schema's path id: actions read through services and selectors
    pagination_class = None  # a show's seat blocks are one list, as its seat map is

    @extend_schema(
        summary="Seat map of a show: free and booked seat numbers (public)",
        responses={200: SeatMapSerializer, 404: ERROR_404},
        tags=["shows"],
    )
    @action(detail=True, methods=["get"], permission_classes=[permissions.AllowAny])
    def seats(self, request: Request, pk: str) -> HttpResponseBase:
        def seat_map(request: Request, pk: str) -> Response:
            user = request.user if request.user.is_authenticated else None
            return Response(SeatMapSerializer(selectors.seat_map(show_id=int(pk), user=user)).data)

        return self.cached(request, seat_map, pk=pk)

    @staticmethod
    def seats_asked(request: Request, serializer_class: type[BaseSerializer[Any]]) -> tuple[dict[str, Any], bool]:
        """The seats of a book or hold request, checked (400 if malformed), as the
        service's arguments; and whether they came as the single seat_number."""
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        field, single = data.pop("field"), data.pop("single")
        return {**data, "seats_field": field}, single

    @extend_schema(
        summary="Book one seat, or several seats all or nothing",
        description=(
            'Send `{"seat_number": 7}` for one seat (answer: the booking), or '
            '`{"seat_numbers": [7, 8, 9]}` or `{"seat_labels": ["F7", "F8"]}` for several '
            "(answer: the purchase with every booking and the total). "
            "If any seat is taken, nothing is booked and the 409 names the taken seats."
        ),
        request=BookingCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: PolymorphicProxySerializer(
                component_name="BookingOrPurchase",
                serializers=[BookingSerializer, PurchaseSerializer],
                resource_type_field_name=None,
            ),
            **IDEMPOTENT_ERRORS,
            402: ERROR_402,
        },
        tags=["shows"],
    )
    @action(detail=True, methods=["post"], throttle_classes=[BookingThrottle])
    def book(self, request: Request, pk: str) -> Response:
        seats, single = self.seats_asked(request, BookingCreateSerializer)
        user = customer(request)

        def perform() -> Response:
            sale = services.booking_create(user=user, show_id=int(pk), **seats)
            body = (
                BookingSerializer(sale.bookings[0], context={"email_queued": sale.email_queued})
                if single
                else PurchaseSerializer.of(sale.bookings, email_queued=sale.email_queued)
            )
            return Response(body.data, status=status.HTTP_201_CREATED)

        return idempotent(request, user.pk, perform)

    @extend_schema(
        summary="Hold seats during checkout (all or nothing); confirm the hold to book them",
        description=(
            "The seats are reserved for the caller until `expires_at` (HOLD_MINUTES, 8 by default), "
            "then free again without any action. Seats as in booking: `seat_numbers`, `seat_labels` "
            "or `seat_number`; or best available: `party` (optionally `tier`, `ticket_types`, `wheelchair`) "
            "holds that many seats together nearest the screen's sweet spot, or answers 409 "
            "`no_seats_together` with how many can still sit together. A choice that would leave a single "
            "seat alone where the screen forbids it is a 409 `strands_seat` naming the seat; seats not sold "
            "online are 409 `seat_not_for_sale`; a companion seat without its wheelchair space 409 "
            "`companion_seat` (docs/seating.md). One active hold per show and customer by default."
        ),
        request=HoldCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: HoldSerializer, **IDEMPOTENT_ERRORS},
        tags=["holds"],
    )
    @action(detail=True, methods=["post"], throttle_classes=[BookingThrottle])
    def holds(self, request: Request, pk: str) -> Response:
        seats, _ = self.seats_asked(request, HoldCreateSerializer)
        user = customer(request)

        def perform() -> Response:
            hold = services.hold_create(user=user, show_id=int(pk), **seats)
            return Response(HoldSerializer(hold).data, status=status.HTTP_201_CREATED)

        return idempotent(request, user.pk, perform)

    @extend_schema(
        methods=["GET"],
        summary="The seats staff keep off sale for this show, with why (staff)",
        responses={200: SeatBlockSerializer(many=True), 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        tags=["seat blocks"],
    )
    @extend_schema(
        methods=["POST"],
        summary="Keep seats of this show off sale: house seats, a camera position (staff)",
        description=(
            "Blocked seats are not sold online and show as `unavailable` on the seat map; the box office "
            "still sells them. Seats already blocked keep their block; a booked or held seat is a 409 "
            "`seat_taken`. Seats as in booking, with a `reason`."
        ),
        request=SeatBlockCreateSerializer,
        responses={
            201: SeatBlockSerializer(many=True),
            400: ERROR_400,
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
            409: ERROR_409,
        },
        tags=["seat blocks"],
    )
    @action(detail=True, methods=["get", "post"], permission_classes=[permissions.IsAdminUser])
    def blocks(self, request: Request, pk: str) -> Response:
        if request.method == "POST":
            asked, _ = self.seats_asked(request, SeatBlockCreateSerializer)
            services.seats_block(
                show_id=int(pk), by=customer(request), **self.seats_only(asked), reason=asked["reason"]
            )
        rows = selectors.seat_blocks(show_id=int(pk))
        answer = status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK
        return Response(SeatBlockSerializer(rows, many=True).data, status=answer)

    @extend_schema(
        summary="Put blocked seats of this show back on sale (staff)",
        request=SeatBlockReleaseSerializer,
        responses={200: SeatsReleasedSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        tags=["seat blocks"],
    )
    @action(detail=True, methods=["post"], url_path="blocks/release", permission_classes=[permissions.IsAdminUser])
    def release_blocks(self, request: Request, pk: str) -> Response:
        asked, _ = self.seats_asked(request, SeatBlockReleaseSerializer)
        released = services.seats_release(show_id=int(pk), by=customer(request), **self.seats_only(asked))
        return Response(SeatsReleasedSerializer({"released": released}).data)

    @staticmethod
    def seats_only(asked: dict[str, Any]) -> dict[str, Any]:
        return {"seat_numbers": asked["seat_numbers"], "seat_labels": asked["seat_labels"]}


@extend_schema_view(
    retrieve=extend_schema(
        summary="One of the caller's holds, with the seconds it has left",
        responses={200: HoldSerializer, 401: ERROR_401, 404: ERROR_404},
        tags=["holds"],
    ),
    destroy=extend_schema(
        summary="Release a hold: its seats are free at once",
        responses={204: None, 401: ERROR_401, 404: ERROR_404, 409: ERROR_409},
        tags=["holds"],
    ),
)
class HoldViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet[Hold]):
    serializer_class = HoldSerializer
    lookup_value_regex = ID_PATTERN
    throttle_classes = [ReadThrottle, BookingThrottle]

    def get_queryset(self) -> QuerySet[Hold]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Hold.objects.none()
        return Hold.objects.filter(user=customer(self.request))

    def destroy(self, request: Request, pk: str) -> Response:
        services.hold_release(hold_id=int(pk), user=customer(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Extend a hold once, by the hold duration, up to its longest lifetime",
        request=None,
        responses={200: HoldSerializer, 401: ERROR_401, 404: ERROR_404, 409: ERROR_409},
        tags=["holds"],
    )
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str) -> Response:
        return Response(HoldSerializer(services.hold_extend(hold_id=int(pk), user=customer(request))).data)

    @extend_schema(
        summary="Confirm a hold: book its seats (an expired hold only if all are still free)",
        request=None,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: PurchaseSerializer, **IDEMPOTENT_ERRORS, 402: ERROR_402},
        tags=["holds"],
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        user = customer(request)

        def perform() -> Response:
            sale = services.hold_confirm(hold_id=int(pk), user=user)
            body = PurchaseSerializer.of(sale.bookings, email_queued=sale.email_queued)
            return Response(body.data, status=status.HTTP_201_CREATED)

        return idempotent(request, user.pk, perform)


class CustomerBookingsMixin(CallersRowsMixin[Booking]):
    model = Booking
    serializer_class: type[BaseSerializer[Any]] = BookingSerializer

    def rows_of(self, user: User) -> QuerySet[Booking]:
        return selectors.booking_list(user=user)


@extend_schema_view(
    list=extend_schema(
        summary="The caller's bookings, newest first",
        responses={200: BookingSerializer(many=True), 400: ERROR_400, 401: ERROR_401},
        tags=["bookings"],
    )
)
class MyBookingViewSet(CustomerBookingsMixin, mixins.ListModelMixin, viewsets.GenericViewSet[Booking]):
    filter_backends = [FilterBackend]
    filterset_class = BookingFilter

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The filter checks the parameters (a bad one is a 400); the page's rows
        # come from written-out queries (queries.CustomerBookings).
        self.filter_queryset(Booking.objects.none())
        status = request.query_params.get("status") or None
        bookings = queries.CustomerBookings(user_id=customer(request).pk, status=status)
        page = self.paginate_queryset(bookings)  # type: ignore[arg-type]  # sliceable and countable, as Paginator needs
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    retrieve=extend_schema(
        summary="One of the caller's bookings",
        responses={200: BookingSerializer, 401: ERROR_401, 404: ERROR_404},
        tags=["bookings"],
    )
)
class BookingViewSet(CustomerBookingsMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Booking]):
    @extend_schema(
        summary="Cancel one of the caller's bookings; the seat becomes bookable again",
        request=None,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: BookingSerializer, **IDEMPOTENT_ERRORS},
        tags=["bookings"],
    )
    @action(detail=True, methods=["post"], throttle_classes=[BookingThrottle])
    def cancel(self, request: Request, pk: str) -> Response:
        user = customer(request)

        def perform() -> Response:
            return Response(BookingSerializer(services.booking_cancel(booking_id=int(pk), by=user)).data)

        return idempotent(request, user.pk, perform)


class ReportViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Show]):
    """Shows in a date range (and of one movie), reported per show or per movie; staff only."""

    permission_classes = [permissions.IsAdminUser]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportFilter
    queryset = Show.objects.all()
    report: Callable[[QuerySet[Show]], QuerySet[Any]] = staticmethod(reports.show_report)

    def filter_queryset(self, queryset: QuerySet[Show, Any]) -> QuerySet[Any]:
        return self.report(super().filter_queryset(queryset))


@extend_schema_view(
    list=extend_schema(
        summary="Seats sold, occupancy and revenue per show (staff)",
        responses={200: ShowReportSerializer(many=True), 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        tags=["reports"],
    )
)
class ShowReportViewSet(ReportViewSet):
    serializer_class = ShowReportSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Shows, seats sold, occupancy and revenue per movie (staff)",
        responses={200: MovieReportSerializer(many=True), 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        tags=["reports"],
    )
)
class MovieReportViewSet(ReportViewSet):
    serializer_class = MovieReportSerializer
    report = staticmethod(reports.movie_report)


@extend_schema_view(
    list=extend_schema(
        summary="Seats sold, revenue and discounts given per ticket type (staff)",
        responses={200: TicketTypeReportSerializer(many=True), 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        tags=["reports"],
    )
)
class TicketTypeReportViewSet(ReportViewSet):
    serializer_class = TicketTypeReportSerializer
    report = staticmethod(reports.ticket_type_report)
