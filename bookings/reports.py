"""Occupancy and revenue for staff, aggregated in the database (a fixed number of queries)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from catalog.models import Movie, Show

from .models import Booking, Hold

SOLD = Booking.sold(prefix="bookings__")
# Purchases that began as an offer of the waiting list (a hold's reference is its purchase's).
OFFERED = Hold.objects.filter(offered=True).values("reference")
BLOCKED = Q(bookings__status=Booking.Status.BLOCKED)
ZERO_MONEY = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def show_report(shows: QuerySet[Show]) -> QuerySet[Show]:
    """Each show with ``seats_sold``, ``revenue``, ``discounts``, the seats staff
    blocked (``seats_blocked``) and the seats sold through offers of the
    waiting list (``waiting_list_sold``): one query (a join and a GROUP BY)."""
    return (
        shows.select_related("movie", "screen")
        .annotate(
            seats_sold=Count("bookings", filter=SOLD),
            revenue=Coalesce(Sum("bookings__price", filter=SOLD), ZERO_MONEY),
            discounts=Coalesce(Sum("bookings__discount", filter=SOLD), ZERO_MONEY),
            seats_blocked=Count("bookings", filter=BLOCKED),
            waiting_list_sold=Count("bookings", filter=SOLD & Q(bookings__reference__in=OFFERED)),
        )
        .order_by("date_time", "id")
    )


def _per_movie(queryset: QuerySet[Show], expression: Aggregate) -> Subquery:
    """One number per movie from a queryset that has a ``movie`` to group by."""
    grouped = queryset.filter(movie=OuterRef("pk")).order_by().values("movie").annotate(value=expression)
    return Subquery(grouped.values("value"))


def movie_report(shows: QuerySet[Show]) -> QuerySet[Movie]:
    """Each movie with shows among ``shows``, with the totals of those shows.

    Subqueries rather than joins: joining shows and bookings at once would
    count a show's capacity once per booking.
    """
    sold = (
        Booking.objects.filter(show__in=shows.values("pk"), show__movie=OuterRef("pk"))
        .filter(Booking.sold())
        .order_by()
        .values("show__movie")
    )
    return (
        Movie.objects.filter(Exists(shows.filter(movie=OuterRef("pk"))))
        .annotate(
            shows_count=_per_movie(shows, Count("id")),
            capacity=_per_movie(shows, Sum("screen__capacity")),
            seats_sold=Coalesce(Subquery(sold.annotate(n=Count("id")).values("n")), 0, output_field=IntegerField()),
            revenue=Coalesce(Subquery(sold.annotate(total=Sum("price")).values("total")), ZERO_MONEY),
            discounts=Coalesce(Subquery(sold.annotate(total=Sum("discount")).values("total")), ZERO_MONEY),
            waiting_list_sold=Coalesce(
                Subquery(sold.filter(reference__in=OFFERED).annotate(n=Count("id")).values("n")),
                0,
                output_field=IntegerField(),
            ),
        )
        .order_by("title", "id")
    )


def ticket_type_report(shows: QuerySet[Show]) -> QuerySet[Any]:
    """Seats sold in ``shows`` per ticket type: revenue, what promo codes took off,
    and the list price before it; one query (a GROUP BY over the sold rows)."""
    return (
        Booking.objects.filter(Booking.sold(), show__in=shows.values("pk"))
        .values("ticket_type", "ticket_type__name")
        .annotate(
            seats_sold=Count("id"),
            revenue=Coalesce(Sum("price"), ZERO_MONEY),
            discounts=Coalesce(Sum("discount"), ZERO_MONEY),
        )
        .order_by("ticket_type__position", "ticket_type")
    )
