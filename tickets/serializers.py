from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from bookings.codes import display_code
from bookings.models import Booking
from bookings.serializers import BOOKING_STATUSES, StrictIntegerField
from core.answers import Answer
from core.fields import iso_datetime

from . import signing
from .answers import CheckInBody
from .models import CheckIn


class TicketSerializer(serializers.ModelSerializer[Booking]):
    """One seat's ticket, as the customer shows it at the door."""

    ticket = serializers.IntegerField(source="pk", help_text="The ticket's id: the booking's id.")
    code = serializers.SerializerMethodField(help_text="What a clerk types: case and dashes do not matter.")
    qr = serializers.SerializerMethodField(
        help_text="What the QR code holds: signed, so a door device can check it offline (GET /tickets/keys/)."
    )
    ticket_type = serializers.CharField(
        source="ticket_type_id", help_text="Who the ticket is for (GET /ticket-types/): the door checks it."
    )
    movie_title = serializers.CharField(source="show.movie.title")
    show_date_time = serializers.DateTimeField(source="show.date_time")
    screen_name = serializers.CharField(source="show.screen.name")
    status = serializers.ChoiceField(choices=BOOKING_STATUSES, help_text="A cancelled ticket is refused at the door.")
    checked_in_at = serializers.DateTimeField(allow_null=True, help_text="When it was used at the door, or null.")

    class Meta:
        model = Booking
        fields = [
            "ticket",
            "code",
            "qr",
            "movie_title",
            "show",
            "show_date_time",
            "screen_name",
            "seat_label",
            "seat_number",
            "ticket_type",
            "status",
            "checked_in_at",
            "reference",
        ]
        read_only_fields = fields

    def get_code(self, booking: Booking) -> str:
        return display_code(booking.code)

    def get_qr(self, booking: Booking) -> str:
        return signing.sign(signing.Claims(ticket=booking.pk, show=booking.show_id, seat=booking.seat_label))


class PurchaseTicketsSerializer(serializers.Serializer[Any]):
    reference = serializers.UUIDField()
    tickets = TicketSerializer(many=True)


class TicketKeySerializer(serializers.Serializer[Any]):
    """A public key as a JSON Web Key (RFC 8037)."""

    kty = serializers.ChoiceField(choices=["OKP"])
    crv = serializers.ChoiceField(choices=["Ed25519"])
    alg = serializers.ChoiceField(choices=["EdDSA"])
    use = serializers.ChoiceField(choices=["sig"])
    kid = serializers.CharField(help_text="The key id a QR payload names (its second part).")
    x = serializers.CharField(help_text="The public key, base64url without padding.")


class TicketKeysSerializer(serializers.Serializer[Any]):
    current = serializers.CharField(help_text="The id of the key new tickets are signed with.")
    keys = TicketKeySerializer(many=True, help_text="Every key a valid ticket may be signed with.")

    @classmethod
    def listed(cls) -> TicketKeysSerializer:
        jwk = {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig"}
        keys = [{**jwk, "kid": kid, "x": signing.public_key_text(key)} for kid, key in signing.public_keys().items()]
        return cls({"current": signing.current_key_id(), "keys": keys})


class TextField(serializers.CharField):
    """A JSON string and nothing else: a number is not a ticket code."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CheckInCreateSerializer(serializers.Serializer[Any]):
    code = TextField(
        max_length=512, help_text="The ticket's code as typed (e.g. K7F3QX-9M2HAB-4CDE5F), or its QR code's content."
    )
    show = StrictIntegerField(
        min_value=1, required=False, help_text="The show this scanner admits to: a ticket for another is refused."
    )
    scanned_at = serializers.DateTimeField(
        required=False, help_text="When an offline scanner scanned the ticket (uploading later); default: now."
    )
    device = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="The scanner's id, as it names itself."
    )

    def validate_scanned_at(self, value: datetime) -> datetime:
        if value > timezone.now() + timedelta(seconds=settings.CHECK_IN_CLOCK_SKEW_SECONDS):
            raise serializers.ValidationError("scanned_at is in the future: check the scanner's clock.")
        return value


class CheckInSerializer(Answer, serializers.ModelSerializer[CheckIn]):
    ticket = serializers.IntegerField(source="booking_id")
    seat_label = serializers.CharField(source="booking.seat_label")
    seat_number = serializers.IntegerField(source="booking.seat_number")
    show = serializers.IntegerField(source="booking.show_id")
    movie_title = serializers.CharField(source="booking.show.movie.title")
    checked_in_at = serializers.DateTimeField(source="scanned_at")
    checked_in_by = serializers.CharField(source="by.username")

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "ticket",
            "seat_label",
            "seat_number",
            "show",
            "movie_title",
            "checked_in_at",
            "checked_in_by",
            "device",
            "recorded_at",
        ]
        read_only_fields = fields

    shape = CheckInBody

    def build(self, check_in: CheckIn) -> CheckInBody:
        # Written out, as BookingSerializer's: building this ModelSerializer's
        # fields for every scan was a tenth of a check-in's CPU.
        zone = timezone.get_current_timezone()
        booking = check_in.booking
        return {
            "id": check_in.pk,
            "ticket": check_in.booking_id,
            "seat_label": booking.seat_label,
            "seat_number": booking.seat_number,
            "show": booking.show_id,
            "movie_title": booking.show.movie.title,
            "checked_in_at": iso_datetime(check_in.scanned_at, zone),
            "checked_in_by": check_in.by.username,
            "device": check_in.device,
            "recorded_at": iso_datetime(check_in.recorded_at, zone),
        }


class CheckInListQuerySerializer(serializers.Serializer[Any]):
    since = serializers.DateTimeField(
        required=False, help_text="Only tickets changed since then: send the previous answer's next_since."
    )


class CheckInListEntrySerializer(serializers.Serializer[Any]):
    ticket = serializers.IntegerField(source="pk")
    code_sha256 = serializers.SerializerMethodField(
        help_text="SHA-256 (hex) of the stored code (upper case, no dashes), to check a typed code offline."
    )
    seat_label = serializers.CharField()
    seat_number = serializers.IntegerField()
    ticket_type = serializers.CharField(
        source="ticket_type_id", help_text="Who it is for: what the door checks is in GET /ticket-types/ (note)."
    )
    status = serializers.ChoiceField(choices=BOOKING_STATUSES)
    checked_in_at = serializers.DateTimeField(allow_null=True)

    def get_code_sha256(self, booking: Booking) -> str:
        return hashlib.sha256(booking.code.encode()).hexdigest()


class CheckInListSerializer(serializers.Serializer[Any]):
    show = serializers.IntegerField()
    next_since = serializers.DateTimeField(
        help_text="Send as ?since= next time. A little before this answer, so a ticket may come twice; never missed."
    )
    tickets = CheckInListEntrySerializer(many=True)


class CheckInSummarySerializer(serializers.Serializer[Any]):
    show = serializers.IntegerField()
    sold = serializers.IntegerField()
    checked_in = serializers.IntegerField()
    remaining = serializers.IntegerField(help_text="Sold tickets not yet used.")
