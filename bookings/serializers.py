from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from .models import Booking


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else: not 5.0, "5", true or null."""

    default_error_messages = {"invalid": "Must be an integer."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


SEAT_RANGE = "an integer from 1 to the show's total_seats"


class BookingCreateSerializer(serializers.Serializer):
    """Either ``seat_number`` (one seat) or ``seat_numbers`` (several, all or nothing)."""

    seat_number = StrictIntegerField(
        min_value=1,
        required=False,
        help_text="One seat: an integer from 1 to the show's total_seats.",
        error_messages={
            "invalid": f"seat_number must be {SEAT_RANGE}.",
            "min_value": f"seat_number must be {SEAT_RANGE}.",
            "null": f"seat_number must be {SEAT_RANGE}.",
        },
    )
    seat_numbers = serializers.ListField(
        child=StrictIntegerField(min_value=1, error_messages={"invalid": f"Each seat must be {SEAT_RANGE}."}),
        required=False,
        help_text="Several seats, booked together or not at all (1 to BOOKING_MAX_SEATS, no duplicates).",
    )

    def validate_seat_numbers(self, value: list[int]) -> list[int]:
        limit = settings.BOOKING_MAX_SEATS
        if not 1 <= len(value) <= limit:
            raise serializers.ValidationError(f"Give 1 to {limit} seats.")
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each seat may appear only once.")
        return value

    def validate(self, attrs: dict) -> dict:
        if ("seat_number" in attrs) == ("seat_numbers" in attrs):
            raise serializers.ValidationError(
                {"seat_number": [f"Give seat_number ({SEAT_RANGE}) or seat_numbers (a list of them), not both."]}
            )
        if "seat_number" in attrs:
            return {"field": "seat_number", "seats": [attrs["seat_number"]], "single": True}
        return {"field": "seat_numbers", "seats": attrs["seat_numbers"], "single": False}


class BookingSerializer(serializers.ModelSerializer):
    movie_title = serializers.CharField(source="show.movie.title", read_only=True)
    show_date_time = serializers.DateTimeField(source="show.date_time", read_only=True)
    screen_name = serializers.CharField(source="show.screen_name", read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "show",
            "seat_number",
            "status",
            "created_at",
            "cancelled_at",
            "movie_title",
            "show_date_time",
            "screen_name",
            "reference",
        ]
        read_only_fields = fields


class PurchaseSerializer(serializers.Serializer):
    """The answer to a multi-seat booking: every booking made, under one reference."""

    reference = serializers.UUIDField(help_text="Shared by every booking of this purchase.")
    show = serializers.IntegerField()
    seat_numbers = serializers.ListField(child=serializers.IntegerField())
    bookings = BookingSerializer(many=True)

    @classmethod
    def of(cls, bookings: list) -> PurchaseSerializer:
        first = bookings[0]
        return cls(
            {
                "reference": first.reference,
                "show": first.show_id,
                "seat_numbers": [b.seat_number for b in bookings],
                "bookings": bookings,
            }
        )


class SeatMapSerializer(serializers.Serializer):
    show = serializers.IntegerField()
    total_seats = serializers.IntegerField()
    available = serializers.ListField(child=serializers.IntegerField())
    booked = serializers.ListField(child=serializers.IntegerField())
