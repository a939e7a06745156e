"""Checking tickets in at the door, and undoing it.

A check-in locks its ticket's booking row (never the show: the doors must not
queue behind a booking rush), so two scans of one ticket, at one door or two,
are one after the other; the partial unique index on CheckIn is the last word.
Cancelling locks the same row (bookings.services.booking_cancel), so a ticket
is either cancelled or used, never both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from bookings.codes import normalize_code
from bookings.models import Booking
from catalog.queries import show_with_movie_and_screen
from core.db import after_commit, insert, lock_wait_bounded
from core.events import log_event
from core.exceptions import Busy, NotFound
from webhooks.services import event_emit

from . import queries, signing
from .exceptions import (
    AlreadyCheckedIn,
    CheckedInCannotBeCancelled,
    CheckInNotActive,
    ShowOver,
    TicketCancelled,
    TooEarly,
    UndoTooLate,
    WrongShow,
)
from .models import CheckIn


def _ticket_lookup(text: str) -> dict[str, Any] | None:
    """The columns that identify the ticket a scanned or typed code names: its id
    and show, or its stored code; None when the text can be no ticket.

    A signed QR payload that does not verify is refused here (InvalidTicket,
    400): it was not issued by us. A typed code is matched in its stored form.
    """
    if signing.looks_signed(text):
        claims = signing.verify(text)
        return {"id": claims.ticket, "show_id": claims.show}
    code = normalize_code(text)
    return {"code": code} if code is not None else None


def ticket_by_code(text: str) -> QuerySet[Booking]:
    """The ticket a scanned or typed code names, as a query (empty when none does)."""
    lookup = _ticket_lookup(text)
    tickets = Booking.objects.tickets()
    return tickets.filter(**lookup) if lookup is not None else tickets.none()


def _locked_ticket(lookup: dict[str, Any] | None) -> Booking | None:
    """The ticket's row, locked until the transaction ends, with its show, movie
    and screen."""
    if lookup is None:
        return None
    booking = queries.ticket_locked(lookup)
    if booking is not None:
        show = show_with_movie_and_screen(booking.show_id)
        assert show is not None  # a booking's show can not be deleted while it has bookings (PROTECT)
        booking.show = show
    return booking


def _active_check_in(booking: Booking) -> CheckIn | None:
    return queries.active_check_in(booking.pk)


@dataclass
class Outcome:
    check_in: CheckIn
    refusal: AlreadyCheckedIn | None = None


def check_in_create(
    *, code: str, by: User, show_id: int | None = None, scanned_at: datetime | None = None, device: str = ""
) -> CheckIn:
    """Let the holder of ``code`` in: record the ticket as used, once.

    ``code`` is the typed code or the QR payload; ``show_id`` the show a
    scanner is bound to; ``scanned_at`` the time of an offline scan being
    uploaded (the server's time otherwise): the door's rules are applied at
    that time. Raises NotFound, InvalidTicket, WrongShow, TicketCancelled,
    AlreadyCheckedIn, TooEarly or ShowOver. When an uploaded offline scan is
    earlier than the check-in on record, it becomes the record (the earliest
    scan wins) and the upload is still answered AlreadyCheckedIn, with both
    times: there is one successful check-in per ticket.
    """
    lookup = _ticket_lookup(code)
    now = timezone.now()
    try:
        outcome = _check_in(
            lookup,
            by=by,
            show_id=show_id,
            scanned_at=scanned_at or now,
            offline=scanned_at is not None,
            device=device,
            now=now,
        )
    except IntegrityError as exc:
        # Only reachable if the row lock was bypassed; the unique index still holds.
        active = CheckIn.objects.select_related("by").get(booking__in=ticket_by_code(code), ended_at__isnull=True)
        raise _already(active, scanned_at or now) from exc
    if outcome.refusal is not None:
        raise outcome.refusal
    return outcome.check_in


def _check_in(
    lookup: dict[str, Any] | None,
    *,
    by: User,
    show_id: int | None,
    scanned_at: datetime,
    offline: bool,
    device: str,
    now: datetime,
) -> Outcome:
    def busy() -> Busy:
        log_event("lock_timeout", level=logging.WARNING, action="check_in", user_id=by.pk)
        return Busy("This ticket is being changed right now; nothing changed. Scan it again in a moment.")

    with transaction.atomic(), lock_wait_bounded(busy):
        booking = _locked_ticket(lookup)
        if booking is None:
            raise NotFound("No ticket has this code.")
        show = booking.show
        if show_id is not None and show_id != show.pk:
            raise WrongShow(
                f"This ticket is for {show.movie.title} at {timezone.localtime(show.date_time):%Y-%m-%d %H:%M} "
                f"in {show.screen.name}, not for this show.",
                ticket=booking.pk,
                ticket_show=show.pk,
                movie_title=show.movie.title,
                show_date_time=show.date_time,
                screen_name=show.screen.name,
            )
        if booking.status == Booking.Status.CANCELLED:
            raise TicketCancelled("This ticket was cancelled; it does not admit anyone.", ticket=booking.pk)
        active = _active_check_in(booking)
        if active is not None:
            # Only an uploaded offline scan can predate the record: a live scan
            # is later than any check-in it finds, whatever the clocks of two
            # requests racing for the row say.
            if not offline or scanned_at >= active.scanned_at:
                return Outcome(active, _already(active, scanned_at))
            # An offline device's earlier scan: it becomes the record.
            active.ended_at, active.ended_by, active.end_reason = now, by, CheckIn.EndReason.EARLIER_SCAN
            active.save(update_fields=["ended_at", "ended_by", "end_reason"])
            earlier = _record(booking, by=by, scanned_at=scanned_at, device=device, now=now)
            return Outcome(earlier, _already(earlier, active.scanned_at))
        opens = show.date_time - timedelta(minutes=settings.CHECK_IN_OPENS_MINUTES)
        if scanned_at < opens:
            raise TooEarly(
                f"Check-in for this show opens at {timezone.localtime(opens):%H:%M}.", ticket=booking.pk, opens_at=opens
            )
        movie_ends = show.date_time + timedelta(minutes=show.movie.duration_minutes)
        if scanned_at > movie_ends:
            raise ShowOver("This show is over.", ticket=booking.pk, ended_at=movie_ends)
        return Outcome(_record(booking, by=by, scanned_at=scanned_at, device=device, now=now))


def _record(booking: Booking, *, by: User, scanned_at: datetime, device: str, now: datetime) -> CheckIn:
    (check_in,) = insert([CheckIn(booking=booking, scanned_at=scanned_at, recorded_at=now, by=by, device=device)])
    _changed(booking, now)
    event_emit(
        event_type="checkin.created",
        data={
            "check_in": check_in.pk,
            "ticket": booking.pk,
            "show": booking.show_id,
            "seat_label": booking.seat_label,
            "checked_in_at": scanned_at,
            "device": device,
        },
    )
    after_commit(
        lambda: log_event(
            "checked_in",
            check_in_id=check_in.pk,
            ticket=booking.pk,
            show_id=booking.show_id,
            by_user_id=by.pk,
            device=device,
            scanned_at=scanned_at.isoformat(),
        )
    )
    return check_in


def _changed(booking: Booking, now: datetime) -> None:
    """Door scanners syncing with ?since= must see this ticket again."""
    Booking.objects.filter(pk=booking.pk).update(changed_at=now)
    booking.changed_at = now


def _already(active: CheckIn, scanned_at: datetime) -> AlreadyCheckedIn:
    return AlreadyCheckedIn(
        f"This ticket was already checked in at {timezone.localtime(active.scanned_at):%H:%M:%S} "
        f"by {active.by.get_username()}.",
        ticket=active.booking_id,
        check_in=active.pk,
        checked_in_at=active.scanned_at,
        checked_in_by=active.by.get_username(),
        device=active.device,
        scanned_at=scanned_at,
    )


def check_in_undo(*, check_in_id: int, by: User) -> CheckIn:
    """Undo a mistaken check-in: the ticket can be checked in again.

    Door staff may undo one for CHECK_IN_UNDO_MINUTES after it was recorded
    (UndoTooLate after that), staff at any time. The row stays, ended, with
    who undid it and when.
    """
    booking_id = CheckIn.objects.filter(pk=check_in_id).values_list("booking_id", flat=True).first()
    if booking_id is None:
        raise NotFound("Check-in not found.")
    now = timezone.now()
    with transaction.atomic():
        # The booking's row first, as a check-in and a cancel take it.
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        check_in = CheckIn.objects.get(pk=check_in_id)
        if check_in.ended_at is not None:
            raise CheckInNotActive(
                f"This check-in was already ended ({check_in.get_end_reason_display()}).", ended_at=check_in.ended_at
            )
        window = timedelta(minutes=settings.CHECK_IN_UNDO_MINUTES)
        if not by.is_staff and now - check_in.recorded_at > window:
            raise UndoTooLate(
                f"Door staff can undo a check-in for {settings.CHECK_IN_UNDO_MINUTES} minutes; ask a member of staff."
            )
        check_in.ended_at, check_in.ended_by, check_in.end_reason = now, by, CheckIn.EndReason.UNDONE
        check_in.save(update_fields=["ended_at", "ended_by", "end_reason"])
        _changed(booking, now)
        after_commit(
            lambda: log_event(
                "check_in_undone", check_in_id=check_in.pk, ticket=booking_id, by_user_id=by.pk, by_staff=by.is_staff
            )
        )
    return check_in


def refuse_cancel_if_checked_in(booking: Booking) -> None:
    """A ticket used at the door can not be cancelled (run by booking_cancel, with the row locked)."""
    active = CheckIn.objects.filter(booking=booking, ended_at__isnull=True).first()
    if active is not None:
        raise CheckedInCannotBeCancelled(
            f"This ticket was used at the door at {timezone.localtime(active.scanned_at):%H:%M}; "
            "it can no longer be cancelled.",
            checked_in_at=active.scanned_at,
        )
