from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.auth import customer
from accounts.models import User
from bookings.throttling import BookingThrottle
from core.api import IDEMPOTENCY_KEY_PARAMETER, CallersRowsMixin, idempotent
from core.schema import ERROR_400, ERROR_401, ERROR_404, ERROR_409, IDEMPOTENT_ERRORS
from core.throttling import ReadThrottle

from . import services
from .models import Order
from .serializers import OrderCreateSerializer, OrderSerializer


class CustomerOrdersMixin(CallersRowsMixin[Order]):
    model = Order
    serializer_class: type[BaseSerializer[Any]] = OrderSerializer

    def rows_of(self, user: User) -> QuerySet[Order]:
        return Order.objects.filter(user=user)


@extend_schema_view(
    retrieve=extend_schema(
        summary="One of the caller's orders",
        responses={200: OrderSerializer, 401: ERROR_401, 404: ERROR_404},
        tags=["orders"],
    ),
)
class OrderViewSet(CustomerOrdersMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Order]):
    throttle_classes = [ReadThrottle, BookingThrottle]

    @extend_schema(
        summary="Order the seats of one of the caller's active holds, at the prices it quoted",
        request=OrderCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: OrderSerializer, **IDEMPOTENT_ERRORS},
        tags=["orders"],
    )
    def create(self, request: Request) -> Response:
        asked = OrderCreateSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        user = customer(request)

        def perform() -> Response:
            order = services.order_create(user=user, hold_id=asked.validated_data["hold"])
            return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

        return idempotent(request, user.pk, perform)

    @extend_schema(
        summary="Cancel an unpaid order: its seats are free at once",
        request=None,
        responses={200: OrderSerializer, 401: ERROR_401, 404: ERROR_404, 409: ERROR_409},
        tags=["orders"],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return Response(OrderSerializer(services.order_cancel(order_id=int(pk), user=customer(request))).data)


@extend_schema_view(
    list=extend_schema(
        summary="The caller's orders, newest first",
        responses={200: OrderSerializer(many=True), 400: ERROR_400, 401: ERROR_401},
        tags=["orders"],
    )
)
class MyOrderViewSet(CustomerOrdersMixin, mixins.ListModelMixin, viewsets.GenericViewSet[Order]):
    pass
