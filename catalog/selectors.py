from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from .models import Movie, Show


def _booking_model() -> Any:
    # Catalog does not import the bookings app: it reaches Booking, and its one
    # definition of what occupies a seat, through Show.bookings (typed Any for
    # the same reason).
    return Show.bookings.rel.related_model


def occupied_seat_count() -> Count:
    """Per show: seats occupied now (booked, or held by a hold that has not lapsed)."""
    return Count("bookings", filter=_booking_model().occupying(timezone.now(), prefix="bookings__"))


def sold_filter() -> Q:
    """Across Show.bookings: the rows that count as sold."""
    sold: Q = _booking_model().sold(prefix="bookings__")
    return sold


def movie_queryset() -> QuerySet[Movie]:
    return Movie.objects.prefetch_related("genres")


def now_showing() -> Exists:
    return Exists(Show.objects.filter(movie=OuterRef("pk"), date_time__gte=timezone.now()))


def show_queryset() -> QuerySet[Show]:
    """Shows with their movie, screen and ``available_seats``, in one query."""
    return (
        Show.objects.select_related("movie", "screen")
        # Greatest: a seat the screen keeps off sale that staff sold anyway is counted twice.
        .annotate(
            available_seats=Greatest(
                F("screen__capacity") - F("screen__unsold_count") - occupied_seat_count(), Value(0)
            )
        )
        # Meta.ordering does not apply to aggregated queries.
        .order_by("date_time", "id")
    )


def upcoming_shows() -> QuerySet[Show]:
    return show_queryset().filter(date_time__gte=timezone.now())
