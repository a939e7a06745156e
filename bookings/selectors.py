from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from catalog.models import Show

from .models import Booking


def booking_list(*, user: User) -> QuerySet[Booking]:
    """A customer's bookings, newest first, with what the response shows of show and movie."""
    return (
        Booking.objects.filter(user=user).select_related("show__movie", "show__screen").order_by("-created_at", "-id")
    )


def seat_map(*, show_id: int) -> dict:
    """The show's seats, free and taken, as lists and as a map: two queries, whatever the size."""
    show = get_object_or_404(Show.objects.select_related("screen"), pk=show_id)
    booked = set(Booking.objects.filter(show=show, status__in=Booking.OCCUPYING).values_list("seat_number", flat=True))
    plan = show.screen.plan
    rows = []
    for place in plan.places():
        if not rows or rows[-1]["row"] != place.row:
            rows.append({"row": place.row, "tier": place.tier, "price": show.price_of(place), "seats": []})
        status = "blocked" if place.number is None else "booked" if place.number in booked else "available"
        rows[-1]["seats"].append({"seat_number": place.number, "label": place.label, "status": status})
    return {
        "show": show.pk,
        "total_seats": plan.capacity,
        "available": [n for n in range(1, plan.capacity + 1) if n not in booked],
        "booked": sorted(booked),
        "currency": settings.CURRENCY,
        "layout": rows,
    }
