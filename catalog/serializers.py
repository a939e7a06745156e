from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import OptionalURLField

from .layouts import MAX_ROWS, MAX_SEATS_IN_ROW, grid
from .models import Genre, Movie, Screen, Show, TicketType

MAX_SEATS = MAX_ROWS * MAX_SEATS_IN_ROW


class GenreSerializer(serializers.ModelSerializer[Genre]):
    class Meta:
        model = Genre
        fields = ["slug", "name"]


class MovieSerializer(serializers.ModelSerializer[Movie]):
    poster_url = OptionalURLField(max_length=200, help_text="null when the movie has no poster.")
    genres = serializers.SlugRelatedField(
        many=True, slug_field="slug", queryset=Genre.objects.all(), required=False, help_text="Genre slugs."
    )

    class Meta:
        model = Movie
        fields = [
            "id",
            "title",
            "description",
            "duration_minutes",
            "genres",
            "release_date",
            "language",
            "certificate",
            "poster_url",
        ]


# JSON structures, typed for the schema (the services check them: catalog/layouts.py, clean_tier_prices).
LAYOUT_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_ROWS,
    "items": {
        "type": "object",
        "properties": {
            "row": {"type": "string", "pattern": "^[A-Z]{1,2}$", "description": "A, B ... Z, AA, AB ..."},
            "seats": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_SEATS_IN_ROW,
                "description": "Places in the row.",
            },
            "blocked": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1},
                "description": "Places that exist but are no seat (an aisle, a pillar): never sold.",
            },
            "wheelchair": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1},
                "description": "Wheelchair spaces (places that are no blocked place).",
            },
            "companion": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1},
                "description": "Companion seats, each beside a wheelchair space.",
            },
            "tier": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,19}$", "description": "Default: standard."},
        },
        "required": ["row", "seats"],
        "additionalProperties": False,
    },
}
TIER_PRICES_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "string", "format": "decimal", "pattern": r"^\d{1,6}(\.\d{1,2})?$"},
    "description": 'Prices of the layout\'s other tiers, e.g. {"premium": "14.50"}.',
}


TYPE_PRICES_SCHEMA = {"type": "object", "additionalProperties": TIER_PRICES_SCHEMA["additionalProperties"]}
SCREEN_TICKET_PRICES_SCHEMA = {
    "type": "object",
    "additionalProperties": TYPE_PRICES_SCHEMA,
    "description": 'Prices of ticket types other than the default, by tier: {"child": {"standard": "5.00"}}.',
}
SHOW_TICKET_PRICES_SCHEMA = {
    "type": "object",
    "additionalProperties": {**TYPE_PRICES_SCHEMA, "nullable": True},
    "description": (
        "The show's own prices of ticket types other than the default, by tier, over its screen's "
        '(cell by cell); null: that type is not sold for this show. {"child": {"standard": "6.00"}, "student": null}'
    ),
}


@extend_schema_field(SCREEN_TICKET_PRICES_SCHEMA)
class ScreenTicketPricesField(serializers.JSONField):
    pass


@extend_schema_field(SHOW_TICKET_PRICES_SCHEMA)
class ShowTicketPricesField(serializers.JSONField):
    pass


class TicketTypeSerializer(serializers.ModelSerializer[TicketType]):
    default = serializers.SerializerMethodField(
        method_name="is_default", help_text="Sold when the customer chooses no type."
    )

    class Meta:
        model = TicketType
        fields = ["code", "name", "note", "default"]

    def is_default(self, ticket_type: TicketType) -> bool:
        return bool(ticket_type.code == settings.DEFAULT_TICKET_TYPE)


class TypePricesSerializer(serializers.Serializer[Any]):
    """One ticket type sold for a show, and its price for each seat tier it is sold for."""

    ticket_type = serializers.CharField()
    prices = serializers.DictField(
        child=serializers.DecimalField(max_digits=8, decimal_places=2), help_text='By seat tier: {"standard": "5.00"}.'
    )


def type_prices(show: Show) -> list[dict[str, Any]]:
    return [{"ticket_type": code, "prices": prices} for code, prices in show.type_prices().items()]


@extend_schema_field(LAYOUT_SCHEMA)
class LayoutField(serializers.JSONField):
    pass


@extend_schema_field(TIER_PRICES_SCHEMA)
class TierPricesField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 100},
        "description": 'Seats no show sells online, by label, with why: {"F7": "broken seat"}.',
    }
)
class UnsoldSeatsField(serializers.JSONField):
    pass


