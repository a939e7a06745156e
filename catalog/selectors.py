from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import Movie, Show

# Catalog does not import the bookings app; it counts taken seats through the
# reverse relation that Booking.show declares (related_name="bookings").
TAKEN_SEATS = Count("bookings", filter=Q(bookings__status="booked"))


def movie_queryset() -> QuerySet[Movie]:
    return Movie.objects.prefetch_related("genres")


def now_showing() -> Exists:
    return Exists(Show.objects.filter(movie=OuterRef("pk"), date_time__gte=timezone.now()))


def show_queryset() -> QuerySet[Show]:
    """Shows with their movie, screen and ``available_seats``, in one query."""
    return (
        Show.objects.select_related("movie", "screen")
        .annotate(available_seats=F("screen__capacity") - TAKEN_SEATS)
        # Meta.ordering does not apply to aggregated queries.
        .order_by("date_time", "id")
    )


def upcoming_shows() -> QuerySet[Show]:
    return show_queryset().filter(date_time__gte=timezone.now())
