from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from catalog import seating
from catalog.models import Show
from catalog.serializers import type_prices

from .models import Booking


def booking_list(*, user: User) -> QuerySet[Booking]:
    """A customer's bookings, newest first, with what the response shows of show and movie."""
    return Booking.objects.of_customer(user).select_related("show__movie", "show__screen")


def seat_blocks(*, show_id: int) -> QuerySet[Booking]:
    """The seats staff blocked for a show, in seat order, with who blocked them."""
    get_object_or_404(Show, pk=show_id)
    return (
        Booking.objects.filter(show_id=show_id, status=Booking.Status.BLOCKED)
        .select_related("user")
        .order_by("seat_number")
    )


def seat_map(*, show_id: int, user: User | None = None) -> dict[str, Any]:
    """The show's seats, free, booked, held and not for sale, as lists and as a
    map with each seat's kind and the screen's sweet spot: two queries, whatever the size.

    Seats of holds past their expiry are free. Seats staff blocked for the show
    and the screen's unsold seats are ``unavailable``. With ``user``, the seats
    that user booked or holds are marked ``mine``.
    """
    now = timezone.now()
    show = get_object_or_404(Show.objects.select_related("screen"), pk=show_id)
    screen, plan = show.screen, show.screen.plan
    occupied: dict[int | None, tuple[str, int | None]] = {
        seat: ("unavailable" if status == Booking.Status.BLOCKED else status, owner)
        for seat, status, owner in Booking.objects.filter(Booking.occupying(now), show=show).values_list(
            "seat_number", "status", "user_id"
        )
    }
    for number in map(plan.number_of, screen.unsold_seats or {}):
        occupied.setdefault(number, ("unavailable", None))
    rows: list[dict[str, Any]] = []
    for place in plan.places():
        if not rows or rows[-1]["row"] != place.row:
            rows.append({"row": place.row, "tier": place.tier, "price": show.price_of(place), "seats": []})
        status, owner = occupied.get(place.number, ("available", None))
        seat: dict[str, Any] = {
            "seat_number": place.number,
            "label": place.label,
            "status": "blocked" if place.number is None else status,
            "kind": place.kind,
        }
        if user is not None and owner == user.pk:
            seat["mine"] = True
        rows[-1]["seats"].append(seat)
    spot = seating.sweet_spot(plan, screen.sweet_row or None, screen.sweet_place)

    def numbers(status: str) -> list[int]:
        return sorted(n for n, (s, _) in occupied.items() if s == status and n is not None)

    return {
        "show": show.pk,
        "total_seats": plan.capacity,
        "available": [n for n in range(1, plan.capacity + 1) if n not in occupied],
        "booked": numbers(Booking.Status.BOOKED),
        "held": numbers(Booking.Status.HELD),
        "unavailable": numbers("unavailable"),
        "currency": settings.CURRENCY,
        "ticket_types": type_prices(show),
        "sweet_spot": {
            "row": plan.layout[spot.row]["row"],
            "place": int(spot.place) if spot.place is not None else None,
        },
        "no_single_seats": screen.no_single_seats,
        "layout": rows,
    }
