"""bookings' written-out SQL (core/tests/test_structure.py keeps it here).

The statements of the booking path and of a page of my-bookings. On this
project's 2-core machine Django spent 0.5 to 1.5 ms of CPU building and
compiling each ORM query there, more than PostgreSQL spent running it
(docs/performance.md); these are built from the models' metadata (core.db),
and each has a test that it reads what the ORM would.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from catalog.models import Movie, Screen, Show
from core.db import columns, db_value, execute, for_update, order_by, raw, scalar, table

from .models import CUSTOMER_STATUSES, NEWEST_FIRST, OCCUPYING, Booking, Hold


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def occupants(*, show_id: int, seat_numbers: Sequence[int]) -> list[Booking]:
    """The rows in the unique index for these seats of a show (booked, or held:
    lapsed holds too, for the caller to clear), in one query."""
    if not seat_numbers:
        return []
    sql = (
        f"SELECT {columns(Booking)} FROM {table(Booking)} WHERE show_id = %s"
        f" AND seat_number IN ({_placeholders(seat_numbers)}) AND status IN ({_placeholders(OCCUPYING)})"
    )
    return raw(Booking, sql, [show_id, *seat_numbers, *map(str, OCCUPYING)])


def book_held_rows(rows: Sequence[Booking], *, reference: uuid.UUID, now: datetime) -> None:
    """Turn held rows into booked ones of the purchase ``reference``, detached from their hold."""
    execute(
        f"UPDATE {table(Booking)} SET status = %s, hold_id = NULL, held_until = NULL, reference = %s,"
        f" changed_at = %s WHERE id IN ({_placeholders(rows)})",
        [
            str(Booking.Status.BOOKED),
            db_value(Booking, "reference", reference),
            db_value(Booking, "changed_at", now),
            *(row.pk for row in rows),
        ],
    )


def active_holds(*, user_id: int, show_id: int, now: datetime) -> list[Hold]:
    """The customer's holds of this show that have not lapsed, oldest first."""
    sql = (
        f"SELECT {columns(Hold)} FROM {table(Hold)}"
        " WHERE user_id = %s AND show_id = %s AND status = %s AND expires_at > %s ORDER BY id"
    )
    return raw(Hold, sql, [user_id, show_id, str(Hold.Status.ACTIVE), db_value(Hold, "expires_at", now)])


def show_of_hold(*, hold_id: int, user_id: int) -> int | None:
    """The show of the customer's hold, or None when they have no such hold."""
    show_id: int | None = scalar(
        f"SELECT show_id FROM {table(Hold)} WHERE id = %s AND user_id = %s", [hold_id, user_id]
    )
    return show_id


def hold_locked(hold_id: int) -> Hold:
    """The hold, its row locked until the transaction ends."""
    (hold,) = raw(Hold, f"SELECT {columns(Hold)} FROM {table(Hold)} WHERE id = %s{for_update()}", [hold_id])
    return hold


class CustomerBookings:
    """A customer's bookings (Booking.objects.of_customer, optionally of one
    status), newest first, as Django's Paginator takes them: ``count()`` and a
    slice, each one statement. The ORM spent about as much CPU building these
    two queries and twenty bookings with their show, movie and screen as the
    rest of the request (docs/performance.md). Each booking comes with its
    show, movie and screen as select_related().only() gives them: with what a
    booking's answer shows (SHOWN), the rest deferred and read on first use. A
    screen's layout and a show's prices are JSON that the driver decodes for
    every row, and whole, they cost a page of twenty a third more CPU; the
    booking's own unshown columns (its hold, code and change times) another
    tenth."""

    ordered = True  # Paginator checks

    def __init__(self, *, user_id: int, status: str | None = None) -> None:
        statuses = [status] if status is not None else CUSTOMER_STATUSES
        self._where = f"b.user_id = %s AND b.status IN ({_placeholders(statuses)})"
        self._params: list[Any] = [user_id, *map(str, statuses)]

    def count(self) -> int:
        found: int = scalar(f"SELECT COUNT(*) FROM {table(Booking)} b WHERE {self._where}", self._params)
        return found

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[Booking]:
        start, stop = page.start or 0, page.stop
        sql = (
            f"SELECT {columns(Booking, 'b', only=SHOWN[''])}, {columns(Show, 's', 'show', SHOWN['show'])},"
            f" {columns(Movie, 'm', 'show__movie', SHOWN['show__movie'])},"
            f" {columns(Screen, 'sc', 'show__screen', SHOWN['show__screen'])}"
            f" FROM {table(Booking)} b JOIN {table(Show)} s ON s.id = b.show_id"
            f" JOIN {table(Movie)} m ON m.id = s.movie_id JOIN {table(Screen)} sc ON sc.id = s.screen_id"
            f" WHERE {self._where} ORDER BY {order_by(Booking, NEWEST_FIRST, 'b')} LIMIT %s OFFSET %s"
        )
        return raw(Booking, sql, [*self._params, stop - start, start], joined=_SHOW_MOVIE_SCREEN)


_SHOW_MOVIE_SCREEN = {"show": Show, "show__movie": Movie, "show__screen": Screen}
# What a booking's answer reads (BookingSerializer) of the booking ("") and of
# its show, movie and screen.
SHOWN = {
    "": [
        "show",
        "seat_number",
        "status",
        "created_at",
        "cancelled_at",
        "seat_label",
        "ticket_type",
        "price",
        "currency",
        "reference",
    ],
    "show": ["date_time", "movie", "screen"],
    "show__movie": ["title"],
    "show__screen": ["name"],
}
