from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from catalog.models import Movie, Screen, Show
from core.db import raw, table

from .models import Booking

SOLD_OR_CANCELLED = [Booking.Status.BOOKED, Booking.Status.CANCELLED]


def booking_list(*, user: User) -> QuerySet[Booking]:
    """A customer's bookings, newest first, with what the response shows of show and movie."""
    return (
        # Held rows belong to holds (/holds/), not to the customer's bookings.
        Booking.objects.filter(user=user, status__in=SOLD_OR_CANCELLED)
        .select_related("show__movie", "show__screen")
        .order_by("-created_at", "-id")
    )


class CustomerBookings:
    """booking_list's rows (optionally of one status) for one page of GET
    /my-bookings/, as Django's Paginator takes them: ``count()`` and a slice,
    each one written-out statement. The ORM spent about as much CPU building
    these two queries and twenty model instances with their show, movie and
    screen as the rest of the request (docs/performance.md). The bookings come
    with ``movie_title``, ``show_date_time`` and ``screen_name`` set, which is
    what BookingSerializer reads of their show."""

    ordered = True  # newest first, as booking_list (Paginator checks)

    def __init__(self, *, user: User, status: str | None = None) -> None:
        statuses = [status] if status is not None else SOLD_OR_CANCELLED
        self._where = f"b.user_id = %s AND b.status IN ({', '.join(['%s'] * len(statuses))})"
        self._params: list[Any] = [user.pk, *map(str, statuses)]

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table(Booking)} b WHERE {self._where}", self._params)
            return int(cursor.fetchone()[0])

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[Booking]:
        start, stop = page.start or 0, page.stop
        sql = (
            "SELECT b.id, b.show_id, b.seat_number, b.status, b.created_at, b.cancelled_at, b.seat_label,"
            " b.price, b.currency, b.reference,"
            " m.title AS movie_title, s.date_time AS show_date_time, sc.name AS screen_name"
            f" FROM {table(Booking)} b JOIN {table(Show)} s ON s.id = b.show_id"
            f" JOIN {table(Movie)} m ON m.id = s.movie_id JOIN {table(Screen)} sc ON sc.id = s.screen_id"
            f" WHERE {self._where} ORDER BY b.created_at DESC, b.id DESC LIMIT %s OFFSET %s"
        )
        return raw(Booking, sql, [*self._params, stop - start, start], related=_SHOW_COLUMNS)


_SHOW_COLUMNS = {"show_date_time": Show._meta.get_field("date_time")}


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
        "layout": rows,
    }
