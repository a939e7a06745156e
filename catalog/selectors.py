from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from .models import Show

# Catalog does not import the bookings app; it counts taken seats through the
# reverse relation that Booking.show declares (related_name="bookings").
TAKEN_SEATS = Count("bookings", filter=Q(bookings__status="booked"))


def show_queryset() -> QuerySet[Show]:
    """Shows with their movie and ``available_seats``, in one query."""
    return (
        Show.objects.select_related("movie")
        .annotate(available_seats=F("total_seats") - TAKEN_SEATS)
        # Meta.ordering does not apply to aggregated queries.
        .order_by("date_time", "id")
    )


def upcoming_shows() -> QuerySet[Show]:
    return show_queryset().filter(date_time__gte=timezone.now())
