from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from catalog.models import Show

from .models import CheckIn


def with_check_in(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """Each ticket with the time of its check-in (None if it has not been used): no query per row."""
    active = CheckIn.objects.filter(booking=OuterRef("pk"), ended_at__isnull=True)
    return bookings.annotate(checked_in_at=Subquery(active.values("scanned_at")[:1]))


def ticket_list(*, user: User, booking_id: int | None = None, reference: uuid.UUID | None = None) -> QuerySet[Booking]:
    """A customer's tickets (sold or cancelled seats; held seats have none), with what a ticket shows."""
    tickets = Booking.objects.tickets().filter(user=user).select_related("show__movie", "show__screen")
    if booking_id is not None:
        tickets = tickets.filter(pk=booking_id)
    if reference is not None:
        tickets = tickets.filter(reference=reference)
    return with_check_in(tickets).order_by("seat_number", "id")


def check_in_list(*, show_id: int, since: datetime | None = None) -> dict[str, Any]:
    """What a door scanner keeps to work offline: every ticket of the show
    (cancelled ones too, so that they are refused), or those changed since."""
    # Read before the query, and a little earlier still: a change committed
    # just after the query may carry a time from just before it.
    next_since = timezone.now() - timedelta(seconds=settings.CHECK_IN_SYNC_OVERLAP_SECONDS)
    show = get_object_or_404(Show, pk=show_id)
    tickets = Booking.objects.tickets().filter(show=show)
    if since is not None:
        tickets = tickets.filter(changed_at__gte=since)
    rows = with_check_in(tickets).order_by("seat_number", "id")
    return {"show": show.pk, "next_since": next_since, "tickets": list(rows)}


def check_in_summary(*, show_id: int) -> dict[str, int]:
    """Sold, checked in and still to come for a show, in one query."""
    show = get_object_or_404(Show, pk=show_id)
    counts = Booking.objects.filter(Booking.sold(), show=show).aggregate(
        sold=Count("id", distinct=True), checked_in=Count("check_ins", filter=Q(check_ins__ended_at__isnull=True))
    )
    return {"show": show.pk, **counts, "remaining": counts["sold"] - counts["checked_in"]}
