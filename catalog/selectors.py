from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import Movie, Show


def taken_seats() -> Count:
    """Seats sold or held by a hold that has not expired, counted per show.

    Catalog does not import the bookings app; it counts through the reverse
    relation that Booking.show declares (related_name="bookings").
    """
    held = Q(bookings__status="held", bookings__held_until__gt=timezone.now())
    return Count("bookings", filter=Q(bookings__status="booked") | held)


def movie_queryset() -> QuerySet[Movie]:
    return Movie.objects.prefetch_related("genres")


def now_showing() -> Exists:
    return Exists(Show.objects.filter(movie=OuterRef("pk"), date_time__gte=timezone.now()))


def show_queryset() -> QuerySet[Show]:
    """Shows with their movie, screen and ``available_seats``, in one query."""
    return (
        Show.objects.select_related("movie", "screen")
        .annotate(available_seats=F("screen__capacity") - taken_seats())
        # Meta.ordering does not apply to aggregated queries.
        .order_by("date_time", "id")
    )


def upcoming_shows() -> QuerySet[Show]:
    return show_queryset().filter(date_time__gte=timezone.now())
