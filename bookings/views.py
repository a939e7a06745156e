from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.routers import ID_PATTERN
from config.schema import ERROR_400, ERROR_401, ERROR_404, ERROR_409

from . import selectors, services
from .filters import BookingFilter
from .models import Booking
from .serializers import BookingCreateSerializer, BookingSerializer, SeatMapSerializer


class ShowSeatsViewSet(viewsets.GenericViewSet):
    """The booking side of /shows/{id}/: the seat map and booking a seat."""

    lookup_value_regex = ID_PATTERN
    serializer_class = BookingSerializer

    @extend_schema(
        summary="Seat map of a show: free and booked seat numbers (public)",
        responses={200: SeatMapSerializer, 404: ERROR_404},
        tags=["shows"],
    )
    @action(detail=True, methods=["get"], permission_classes=[permissions.AllowAny])
    def seats(self, request, pk=None):
        return Response(SeatMapSerializer(selectors.seat_map(show_id=int(pk))).data)

    @extend_schema(
        summary="Book a seat of a show",
        request=BookingCreateSerializer,
        responses={201: BookingSerializer, 400: ERROR_400, 401: ERROR_401, 404: ERROR_404, 409: ERROR_409},
        tags=["shows"],
    )
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = services.booking_create(
            user=request.user, show_id=int(pk), seat_number=serializer.validated_data["seat_number"]
        )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class CustomerBookingsMixin:
    serializer_class = BookingSerializer
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Booking.objects.none()
        return selectors.booking_list(user=self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary="The caller's bookings, newest first",
        responses={200: BookingSerializer(many=True), 400: ERROR_400, 401: ERROR_401},
        tags=["bookings"],
    )
)
class MyBookingViewSet(CustomerBookingsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    filter_backends = [DjangoFilterBackend]
    filterset_class = BookingFilter


@extend_schema_view(
    retrieve=extend_schema(
        summary="One of the caller's bookings",
        responses={200: BookingSerializer, 401: ERROR_401, 404: ERROR_404},
        tags=["bookings"],
    )
)
class BookingViewSet(CustomerBookingsMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    @extend_schema(
        summary="Cancel one of the caller's bookings; the seat becomes bookable again",
        request=None,
        responses={200: BookingSerializer, 400: ERROR_400, 401: ERROR_401, 404: ERROR_404, 409: ERROR_409},
        tags=["bookings"],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = services.booking_cancel(booking_id=int(pk), user=request.user)
        return Response(BookingSerializer(booking).data)
