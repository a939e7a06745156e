from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from catalog.models import Show

from .models import Booking


def booking_list(*, user: User) -> QuerySet[Booking]:
    """A customer's bookings, newest first, with what the response shows of show and movie."""
    return Booking.objects.filter(user=user).select_related("show__movie").order_by("-created_at", "-id")


def seat_map(*, show_id: int) -> dict:
    """Which seats of a show are free and which are taken: two queries, whatever the size."""
    show = get_object_or_404(Show.objects.only("id", "total_seats"), pk=show_id)
    booked = set(Booking.objects.filter(show=show, status__in=Booking.OCCUPYING).values_list("seat_number", flat=True))
    return {
        "show": show.pk,
        "total_seats": show.total_seats,
        "available": [n for n in range(1, show.total_seats + 1) if n not in booked],
        "booked": sorted(booked),
    }
