from rest_framework import serializers

from .models import Booking


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else: not 5.0, "5", true or null."""

    default_error_messages = {"invalid": "Must be an integer."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class BookingCreateSerializer(serializers.Serializer):
    seat_number = StrictIntegerField(
        min_value=1,
        help_text="A seat from 1 to the show's total_seats.",
        error_messages={
            "invalid": "seat_number must be an integer from 1 to the show's total_seats.",
            "min_value": "seat_number must be an integer from 1 to the show's total_seats.",
            "required": "seat_number is required: an integer from 1 to the show's total_seats.",
            "null": "seat_number must be an integer from 1 to the show's total_seats.",
        },
    )


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
        ]
        read_only_fields = fields


class SeatMapSerializer(serializers.Serializer):
    show = serializers.IntegerField()
    total_seats = serializers.IntegerField()
    available = serializers.ListField(child=serializers.IntegerField())
    booked = serializers.ListField(child=serializers.IntegerField())
