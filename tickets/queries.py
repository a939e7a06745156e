"""tickets' written-out SQL (core/tests/test_structure.py keeps it here).

A check-in's reads, built from the models' metadata (core.db): built by the
ORM, the ticket's read alone took over a quarter of a check-in's CPU
(docs/performance.md).
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from bookings.models import CUSTOMER_STATUSES, Booking
from core.db import columns, for_update, raw, table

from .models import CheckIn


def ticket_locked(lookup: dict[str, Any]) -> Booking | None:
    """The ticket (a row in CUSTOMER_STATUSES) whose columns equal ``lookup``,
    its row locked until the transaction ends; None when there is none."""
    quote = connection.ops.quote_name
    where = " AND ".join(f"{quote(column)} = %s" for column in lookup)
    statuses = ", ".join(["%s"] * len(CUSTOMER_STATUSES))
    sql = f"SELECT {columns(Booking)} FROM {table(Booking)} WHERE {where} AND status IN ({statuses}){for_update()}"
    return next(iter(raw(Booking, sql, [*lookup.values(), *map(str, CUSTOMER_STATUSES)])), None)


def active_check_in(booking_id: int) -> CheckIn | None:
    """The ticket's check-in that has not been undone, if any."""
    sql = f"SELECT {columns(CheckIn)} FROM {table(CheckIn)} WHERE booking_id = %s AND ended_at IS NULL"
    return next(iter(raw(CheckIn, sql, [booking_id])), None)
