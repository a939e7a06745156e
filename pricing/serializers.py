from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from catalog.models import Movie, Show, TicketType

from .models import RULES, WEEKDAYS, PromoCode
from .services import MAX_BATCH


class PromoRulesSerializer(serializers.ModelSerializer[PromoCode]):
    """What a code takes off, and the limits of where and how often."""

    movies = serializers.PrimaryKeyRelatedField(many=True, queryset=Movie.objects.all(), required=False)
    shows = serializers.PrimaryKeyRelatedField(many=True, queryset=Show.objects.all(), required=False)
    ticket_types = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=TicketType.objects.all(), required=False
    )
    weekdays = serializers.ListField(
        child=serializers.ChoiceField(choices=WEEKDAYS),
        required=False,
        max_length=7,
        help_text="Only for shows on these weekdays: 0 Monday to 6 Sunday.",
    )
    value = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="percent: the percentage (at most 100); amount: the amount off; free_seats: how many seats.",
    )

    class Meta:
        model = PromoCode
        fields = RULES

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("valid_from"), attrs.get("valid_until")
        if start is not None and end is not None and end <= start:
            raise serializers.ValidationError({"valid_until": ["Give a moment after valid_from."]})
        first, last = attrs.get("show_dates_from"), attrs.get("show_dates_until")
        if first is not None and last is not None and last < first:
            raise serializers.ValidationError({"show_dates_until": ["Give a day on or after show_dates_from."]})
        return attrs


class PromoCodeSerializer(PromoRulesSerializer):
    code = serializers.RegexField(
        r"^[A-Za-z0-9_-]{3,32}$",
        required=False,
        help_text="Letters, digits, - and _ (3 to 32); stored in capitals. Empty: one is made up.",
    )
    uses = serializers.IntegerField(read_only=True, help_text="Orders using it now (pending or paid).")

    class Meta(PromoRulesSerializer.Meta):
        fields = ["id", "code", *PromoRulesSerializer.Meta.fields, "batch", "uses", "created_at"]
        read_only_fields = ["id", "batch", "uses", "created_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {"code": {"validators": []}}  # the service says it is taken


class PromoBatchSerializer(PromoRulesSerializer):
    count = serializers.IntegerField(min_value=1, max_value=MAX_BATCH, help_text="How many codes to make.")
    prefix = serializers.CharField(
        required=False, allow_blank=True, max_length=12, default="", help_text="Letters and digits, e.g. XMAS."
    )
    batch = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        default="",
        help_text="A name to find them by (default: when they were made).",
    )

    class Meta(PromoRulesSerializer.Meta):
        fields = ["count", "prefix", "batch", *PromoRulesSerializer.Meta.fields]

    def validate_prefix(self, value: str) -> str:
        if not value.isascii() or not (value.isalnum() or value == ""):
            raise serializers.ValidationError("Letters and digits only.")
        return value


class PromoBatchAnswerSerializer(serializers.Serializer[Any]):
    batch = serializers.CharField()
    count = serializers.IntegerField()
    codes = serializers.ListField(child=serializers.CharField())
