from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.serializers import HeldSeatSerializer
from core.answers import answer_now

from .models import Order
from .services import Checkout, refund_quote


class OrderCreateSerializer(serializers.Serializer[Any]):
    hold = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The id of the caller's active hold.")


class RefundQuoteSerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    fee = serializers.DecimalField(max_digits=10, decimal_places=2)
    until = serializers.DateTimeField()


class OrderSerializer(serializers.ModelSerializer[Order]):
    status = serializers.SerializerMethodField(help_text="expired from the moment expires_at passes unpaid.")
    seats = HeldSeatSerializer(many=True, read_only=True)
    payment_status = serializers.ChoiceField(
        choices=[c for c in Order.IntentStatus.values if c],
        allow_null=True,
        source="payment_status_or_none",
        read_only=True,
        help_text=(
            "Where the online payment stands (null before POST /orders/{id}/pay/): requires_action means the "
            "customer must authenticate (3-D Secure); declined, that the card was refused (payment_error says "
            "why; pay again with another card); canceled, that it can no longer be paid."
        ),
    )
    payment_error = serializers.CharField(read_only=True, help_text="Why the last payment attempt failed, or empty.")
    amount_paid = serializers.SerializerMethodField(help_text="The money taken for this order.")
    amount_refunded = serializers.SerializerMethodField(help_text="The money given back, or on its way back.")
    refund_if_cancelled = serializers.SerializerMethodField(
        help_text="What cancelling now would refund (a paid order, before the cut-off); null when it would not."
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "show",
            "hold",
            "status",
            "seats",
            "total",
            "currency",
            "reference",
            "created_at",
            "expires_at",
            "paid_at",
            "payment_status",
            "payment_error",
            "amount_paid",
            "amount_refunded",
            "refund_if_cancelled",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Order.Status.choices))
    def get_status(self, order: Order) -> str:
        return order.state(answer_now(self))

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_amount_paid(self, order: Order) -> str:
        return str(sum((p.amount for p in order.payments.all()), Decimal("0.00")))

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_amount_refunded(self, order: Order) -> str:
        return str(sum((p.refunded for p in order.payments.all()), Decimal("0.00")))

    # Inline, not a component: OpenAPI 3.0 has no nullable reference.
    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "amount": {"type": "string", "format": "decimal", "description": "What would be refunded."},
                "fee": {"type": "string", "format": "decimal", "description": "What the cinema keeps (REFUND_FEE)."},
                "until": {
                    "type": "string",
                    "format": "date-time",
                    "description": "The last moment the order can be cancelled for a refund.",
                },
            },
            "required": ["amount", "fee", "until"],
        }
    )
    def get_refund_if_cancelled(self, order: Order) -> dict[str, Any] | None:
        quote = refund_quote(order, order.show.date_time, answer_now(self))
        return None if quote is None else dict(RefundQuoteSerializer(quote).data)


class CheckoutSerializer(serializers.Serializer[Any]):
    """What a client needs to take the customer through paying with Stripe: confirm
    the PaymentIntent with Stripe.js (stripe.confirmCardPayment(client_secret, ...))
    or a mobile SDK, with the publishable key; then follow the order
    (GET /orders/{id}/) until it is paid."""

    order = serializers.IntegerField(source="order.pk")
    provider = serializers.CharField(default="stripe")
    payment_intent = serializers.CharField(source="intent.ref")
    client_secret = serializers.CharField(source="intent.client_secret")
    publishable_key = serializers.SerializerMethodField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, source="intent.amount")
    currency = serializers.CharField(source="intent.currency")
    status = serializers.CharField(
        source="intent.status", help_text="Stripe's status of the PaymentIntent (requires_payment_method at first)."
    )

    def get_publishable_key(self, checkout: Checkout) -> str:
        return str(settings.STRIPE_PUBLISHABLE_KEY)


class WebhookAnswerSerializer(serializers.Serializer[Any]):
    received = serializers.BooleanField()
    duplicate = serializers.BooleanField(help_text="The event was acted on before; nothing changed.")
