from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.layouts import KINDS, TIER, normalize_label
from catalog.models import Show
from catalog.serializers import TypePricesSerializer
from core.answers import Answer, answer_now
from core.fields import iso_datetime

from .answers import BookingBody, HoldBody, PurchaseBody
from .models import CUSTOMER_STATUSES, Booking, Hold


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else: not 5.0, "5", true or null."""

    default_error_messages = {"invalid": "Must be an integer."}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


SEAT_RANGE = "an integer from 1 to the show's total_seats"


class BookingCreateSerializer(serializers.Serializer[Any]):
    """One of ``seat_number`` (one seat), ``seat_numbers`` or ``seat_labels`` (several, all or nothing)."""

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
    seat_labels = serializers.ListField(
        child=serializers.CharField(max_length=12, trim_whitespace=False),
        required=False,
        help_text='Seats by their labels on the seat map, e.g. ["F7", "F8"]; case and spaces do not matter.',
    )

    FORMS = ("seat_number", "seat_numbers", "seat_labels")
    LIMIT = "BOOKING_MAX_SEATS"  # the setting with the most seats one request may take

    def check_count(self, value: list[Any]) -> None:
        limit = getattr(settings, self.LIMIT)
        if not 1 <= len(value) <= limit:
            raise serializers.ValidationError(f"Give 1 to {limit} seats.")
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each seat may appear only once.")

    def validate_seat_numbers(self, value: list[int]) -> list[int]:
        self.check_count(value)
        return value

    def validate_seat_labels(self, value: list[str]) -> list[str]:
        labels = [normalize_label(text) for text in value]
        bad = [text for text, label in zip(value, labels, strict=True) if label is None]
        if bad:
            raise serializers.ValidationError(
                f"Not a seat label: {', '.join(map(repr, bad))}. A label is a row and a place, e.g. F7."
            )
        clean = [label for label in labels if label is not None]
        self.check_count(clean)
        return clean

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in self.FORMS if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"seat_number": [f"Give exactly one of seat_number ({SEAT_RANGE}), seat_numbers or seat_labels."]}
            )
        (field,) = given
        if field == "seat_number":
            return {"field": field, "seat_numbers": [attrs[field]], "seat_labels": [], "single": True}
        if field == "seat_numbers":
            return {"field": field, "seat_numbers": attrs[field], "seat_labels": [], "single": False}
        return {"field": field, "seat_numbers": [], "seat_labels": attrs[field], "single": False}


# Held rows belong to holds and never reach a booking or a ticket: the closed set a client sees.
BOOKING_STATUSES = [(status, status.value) for status in CUSTOMER_STATUSES]


EMAIL_QUEUED_HELP = "Whether a confirmation e-mail is on its way: false when the account has no e-mail address."


# How BookingSerializer formats prices: as its declared field does (DRF's
# default for the type; prices are stored with 2 places). Times: iso_datetime.
_PRICE = serializers.DecimalField(max_digits=8, decimal_places=2)
_TOTAL = serializers.DecimalField(max_digits=10, decimal_places=2)


class BookingSerializer(Answer, serializers.ModelSerializer[Booking]):
    shape = BookingBody

    status = serializers.ChoiceField(choices=BOOKING_STATUSES, read_only=True)
    email_queued = serializers.BooleanField(read_only=True, required=False, help_text=EMAIL_QUEUED_HELP)
    movie_title = serializers.CharField(source="show.movie.title", read_only=True)
    show_date_time = serializers.DateTimeField(source="show.date_time", read_only=True)
    screen_name = serializers.CharField(source="show.screen.name", read_only=True)
    ticket_type = serializers.CharField(
        source="ticket_type_id",
        read_only=True,
        help_text="Who the ticket is for (GET /ticket-types/): the door checks it.",
    )

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
            "seat_label",
            "ticket_type",
            "price",
            "currency",
            "reference",
            "email_queued",
        ]
        read_only_fields = fields

    @cached_property
    def _zone(self) -> tzinfo:
        # Looked up once per answer (a list shares its child serializer).
        return timezone.get_current_timezone()

    def build(self, booking: Booking) -> BookingBody:
        # Written out, this is about three times faster than the generic field
        # walk for the same output: my-bookings serializes 20 of these a page.
        # The fields declared above still describe the shape (and the schema);
        # prices are formatted by a module-level field, because reaching
        # self.fields makes DRF build (deep-copy) every field for each answer.
        zone, cancelled_at = self._zone, booking.cancelled_at
        show = booking.show
        data: BookingBody = {
            "id": booking.pk,
            "show": booking.show_id,
            "seat_number": booking.seat_number,
            "status": booking.status,
            "created_at": iso_datetime(booking.created_at, zone),
            "cancelled_at": None if cancelled_at is None else iso_datetime(cancelled_at, zone),
            "movie_title": show.movie.title,
            "show_date_time": iso_datetime(show.date_time, zone),
            "screen_name": show.screen.name,
            "seat_label": booking.seat_label,
            "ticket_type": str(booking.ticket_type_id),
            "price": _PRICE.to_representation(booking.price),
            "currency": booking.currency,
            "reference": str(booking.reference),
        }
        if "email_queued" in self.context:
            data["email_queued"] = self.context["email_queued"]
        return data


class PurchaseSerializer(Answer, serializers.Serializer[Any]):
    """The answer to a multi-seat booking: every booking made, under one reference."""

    reference = serializers.UUIDField(help_text="Shared by every booking of this purchase.")
    show = serializers.IntegerField()
    seat_numbers = serializers.ListField(child=serializers.IntegerField())
    seat_labels = serializers.ListField(child=serializers.CharField())
    total = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="Sum of the bookings' prices.")
    currency = serializers.CharField()
    bookings = BookingSerializer(many=True)
    email_queued = serializers.BooleanField(help_text=EMAIL_QUEUED_HELP)

    shape = PurchaseBody

    def build(self, purchase: dict[str, Any]) -> PurchaseBody:
        # Written out, as BookingSerializer's (whose answers it nests).
        answer = BookingSerializer(context=self.context)
        bookings = [answer.build(booking) for booking in purchase["bookings"]]
        return {
            "reference": str(purchase["reference"]),
            "show": purchase["show"],
            "seat_numbers": purchase["seat_numbers"],
            "seat_labels": purchase["seat_labels"],
            "total": _TOTAL.to_representation(purchase["total"]),
            "currency": purchase["currency"],
            "bookings": bookings,
            "email_queued": purchase["email_queued"],
        }

    @classmethod
    def of(cls, bookings: list[Booking], *, email_queued: bool) -> PurchaseSerializer:
        first = bookings[0]
        return cls(
            {
                "reference": first.reference,
                "show": first.show_id,
                "seat_numbers": [b.seat_number for b in bookings],
                "seat_labels": [b.seat_label for b in bookings],
                "total": sum(b.price for b in bookings),
                "currency": first.currency,
                "bookings": bookings,
                "email_queued": email_queued,
            }
        )


class SeatSerializer(serializers.Serializer[Any]):
    may_be_absent = ("mine",)  # only on the caller's own seats (core/schema.py)

    seat_number = serializers.IntegerField(allow_null=True, help_text="null for a blocked place (no seat to sell).")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named "label" shadows Field.label
    status = serializers.ChoiceField(
        choices=["available", "booked", "held", "unavailable", "blocked"],
        help_text="held: on hold during someone's checkout; unavailable: not sold online (staff keep it); "
        "blocked: a place of the layout that is no seat (an aisle).",
    )
    kind = serializers.ChoiceField(
        choices=list(KINDS),
        help_text="wheelchair: a wheelchair space; companion: the seat beside one, for a companion.",
    )
    mine = serializers.BooleanField(
        required=False, help_text="Present (true) on the seats the caller booked or holds, when a token is sent."
    )


class SweetSpotSerializer(serializers.Serializer[Any]):
    row = serializers.CharField()
    place = serializers.IntegerField(allow_null=True, help_text="null: the centre of each row.")


class SeatRowSerializer(serializers.Serializer[Any]):
    row = serializers.CharField()
    tier = serializers.CharField()
    price = serializers.DecimalField(max_digits=8, decimal_places=2)
    seats = SeatSerializer(many=True)


class SeatMapSerializer(serializers.Serializer[Any]):
    show = serializers.IntegerField()
    total_seats = serializers.IntegerField()
    available = serializers.ListField(child=serializers.IntegerField())
    booked = serializers.ListField(child=serializers.IntegerField())
    held = serializers.ListField(child=serializers.IntegerField(), help_text="Seats on hold: not bookable now.")
    unavailable = serializers.ListField(
        child=serializers.IntegerField(), help_text="Seats staff keep off sale (blocked for the show or the screen)."
    )
    currency = serializers.CharField()
    ticket_types = TypePricesSerializer(
        many=True, help_text="The ticket types sold for this show (the default first), with their prices by tier."
    )
    sweet_spot = SweetSpotSerializer(help_text="Where best available seats a party from.")
    no_single_seats = serializers.BooleanField(
        help_text="Whether choices that leave a single seat alone are refused (409 strands_seat)."
    )
    layout = SeatRowSerializer(many=True, help_text="Rows front to back, each with its places in order.")


class ReportRowSerializer(serializers.Serializer[Any]):
    """A report row: who it is about, then seats sold against capacity, and money."""

    seats_sold = serializers.IntegerField()
    occupancy = serializers.SerializerMethodField(help_text="Seats sold as a percentage of capacity.")
    revenue = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="What the seats sold for.")
    discounts = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="What promo codes took off those seats' list prices."
    )
    currency = serializers.SerializerMethodField()
    waiting_list_sold = serializers.IntegerField(
        help_text="Of the seats sold, those sold through offers of the waiting list."
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # The row's own fields (who it is about, capacity) first, then the sales.
        fields = super().get_fields()
        shared = ["seats_sold", "occupancy", "revenue", "discounts", "currency", "waiting_list_sold"]
        return {name: fields[name] for name in [*(n for n in fields if n not in shared), *shared]}

    def get_occupancy(self, row: Any) -> float:
        capacity = self.fields["capacity"].get_attribute(row)
        return round(100 * row.seats_sold / capacity, 1) if capacity else 0.0

    def get_currency(self, row: Any) -> str:
        return settings.CURRENCY


class ShowReportSerializer(ReportRowSerializer):
    show = serializers.IntegerField(source="pk")
    movie = serializers.IntegerField(source="movie_id")
    movie_title = serializers.CharField(source="movie.title")
    screen_name = serializers.CharField(source="screen.name")
    date_time = serializers.DateTimeField()
    capacity = serializers.IntegerField(source="screen.capacity")
    seats_blocked = serializers.IntegerField(help_text="Seats staff blocked for this show (house seats, a camera).")
    seats_unsold = serializers.SerializerMethodField(help_text="Seats the screen keeps off sale (a broken seat).")
    sellable = serializers.SerializerMethodField(help_text="Capacity less the blocked and unsold seats.")

    def get_seats_unsold(self, show: Show) -> int:
        return len(show.screen.unsold_seats or {})

    def get_sellable(self, show: Any) -> int:
        return max(0, int(show.screen.capacity) - int(show.seats_blocked) - self.get_seats_unsold(show))


class MovieReportSerializer(ReportRowSerializer):
    movie = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    shows = serializers.IntegerField(source="shows_count")
    capacity = serializers.IntegerField(help_text="Seats of all its shows.")


class TicketTypeReportSerializer(serializers.Serializer[Any]):
    """Seats sold of one ticket type: what they sold for, and the discounts given."""

    ticket_type = serializers.CharField()
    name = serializers.CharField(source="ticket_type__name")
    seats_sold = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="What the seats sold for.")
    discounts = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="What promo codes took off.")
    currency = serializers.SerializerMethodField()

    def get_currency(self, row: Any) -> str:
        return settings.CURRENCY


class HoldCreateSerializer(BookingCreateSerializer):
    """The seats to hold, in any of the booking forms (1 to HOLD_MAX_SEATS), or
    ``party``: that many seats, the best available (docs/seating.md)."""

    LIMIT = "HOLD_MAX_SEATS"
    PARTY_OPTIONS = ("tier", "ticket_types", "wheelchair")

    party = StrictIntegerField(
        min_value=1,
        max_value=100,
        required=False,
        help_text="Best available: hold this many seats together, nearest the screen's sweet spot "
        "(1 to HOLD_MAX_SEATS), instead of naming them.",
    )
    tier = serializers.RegexField(
        TIER.pattern, max_length=20, required=False, help_text="With party: only seats of this tier."
    )
    ticket_types = serializers.ListField(
        child=serializers.SlugField(max_length=20),
        required=False,
        max_length=100,
        help_text="With party: who the tickets are for; only seats of a tier where each of them is sold.",
    )
    wheelchair = serializers.BooleanField(
        required=False, help_text="With party: the seats include a wheelchair space (with its companion seats)."
    )

    def validate_party(self, value: int) -> int:
        if value > settings.HOLD_MAX_SEATS:
            raise serializers.ValidationError(f"Give 1 to {settings.HOLD_MAX_SEATS} seats.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        options = {name: attrs.pop(name) for name in self.PARTY_OPTIONS if name in attrs}
        party = attrs.pop("party", None)
        if party is None:
            if options:
                raise serializers.ValidationError({next(iter(options)): ["Only with party (best available)."]})
            return super().validate(attrs)
        if any(name in attrs for name in self.FORMS):
            raise serializers.ValidationError({"party": ["Give party or the seats, not both."]})
        return {
            "field": "party",
            "seat_numbers": [],
            "seat_labels": [],
            "single": False,
            "party": party,
            "tier": options.get("tier"),
            "ticket_types": options.get("ticket_types", []),
            "wheelchair": options.get("wheelchair", False),
        }


class HeldSeatSerializer(serializers.Serializer[Any]):
    seat_number = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named "label" shadows Field.label
    price = serializers.DecimalField(max_digits=8, decimal_places=2, help_text="The price quoted for this seat.")


class HoldSerializer(Answer, serializers.ModelSerializer[Hold]):
    status = serializers.SerializerMethodField(help_text="expired from the exact moment expires_at passes.")
    seats = HeldSeatSerializer(many=True)
    seat_numbers = serializers.SerializerMethodField()
    seat_labels = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    currency = serializers.SerializerMethodField()
    seconds_remaining = serializers.SerializerMethodField(help_text="0 once the hold is no longer active.")

    class Meta:
        model = Hold
        fields = [
            "id",
            "show",
            "status",
            "seats",
            "seat_numbers",
            "seat_labels",
            "total",
            "currency",
            "created_at",
            "expires_at",
            "seconds_remaining",
            "extended",
            "offered",
            "reference",
        ]
        read_only_fields = fields

    def now(self) -> datetime:
        return answer_now(self)

    @extend_schema_field(serializers.ChoiceField(choices=Hold.Status.choices))
    def get_status(self, hold: Hold) -> str:
        return hold.state(self.now())

    def get_seat_numbers(self, hold: Hold) -> list[int]:
        return [seat["seat_number"] for seat in hold.seats]

    def get_seat_labels(self, hold: Hold) -> list[str]:
        return [seat["label"] for seat in hold.seats]

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_total(self, hold: Hold) -> str:
        return str(sum((Decimal(seat["price"]) for seat in hold.seats), Decimal("0.00")))

    def get_currency(self, hold: Hold) -> str:
        return settings.CURRENCY

    def get_seconds_remaining(self, hold: Hold) -> int:
        if hold.state(self.now()) != Hold.Status.ACTIVE:
            return 0
        return int((hold.expires_at - self.now()).total_seconds())

    @cached_property
    def _zone(self) -> tzinfo:
        return timezone.get_current_timezone()

    shape = HoldBody

    def build(self, hold: Hold) -> HoldBody:
        # Written out, as BookingSerializer's: the methods above still define
        # each value (and the schema); the generic walk over nine method fields
        # and a nested list was a tenth of a hold's CPU.
        zone = self._zone
        seats = hold.seats
        return {
            "id": hold.pk,
            "show": hold.show_id,
            "status": self.get_status(hold),
            "seats": [
                {
                    "seat_number": seat["seat_number"],
                    "label": seat["label"],
                    "price": _PRICE.to_representation(seat["price"]),
                }
                for seat in seats
            ],
            "seat_numbers": self.get_seat_numbers(hold),
            "seat_labels": self.get_seat_labels(hold),
            "total": self.get_total(hold),
            "currency": self.get_currency(hold),
            "created_at": iso_datetime(hold.created_at, zone),
            "expires_at": iso_datetime(hold.expires_at, zone),
            "seconds_remaining": self.get_seconds_remaining(hold),
            "extended": hold.extended,
            "offered": hold.offered,
            "reference": str(hold.reference),
        }


class SeatBlockCreateSerializer(BookingCreateSerializer):
    """Seats of a show to keep off sale (staff), in any of the booking forms, and why."""

    LIMIT = "SEAT_BLOCK_MAX_SEATS"

    reason = serializers.CharField(
        max_length=100, help_text='Why, e.g. "house seats" or "camera position": staff see it.'
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        reason = attrs.pop("reason")
        return {**super().validate(attrs), "reason": reason}


class SeatBlockReleaseSerializer(BookingCreateSerializer):
    """Blocked seats of a show to put back on sale (staff)."""

    LIMIT = "SEAT_BLOCK_MAX_SEATS"


class SeatBlockSerializer(serializers.ModelSerializer[Booking]):
    label = serializers.CharField(source="seat_label")  # type: ignore[assignment]  # shadows Field.label
    reason = serializers.CharField(source="block_reason")
    blocked_by = serializers.CharField(source="user.username")
    blocked_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Booking
        fields = ["seat_number", "label", "reason", "blocked_by", "blocked_at"]
        read_only_fields = fields


class SeatsReleasedSerializer(serializers.Serializer[Any]):
    released = serializers.IntegerField(help_text="How many of the seats were blocked (and are on sale again).")
