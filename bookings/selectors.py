from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from catalog.models import Show
from catalog.serializers import type_prices

from .models import Booking


def booking_list(*, user: User) -> QuerySet[Booking]:
    """A customer's bookings, newest first, with what the response shows of show and movie."""
    return Booking.objects.of_customer(user).select_related("show__movie", "show__screen")


def seat_map(*, show_id: int, user: User | None = None) -> dict[str, Any]:
    """The show's seats, free, booked and held, as lists and as a map: two queries, whatever the size.

    Seats of holds past their expiry are free. With ``user``, the seats that
    user booked or holds are marked ``mine``.
    """
    now = timezone.now()
    show = get_object_or_404(Show.objects.select_related("screen"), pk=show_id)
    occupied: dict[int | None, tuple[str, int | None]] = {
        seat: (status, owner)
        for seat, status, owner in Booking.objects.filter(Booking.occupying(now), show=show).values_list(
            "seat_number", "status", "user_id"
        )
    }
    plan = show.screen.plan
    rows: list[dict[str, Any]] = []
    for place in plan.places():
        if not rows or rows[-1]["row"] != place.row:
            rows.append({"row": place.row, "tier": place.tier, "price": show.price_of(place), "seats": []})
        status, owner = occupied.get(place.number, ("available", None))
        seat: dict[str, Any] = {
            "seat_number": place.number,
            "label": place.label,
            "status": "blocked" if place.number is None else status,
        }
        if user is not None and owner == user.pk:
            seat["mine"] = True
        rows[-1]["seats"].append(seat)
    return {
        "show": show.pk,
        "total_seats": plan.capacity,
        "available": [n for n in range(1, plan.capacity + 1) if n not in occupied],
        "booked": sorted(n for n, (status, _) in occupied.items() if status == Booking.Status.BOOKED),
        "held": sorted(n for n, (status, _) in occupied.items() if status == Booking.Status.HELD),
        "currency": settings.CURRENCY,
        "ticket_types": type_prices(show),
        "layout": rows,
    }
