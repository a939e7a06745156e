from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from accounts.auth import customer
from accounts.models import User
from bookings.throttling import BookingThrottle
from core.api import IDEMPOTENCY_KEY_PARAMETER, CallersRowsMixin, idempotent
from core.schema import (
    ERROR_400,
    ERROR_401,
    ERROR_404,
    ERROR_409,
    ERROR_413,
    ERROR_429,
    ERROR_502,
    ERROR_503,
    IDEMPOTENT_ERRORS,
)
from core.throttling import ReadThrottle

from . import services, webhook
from .models import Order
from .serializers import CheckoutSerializer, OrderCreateSerializer, OrderSerializer, WebhookAnswerSerializer


class CustomerOrdersMixin(CallersRowsMixin[Order]):
    model = Order
    serializer_class: type[BaseSerializer[Any]] = OrderSerializer

    def rows_of(self, user: User) -> QuerySet[Order]:
        return Order.objects.filter(user=user).select_related("show", "promo_code").prefetch_related("payments")


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
        summary="Order the seats of one of the caller's active holds: a ticket type per seat, a promo code",
        description=(
            "Seats not named in seats are sold as the default ticket type at the price the hold quoted. "
            "The answer shows the price before (subtotal), the discount, the booking fee and the total charged."
        ),
        request=OrderCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: OrderSerializer, **IDEMPOTENT_ERRORS},
        examples=[
            OpenApiExample(
                "Two adults and a child, with a code",
                request_only=True,
                value={
                    "hold": 41,
                    "seats": [{"seat_label": "F7", "ticket_type": "child"}],
                    "promo_code": "SUMMER10",
                },
            ),
            OpenApiExample(
                "The order made",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 17,
                    "show": 5,
                    "hold": 41,
                    "status": "pending_payment",
                    "seats": [
                        {
                            "seat_number": 55,
                            "label": "F5",
                            "ticket_type": "adult",
                            "list_price": "12.00",
                            "discount": "1.20",
                            "price": "10.80",
                            "fee": "0.75",
                        },
                        {
                            "seat_number": 56,
                            "label": "F6",
                            "ticket_type": "adult",
                            "list_price": "12.00",
                            "discount": "1.20",
                            "price": "10.80",
                            "fee": "0.75",
                        },
                        {
                            "seat_number": 57,
                            "label": "F7",
                            "ticket_type": "child",
                            "list_price": "7.50",
                            "discount": "0.75",
                            "price": "6.75",
                            "fee": "0.75",
                        },
                    ],
                    "subtotal": "31.50",
                    "discount": "3.15",
                    "booking_fee": "2.25",
                    "total": "30.60",
                    "promo_code": "SUMMER10",
                    "currency": "EUR",
                    "reference": "60b415be-8a4c-4f55-9d7e-0a4b3c2f1e9d",
                    "created_at": "2026-12-07T18:02:11Z",
                    "expires_at": "2026-12-07T18:18:11Z",
                    "paid_at": None,
                    "payment_status": None,
                    "payment_error": "",
                    "amount_paid": "0.00",
                    "amount_refunded": "0.00",
                    "refund_if_cancelled": None,
                },
            ),
        ],
        tags=["orders"],
    )
    def create(self, request: Request) -> Response:
        asked = OrderCreateSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        user = customer(request)

        def perform() -> Response:
            order = services.order_create(
                user=user,
                hold_id=asked.validated_data["hold"],
                seats=asked.choices(),
                promo_code=asked.validated_data.get("promo_code", ""),
            )
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

    @extend_schema(
        summary="Pay an order online: the Stripe PaymentIntent for the client to confirm",
        description=(
            "Makes the order's PaymentIntent on the first call and answers the same one after. The client "
            "confirms it with Stripe (Stripe.js `stripe.confirmCardPayment(client_secret)` or a mobile SDK, "
            "with `publishable_key`); Stripe then tells this service (its webhook), which books the seats. "
            "Follow the order with GET /orders/{id}/ until `status` is `paid`. A 503 means Stripe did not "
            "answer in time: nothing was charged; try again."
        ),
        request=None,
        responses={
            200: OpenApiResponse(
                CheckoutSerializer,
                examples=[
                    OpenApiExample(
                        "A new PaymentIntent",
                        value={
                            "order": 42,
                            "provider": "stripe",
                            "payment_intent": "pi_3QyExample",
                            "client_secret": "pi_3QyExample_secret_4Bc",
                            "publishable_key": "pk_test_51Example",
                            "amount": "24.00",
                            "currency": "EUR",
                            "status": "requires_payment_method",
                        },
                    )
                ],
            ),
            401: ERROR_401,
            404: ERROR_404,
            409: ERROR_409,
            429: ERROR_429,
            502: ERROR_502,
            503: ERROR_503,
        },
        tags=["orders"],
    )
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: str) -> Response:
        checkout = services.order_checkout(order_id=int(pk), user=customer(request))
        return Response(CheckoutSerializer(checkout).data)


@extend_schema_view(
    list=extend_schema(
        summary="The caller's orders, newest first",
        responses={200: OrderSerializer(many=True), 400: ERROR_400, 401: ERROR_401},
        tags=["orders"],
    )
)
class MyOrderViewSet(CustomerOrdersMixin, mixins.ListModelMixin, viewsets.GenericViewSet[Order]):
    pass


class StripeWebhookView(APIView):
    """Stripe's webhook: each event is checked against STRIPE_WEBHOOK_SECRET and acted on once."""

    authentication_classes: list[type[Any]] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list[type[Any]] = []  # Stripe's retries must never be turned away

    @extend_schema(
        summary="Stripe's webhook (for Stripe, not for clients)",
        description=(
            "Events signed with the endpoint's secret (Stripe-Signature header). Each event id is acted on once; "
            "events may come in any order and more than once. payment_intent.succeeded books the order's seats "
            "(or refunds the payment if they are gone), payment_intent.payment_failed records why, "
            "payment_intent.canceled ends the order."
        ),
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: WebhookAnswerSerializer, 400: ERROR_400, 404: ERROR_404, 413: ERROR_413, 503: ERROR_503},
        tags=["payments"],
    )
    def post(self, request: Request) -> Response:
        event = webhook.verified_event(request.body, request.headers.get("Stripe-Signature", ""))
        fresh = services.provider_event(provider="stripe", event_id=event.id, event_type=event.type, obj=event.obj)
        return Response({"received": True, "duplicate": not fresh})
