from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .layouts import MAX_SEATS_IN_ROW, STANDARD, Seat, SeatPlan

MAX_DURATION_MINUTES = 600


class Genre(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Movie(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)]
    )
    genres = models.ManyToManyField(Genre, blank=True, related_name="movies")
    release_date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=50, blank=True)
    certificate = models.CharField(max_length=10, blank=True, help_text="Age rating, e.g. PG-13.")
    poster_url = models.URLField(blank=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["title"]), models.Index(fields=["release_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=MAX_DURATION_MINUTES),
                name="catalog_movie_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TicketType(models.Model):
    """Who a ticket is for (adult, child, senior, student): its code is what the
    API and the tickets say. The default type (settings.DEFAULT_TICKET_TYPE) is
    priced by a show's own price and tier prices; the others by the grids of
    ``ticket_prices`` on the screen (its default) and on the show."""

    code = models.SlugField(max_length=20, primary_key=True, help_text='What the API calls it, e.g. "child".')
    name = models.CharField(max_length=50)
    note = models.CharField(
        max_length=200, blank=True, help_text='Shown on the ticket and at the door, e.g. "ID required".'
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Where it comes in lists: lowest first.")

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


def default_ticket_type() -> str:
    return str(settings.DEFAULT_TICKET_TYPE)


# A type's prices by seat tier: {"standard": "5.00", "premium": "9.00"}.
TypePrices = dict[str, str]


class Screen(models.Model):
    """A hall with a seat layout (see catalog/layouts.py)."""

    name = models.CharField(max_length=100, unique=True)
    layout = models.JSONField(
        help_text='Rows front to back: [{"row": "A", "seats": 12, "blocked": [1], "tier": "premium"}]'
    )
    # Derived from the layout on every save; stored so that SQL can sum and
    # compare it (available seats, occupancy reports).
    capacity = models.PositiveIntegerField(editable=False)
    # The default prices of ticket types other than the default one, for every
    # show here that does not set its own: {"child": {"standard": "5.00"}}.
    # Stored on the screen (and on the show) rather than in a table of their
    # own, as tier_prices are, so that pricing a seat map or a hold reads no
    # more rows than the show and its screen (catalog.services.clean_ticket_prices).
    ticket_prices = models.JSONField(
        default=dict, blank=True, help_text='Default prices by ticket type and tier: {"child": {"standard": "5.00"}}.'
    )
    # Where best available seats a party: the best place to sit (catalog/seating.py).
    sweet_row = models.CharField(
        max_length=2, blank=True, help_text="The row of the best seats; empty: the middle row."
    )
    sweet_place = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SEATS_IN_ROW)],
        help_text="The place in that row; empty: the centre of each row.",
    )
    no_single_seats = models.BooleanField(
        default=False, help_text="Refuse choices of seats that leave a single free seat alone (docs/seating.md)."
    )
    # Seats of the screen no show sells online (a broken seat, a camera
    # position), with why: {"F7": "broken seat"}. On the screen rather than on
    # each show, so that every show, those scheduled later too, leaves them out
    # with no row written; staff still sell them at the box office.
    unsold_seats = models.JSONField(
        default=dict, blank=True, help_text='Seats not sold online in any show, with why: {"F7": "broken seat"}.'
    )
    # How many they are, kept with them on save, so that SQL can leave them out
    # of a show's available seats (catalog.selectors.show_queryset).
    unsold_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=models.Q(capacity__gte=1), name="catalog_screen_capacity")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        checked = SeatPlan(self.layout)  # ValidationError for a bad layout, whoever saves
        self.layout, self.capacity = checked.layout, checked.capacity
        self.unsold_count = len(self.unsold_seats or {})
        self.__dict__.pop("plan", None)
        super().save(*args, **kwargs)

    @cached_property
    def plan(self) -> SeatPlan:
        # Stored layouts were checked on save.
        return SeatPlan(self.layout, validate=False)


class Show(models.Model):
    """One screening of a movie in a screen, with its prices."""

    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="shows")
    screen = models.ForeignKey(Screen, on_delete=models.PROTECT, related_name="shows")
    date_time = models.DateTimeField(db_index=True)
    price = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    tier_prices = models.JSONField(
        default=dict, blank=True, help_text='Prices of the layout\'s other tiers, e.g. {"premium": "14.50"}.'
    )
    # The screen's ticket_prices changed for this show, cell by cell; a type
    # set to null is not sold for it (no child tickets after 20:00).
    ticket_prices = models.JSONField(
        default=dict,
        blank=True,
        help_text='Prices by type and tier over the screen\'s: {"child": {"standard": "6.00"}, "student": null}.',
    )
    # How many customers wait on the show's waiting list (waitlist), written
    # under the show's lock with the entries. It is on the row every sale
    # locks anyway, so a sale of a show nobody waits for asks nothing more.
    waiting = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["date_time", "id"]
        indexes = [models.Index(fields=["movie", "date_time"]), models.Index(fields=["screen", "date_time"])]
        constraints = [models.CheckConstraint(condition=models.Q(price__gte=0), name="catalog_show_price_positive")]

    def __str__(self) -> str:
        return f"{self.movie} at {self.date_time:%Y-%m-%d %H:%M} ({self.screen})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An edit of the show (the admin, the API) saves the row it read,
        # perhaps before the waiting list changed: only the waiting list's
        # own updates, which name the field, write ``waiting``.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields if not field.primary_key and field.name != "waiting"
            ]
        super().save(*args, **kwargs)

    @property
    def total_seats(self) -> int:
        return self.screen.capacity

    @property
    def screen_name(self) -> str:
        return self.screen.name

    @property
    def ends_at(self) -> datetime:
        """When the screen is free again: the movie plus the cleaning buffer."""
        return self.date_time + timedelta(minutes=self.movie.duration_minutes + settings.CLEANING_BUFFER_MINUTES)

    def price_of(self, seat: Seat) -> Decimal:
        """The seat's price for the default ticket type."""
        if seat.tier == STANDARD:
            return self.price
        return Decimal(self.tier_prices.get(seat.tier, self.price))

    def type_prices(self) -> dict[str, TypePrices]:
        """Every ticket type's prices by tier for this show: the default type's
        from price and tier_prices, the others' from the screen's grid with the
        show's own cells over it; a type without a price for a tier is not sold
        for that tier's seats. Reads the screen (select_related), nothing else."""
        tiers = sorted(self.screen.plan.tiers)
        default = {
            tier: str(self.price if tier == STANDARD else self.tier_prices.get(tier, self.price)) for tier in tiers
        }
        grid: dict[str, TypePrices] = {settings.DEFAULT_TICKET_TYPE: default}
        own: dict[str, TypePrices | None] = self.ticket_prices or {}
        for code, prices in (self.screen.ticket_prices or {}).items():
            if code in own and own[code] is None:
                continue
            grid[code] = {tier: price for tier, price in prices.items() if tier in tiers}
        for code, cells in own.items():
            if cells is not None:
                grid[code] = {**grid.get(code, {}), **{tier: p for tier, p in cells.items() if tier in tiers}}
        return {
            code: {tier: prices[tier] for tier in tiers if tier in prices} for code, prices in grid.items() if prices
        }
