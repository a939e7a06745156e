from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.serializers import HeldSeatSerializer
from catalog.layouts import normalize_label
from core.answers import answer_now
from pricing.models import PromoCode

from .models import Order
from .services import Checkout, Choice, refund_quote


class TicketChoiceSerializer(serializers.Serializer[Any]):
    """The ticket type of one seat of the hold, named by its label or its number."""

    seat_label = serializers.CharField(required=False, max_length=8, help_text="F7")
    seat_number = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    ticket_type = serializers.SlugField(max_length=20, help_text="A code from GET /ticket-types/, e.g. child.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("seat_label" in attrs) == ("seat_number" in attrs):
            raise serializers.ValidationError("Name the seat by seat_label or by seat_number.")
        if "seat_label" in attrs:
            label = normalize_label(attrs["seat_label"])
            if label is None:
                raise serializers.ValidationError(
                    {"seat_label": [f"{attrs['seat_label']!r} is not a seat label such as F7."]}
                )
            attrs["seat_label"] = label
        return attrs


class OrderCreateSerializer(serializers.Serializer[Any]):
    hold = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The id of the caller's active hold.")
    seats = TicketChoiceSerializer(
        many=True,
        required=False,
        max_length=100,  # type: ignore[call-arg]  # passed on to the ListSerializer, as DRF does
        help_text="A ticket type for some or all of the hold's seats; the others are sold as the default type.",
    )
    promo_code = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="A promo code or voucher; case does not matter."
    )

    def choices(self) -> list[Choice]:
        return [Choice(**entry) for entry in self.validated_data.get("seats", [])]


class OrderLineSerializer(HeldSeatSerializer):
    """One seat of an order: its ticket type, list price, discount, the price
    charged for it and its part of the booking fee."""

    ticket_type = serializers.CharField(default="", help_text="Who the ticket is for (GET /ticket-types/).")
    list_price = serializers.DecimalField(max_digits=8, decimal_places=2, source="list_price_or_price")
    discount = serializers.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.00"))
    fee = serializers.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0.00"), help_text="Its booking fee, when charged per ticket."
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        line = {"list_price_or_price": instance.get("list_price", instance["price"]), **instance}
        line.setdefault("ticket_type", settings.DEFAULT_TICKET_TYPE)
        return super().to_representation(line)


class RefundQuoteSerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    fee = serializers.DecimalField(max_digits=10, decimal_places=2)
    until = serializers.DateTimeField()


class OrderSerializer(serializers.ModelSerializer[Order]):
    status = serializers.SerializerMethodField(help_text="expired from the moment expires_at passes unpaid.")
    seats = OrderLineSerializer(many=True, read_only=True)
    subtotal = serializers.DecimalField(
        max_digits=10, decimal_places=2, read_only=True, help_text="The seats' list prices: the price before."
    )
    discount = serializers.DecimalField(
        max_digits=10, decimal_places=2, read_only=True, help_text="What the promo code took off."
    )
    booking_fee = serializers.DecimalField(
        max_digits=10, decimal_places=2, source="fee", read_only=True, help_text="Charged online only."
    )
    total = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        read_only=True,
        help_text="What is charged: the price after (subtotal - discount + booking_fee).",
    )
    promo_code: serializers.SlugRelatedField[PromoCode] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="The promo code or voucher used, or null."
    )
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
            "subtotal",
            "discount",
            "booking_fee",
            "total",
            "promo_code",
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