class ScreenSerializer(serializers.ModelSerializer[Screen]):
    """A screen's layout, or for a plain rectangle just rows and seats_per_row."""

    layout = LayoutField(
        required=False,
        help_text='Rows front to back: [{"row": "A", "seats": 12, "blocked": [1, 12], "tier": "premium"}, ...]',
    )
    rows = serializers.IntegerField(write_only=True, required=False, min_value=1, max_value=MAX_ROWS)
    seats_per_row = serializers.IntegerField(write_only=True, required=False, min_value=1, max_value=MAX_SEATS_IN_ROW)
    ticket_prices = ScreenTicketPricesField(required=False)
    sweet_row = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2,
        help_text="The row best available seats parties nearest (a row of the layout); empty: the middle row.",
    )
    sweet_place = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_SEATS_IN_ROW,
        help_text="The place in that row; null: the centre of each row.",
    )
    unsold_seats = UnsoldSeatsField(required=False)

    class Meta:
        model = Screen
        fields = [
            "id",
            "name",
            "capacity",
            "layout",
            "rows",
            "seats_per_row",
            "ticket_prices",
            "sweet_row",
            "sweet_place",
            "no_single_seats",
            "unsold_seats",
        ]
        read_only_fields = ["capacity"]
        # Uniqueness is checked by the service, case and all.
        extra_kwargs: dict[str, dict[str, Any]] = {"name": {"validators": []}}

    def validate_sweet_row(self, value: str) -> str:
        return value.strip().upper()  # the service checks that the layout has it

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        rows, per_row = attrs.pop("rows", None), attrs.pop("seats_per_row", None)
        if (rows is None) != (per_row is None):
            raise serializers.ValidationError({"rows": ["Give rows and seats_per_row together."]})
        if rows is not None:
            if "layout" in attrs:
                raise serializers.ValidationError({"layout": ["Give a layout or rows and seats_per_row, not both."]})
            attrs["layout"] = grid(rows, per_row)
        if self.instance is None and "layout" not in attrs:
            raise serializers.ValidationError({"layout": ["Give a layout, or rows and seats_per_row."]})
        return attrs


class ShowSerializer(serializers.ModelSerializer[Show]):
    """A show. Its screen is ``screen`` (an id), or by the older form ``screen_name``
    (plus ``total_seats`` to create a screen of that size)."""

    movie_title = serializers.CharField(source="movie.title", read_only=True)
    screen = serializers.PrimaryKeyRelatedField(queryset=Screen.objects.all(), required=False)
    screen_name = serializers.CharField(required=False, max_length=100, help_text="The screen's name.")
    total_seats = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_SEATS, help_text="The screen's capacity (read-only in effect)."
    )
    available_seats = serializers.IntegerField(
        read_only=True, help_text="Seats that can still be had online: not booked, held or kept off sale."
    )
    price = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False, help_text="Price of a standard seat."
    )
    tier_prices = TierPricesField(required=False, help_text='Prices of other tiers, e.g. {"premium": "14.50"}.')
    ticket_prices = ShowTicketPricesField(required=False)
    ticket_types = serializers.SerializerMethodField(
        help_text="Every ticket type sold for this show (the default first) with its prices by tier."
    )
    currency = serializers.SerializerMethodField()

    class Meta:
        model = Show
        fields = [
            "id",
            "movie",
            "movie_title",
            "screen",
            "screen_name",
            "date_time",
            "total_seats",
            "available_seats",
            "price",
            "tier_prices",
            "ticket_prices",
            "ticket_types",
            "currency",
        ]

    @extend_schema_field(TypePricesSerializer(many=True))
    def get_ticket_types(self, show: Show) -> list[dict[str, Any]]:
        return type_prices(show)

    def get_currency(self, show: Show) -> str:
        return settings.CURRENCY

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            if "screen" not in attrs and "screen_name" not in attrs:
                raise serializers.ValidationError({"screen": ["Give screen (an id) or screen_name."]})
            attrs.setdefault("price", Decimal(settings.DEFAULT_TICKET_PRICE))
        screen = attrs.get("screen")
        if screen is not None and attrs.get("total_seats", screen.capacity) != screen.capacity:
            raise serializers.ValidationError(
                {"total_seats": [f"{screen.name} has {screen.capacity} seats; total_seats comes from the screen."]}
            )
        return attrs
