"""Promo codes and vouchers: what they take off an order and when they may be used."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from catalog.models import Movie, Show, TicketType


class PromoKind(models.TextChoices):
    PERCENT = "percent", "a percentage off each seat it applies to"
    AMOUNT = "amount", "a fixed amount off the order"
    FREE_SEATS = "free_seats", "seats made free (the dearest it applies to)"


# A code's rules, as staff set them in the admin and the API: what it takes off and its limits.
RULES = [
    "kind",
    "value",
    "active",
    "valid_from",
    "valid_until",
    "movies",
    "shows",
    "show_dates_from",
    "show_dates_until",
    "weekdays",
    "ticket_types",
    "min_seats",
    "max_uses",
    "max_uses_per_customer",
]
WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class PromoCode(models.Model):
    """A code a customer gives when ordering. ``value`` is the percentage, the
    amount, or the number of seats made free. Every limit left empty does not
    limit. A voucher is a code of one use (``max_uses`` 1), usually one of a
    batch made at once (pricing.services.promo_batch_create).

    Its uses are the orders that name it and still count: pending and not
    expired, or paid (also in part refunded); a cancelled, expired or refunded
    order gives its use back without anything being written
    (pricing.services.uses_of)."""

    Kind = PromoKind

    code = models.CharField(max_length=32, unique=True, help_text="What the customer types; case does not matter.")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    active = models.BooleanField(default=True)
    valid_from = models.DateTimeField(null=True, blank=True, help_text="Usable from then on (empty: now).")
    valid_until = models.DateTimeField(null=True, blank=True, help_text="Usable until then (empty: no end).")
    movies = models.ManyToManyField(Movie, blank=True, related_name="+", help_text="Only for these movies.")
    shows = models.ManyToManyField(Show, blank=True, related_name="+", help_text="Only for these shows.")
    show_dates_from = models.DateField(null=True, blank=True, help_text="Only for shows on or after this day.")
    show_dates_until = models.DateField(null=True, blank=True, help_text="Only for shows on or before this day.")
    weekdays = models.JSONField(default=list, blank=True, help_text="Only for shows on these weekdays (0 Monday).")
    ticket_types = models.ManyToManyField(
        TicketType, blank=True, related_name="+", help_text="Only for seats of these types."
    )
    min_seats = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Only for orders of at least this many seats.",
    )
    max_uses = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10_000_000)], help_text="Uses in all (empty: no limit)."
    )
    max_uses_per_customer = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10_000_000)], help_text="Uses by one customer."
    )
    batch = models.CharField(max_length=64, blank=True, db_index=True, help_text="The batch it was made in, if any.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=PromoKind.values), name="promo_kind"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="promo_value_positive"),
            models.CheckConstraint(
                condition=~models.Q(kind=PromoKind.PERCENT) | models.Q(value__lte=100), name="promo_percent_at_most_100"
            ),
            models.CheckConstraint(condition=models.Q(min_seats__gte=1), name="promo_min_seats"),
            models.CheckConstraint(condition=models.Q(code=Upper("code")), name="promo_code_upper"),
        ]

    def __str__(self) -> str:
        return self.code
