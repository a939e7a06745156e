from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.serializers import StrictIntegerField
from core.answers import answer_now

from .models import Entry


class WaitingListJoinSerializer(serializers.Serializer[Any]):
    seats = StrictIntegerField(min_value=1, help_text="How many seats together to wait for (1 to HOLD_MAX_SEATS).")

    def validate_seats(self, value: int) -> int:
        if value > settings.HOLD_MAX_SEATS:
            raise serializers.ValidationError(f"Give 1 to {settings.HOLD_MAX_SEATS} seats.")
        return value


# The offer, written out: a nullable nested serializer becomes allOf + nullable
# in OpenAPI 3.0, which validators read as never null.
OFFER_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "The seats offered: a hold of the customer's, confirmed or ordered as any hold.",
    "properties": {
        "hold": {"type": "integer"},
        "seat_labels": {"type": "array", "items": {"type": "string"}},
        "expires_at": {"type": "string", "format": "date-time"},
    },
    "required": ["hold", "seat_labels", "expires_at"],
}


class WaitingListEntrySerializer(serializers.ModelSerializer[Entry]):
    movie_title = serializers.CharField(source="show.movie.title")
    date_time = serializers.DateTimeField(source="show.date_time")
    status = serializers.SerializerMethodField(help_text="offered until the offer's hold ends, then how it ended.")
    position = serializers.SerializerMethodField(help_text="Place in the queue (1: next); null once not waiting.")
    offer = serializers.SerializerMethodField(help_text="The seats held for the customer, once offered.")

    class Meta:
        model = Entry
        fields = ["id", "show", "movie_title", "date_time", "seats", "status", "position", "created_at", "offer"]
        read_only_fields = fields

    def now(self) -> datetime:
        return answer_now(self)

    @extend_schema_field(serializers.ChoiceField(choices=Entry.Status.choices))
    def get_status(self, entry: Entry) -> str:
        return entry.state(self.now())

    def get_position(self, entry: Entry) -> int | None:
        if entry.status != Entry.Status.WAITING:
            return None
        ahead = getattr(entry, "ahead", None)
        if ahead is None:
            from .services import entry_position

            return entry_position(entry)
        return int(ahead) + 1

    @extend_schema_field(OFFER_SCHEMA)
    def get_offer(self, entry: Entry) -> dict[str, Any] | None:
        hold = entry.hold
        if hold is None:
            return None
        return {
            "hold": hold.pk,
            "seat_labels": [seat["label"] for seat in hold.seats],
            "expires_at": serializers.DateTimeField().to_representation(hold.expires_at),
        }
