from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.serializers import HeldSeatSerializer
from core.answers import answer_now

from .models import Order


class OrderCreateSerializer(serializers.Serializer[Any]):
    hold = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The id of the caller's active hold.")


class OrderSerializer(serializers.ModelSerializer[Order]):
    status = serializers.SerializerMethodField(help_text="expired from the moment expires_at passes unpaid.")
    seats = HeldSeatSerializer(many=True, read_only=True)

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
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Order.Status.choices))
    def get_status(self, order: Order) -> str:
        return order.state(answer_now(self))
