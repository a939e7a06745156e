from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from catalog import seating
from catalog.layouts import Seat, SeatPlan
from catalog.models import Show
from catalog.queries import show_with_movie_and_screen
from core.db import after_commit, insert, lock_wait_bounded, update
from core.events import log_event
from core.exceptions import FieldError, NotFound
from core.httpcache import bump
from outbox.services import message_enqueue
from webhooks.services import event_emit, subscriptions

from . import queries
from .exceptions import (
    BookingNotActive,
    CompanionSeat,
    HoldLimit,
    HoldNotActive,
    NoSeatsTogether,
    PaymentRequired,
    SeatNotForSale,
    SeatsChanged,
    SeatTaken,
    ShowBusy,
    ShowStarted,
    StrandsSeat,
    UnknownSeats,
)
from .models import ONE_OCCUPANT_PER_SEAT, Booking, Hold

# The customer's e-mails (rendered by tickets.emails): written to the outbox in
# the transaction that sells or cancels, so one exists exactly when it committed.
CONFIRMED = "booking_confirmed"
CANCELLED = "booking_cancelled"


@dataclass(frozen=True)
class Sale:
    """What a sale made: its bookings, by seat, and whether a confirmation e-mail
    was queued (not when the customer has no address)."""

    bookings: list[Booking]
    email_queued: bool


def _confirm_by_email(user: User, reference: uuid.UUID, receipt: dict[str, str] | None = None) -> bool:
    """Queue the purchase's confirmation; False when there is nobody to write to.
    ``receipt``: how it was paid (amount, currency, method, paid_at), for the receipt's lines."""
    data: dict[str, Any] = {"reference": str(reference)}
    if receipt is not None:
        data["paid"] = receipt
    message = message_enqueue(kind=CONFIRMED, key=f"{CONFIRMED}:{reference}", recipient=user.email, data=data)
    return message is not None


def _tell_of_sale(
    event_type: str, bookings: list[Booking], show: Show, listeners: dict[str, list[Any]] | None = None, **extra: Any
) -> None:
    """The webhook events of a sale: the sale itself, and the show selling out if it just did.
    ``listeners``: subscriptions() when the caller read them already."""
    listeners = subscriptions() if listeners is None else listeners
    first = bookings[0]
    sale = {
        "reference": first.reference,
        "show": show.pk,
        "customer": first.user_id,
        "bookings": [b.pk for b in bookings],
        "seat_numbers": [b.seat_number for b in bookings],
        "seat_labels": [b.seat_label for b in bookings],
        "total": sum(b.price for b in bookings),
        "currency": first.currency,
        **extra,
    }
    event_emit(event_type=event_type, data=sale, endpoints=listeners.get(event_type, []))
    sold_out_listeners = listeners.get("show.sold_out", [])
    capacity = show.screen.plan.capacity
    if sold_out_listeners and Booking.objects.filter(Booking.sold(), show=show).count() >= capacity:
        event_emit(
            event_type="show.sold_out", data={"show": show.pk, "capacity": capacity}, endpoints=sold_out_listeners
        )


def occupants_freeing_lapsed(*, show: Show, seat_numbers: Sequence[int], now: datetime) -> list[Booking]:
    """The availability check: the rows occupying any of these seats, in one query.

    Held rows of lapsed holds no longer occupy (Booking.occupies) and are
    removed here, with their holds marked expired, so that the seats can be
    inserted again; this runs under the show's lock like every change of who
    owns a seat, so expiry needs no background job.
    """
    rows = queries.occupants(show_id=show.pk, seat_numbers=seat_numbers)
    for row in rows:
        row.show = show  # the locked show, with its movie and screen: answers show them
    expired_holds = {
        row.hold_id
        for row in rows
        if row.status == Booking.Status.HELD and not row.occupies(now) and row.hold_id is not None
    }
    if expired_holds:
        Booking.objects.filter(hold_id__in=expired_holds, status=Booking.Status.HELD).delete()
        Hold.objects.filter(pk__in=expired_holds, status=Hold.Status.ACTIVE).update(
            status=Hold.Status.EXPIRED, ended_at=now
        )
    return [row for row in rows if row.occupies(now)]


@contextmanager
def seat_change(
    *,
    show_id: int,
    user: User | None,
    action: str,
    now: datetime,
    refuse_started: str | None = None,
    savepoint: bool = True,
) -> Iterator[Show]:
    """The one way seats change owner (in the spirit of pretix's lock_objects).

    A transaction that waits at most BOOKING_LOCK_TIMEOUT_MS for the show's
    lock (see _lock_show) and yields the locked show. A lock timeout is logged
    once (action, user, show) and raised as ShowBusy (503). With
    ``refuse_started`` (what can no longer be done, e.g. "it can no longer be
    booked"), a show that has started is refused with ShowStarted. Once the
    transaction commits, cached answers showing seats are retired. Without
    ``savepoint``, inside a caller's transaction that a refusal rolls back
    whole anyway, no SAVEPOINT statements are spent.
    """

    def busy() -> ShowBusy:
        log_event("lock_timeout", level=logging.WARNING, action=action, user_id=user and user.pk, show_id=show_id)
        return ShowBusy("This show is very busy right now; nothing changed. Try again in a moment.")

    with transaction.atomic(savepoint=savepoint), lock_wait_bounded(busy):
        show = _lock_show(show_id)
        if refuse_started is not None and show.date_time <= now:
            raise ShowStarted(f"This show has already started; {refuse_started}.")
        yield show
        after_commit(lambda: bump("seats"))


def _lock_show(show_id: int) -> Show:
    """The show row is the mutex for its seats: every change of who owns one of
    its seats (booking, hold, confirm, release) queues here, so a check and the
    write after it act as one step, and requests for overlapping seats can not
    deadlock (there is only one lock to take). FOR NO KEY UPDATE, because a
    plain FOR UPDATE would also block the foreign-key check of every insert.
    On SQLite this is a no-op; BEGIN IMMEDIATE serialises writers instead."""
    show = show_with_movie_and_screen(show_id, lock=True)
    if show is None:
        raise NotFound("Show not found.")
    return show


def _take_off_holds(rows: list[Booking], now: datetime) -> None:
    """Seats of holds that were just booked leave those holds; an emptied hold is done."""
    for hold in Hold.objects.filter(pk__in={row.hold_id for row in rows}):
        booked = {row.seat_number for row in rows if row.hold_id == hold.pk}
        hold.seats = [seat for seat in hold.seats if seat["seat_number"] not in booked]
        if not hold.seats:
            hold.status, hold.ended_at = Hold.Status.CONFIRMED, now
        hold.save(update_fields=["seats", "status", "ended_at"])


def _new_row(
    *, user: User, show: Show, seat: Seat, price: Decimal | str, reference: uuid.UUID, **fields: Any
) -> Booking:
    """An unsaved row for one seat, with the label, price and currency of the moment."""
    if seat.number is None:
        raise ValueError(f"{seat.label} is a blocked place, not a seat")  # _existing_seats never returns one
    return Booking(
        user=user,
        show=show,
        seat_number=seat.number,
        seat_label=seat.label,
        price=price,
        currency=settings.CURRENCY,
        reference=reference,
        **fields,
    )


def _book_rows(rows: list[Booking], reference: uuid.UUID, now: datetime) -> None:
    """Turn held rows into booked ones, detached from their hold."""
    if not rows:
        return
    queries.book_held_rows(rows, reference=reference, now=now)
    for row in rows:
        row.status, row.hold, row.held_until, row.reference = Booking.Status.BOOKED, None, None, reference
        row.changed_at = now


def booking_create(
    *,
    user: User,
    show_id: int,
    seat_numbers: Sequence[int] = (),
    seat_labels: Sequence[str] = (),
    seats_field: str | None = None,
) -> Sale:
    """Book seats of a show for ``user``, all of them or none.

    Seats come as numbers or as normalized labels ("F7"). The bookings share
    one ``reference`` (one purchase) and keep the price, currency and label
    of the moment. Raises PaymentRequired where the cinema takes payment first
    (orders sell the seats then), NotFound, ShowStarted, UnknownSeats for seats the
    screen does not have (under ``seats_field``, the request's field that named
    them: by default seat_labels or seat_numbers), SeatTaken naming every taken
    seat, or ShowBusy when the show's lock can not be had in time. The caller
    has checked the input's shape (distinct, positive, well-formed), so under
    the lock the transaction runs one statement when the seats are free: the
    insert, which checks them as it goes.
    """
    _refuse_unpaid()
    reference = uuid.uuid4()
    now = timezone.now()
    seats: list[int] = []
    try:
        with transaction.atomic():
            # What needs no seat comes first, so that the show's lock is held
            # only for the check, the insert and the commit (see _lock_show):
            # the e-mail's outbox row (rolled back with the rest if the seats
            # are taken) and the webhook subscriptions.
            email_queued = _confirm_by_email(user, reference)
            listeners = subscriptions()
            with seat_change(
                show_id=show_id,
                user=user,
                action="book",
                now=now,
                refuse_started="it can no longer be booked",
                savepoint=False,
            ) as show:
                seats = sorted(_seats_of(show, seat_numbers, seat_labels, seats_field))
                seat_rules(show, seats, now)
                _take_checks(show, seats, user, now)
                plan = show.screen.plan

                def new_rows(numbers: Sequence[int]) -> list[Booking]:
                    return [
                        _new_row(user=user, show=show, seat=seat, price=show.price_of(seat), reference=reference)
                        for seat in _existing_seats(plan, numbers)
                    ]

                # The check and the insert in one statement: every seat nobody
                # occupies is booked, and the seats left out (ON CONFLICT on the
                # one-occupant constraint) are looked at, as before: taken (the
                # whole booking is refused and rolled back), held by the caller,
                # or held by a hold that lapsed.
                created = insert(new_rows(seats), skip_taken=ONE_OCCUPANT_PER_SEAT)
                booked = {row.seat_number for row in created}
                mine: list[Booking] = []
                if len(booked) < len(seats):
                    left = [number for number in seats if number not in booked]
                    occupied = occupants_freeing_lapsed(show=show, seat_numbers=left, now=now)
                    # Seats the caller holds are theirs to book: the hold gives them up.
                    mine = [row for row in occupied if row.status == Booking.Status.HELD and row.user_id == user.pk]
                    _refuse_occupied([row for row in occupied if row not in mine], plan)
                    if mine:
                        _take_off_holds(mine, now)
                        _book_rows(mine, reference, now)
                    held = {row.seat_number for row in mine}
                    created += insert(new_rows([number for number in left if number not in held]))
                bookings = sorted([*mine, *created], key=lambda booking: booking.seat_number)
                _tell_of_sale("booking.created", bookings, show, listeners)
                # Logged once the bookings are committed, never for a rolled-back attempt.
                after_commit(
                    lambda: log_event(
                        "booking_created", user_id=user.pk, show_id=show_id, seats=seats, reference=str(reference)
                    )
                )
                return Sale(bookings, email_queued)
    except (SeatTaken, IntegrityError) as exc:
        # The IntegrityError is only reachable if the lock was bypassed; the constraint still holds.
        refused = exc if isinstance(exc, SeatTaken) else SeatTaken(seats)
        log_event("booking_refused", user_id=user.pk, show_id=show_id, seats=refused.extra["seat_numbers"])
        if refused is exc:
            raise
        raise refused from exc


def _unsold(show: Show) -> set[int]:
    """The seats of the show's screen that are not sold online (Screen.unsold_seats)."""
    plan = show.screen.plan
    return {n for n in map(plan.number_of, show.screen.unsold_seats or {}) if n is not None}


def _taken(show: Show, now: datetime, numbers: Sequence[int] | None = None) -> set[int]:
    """The seats nobody may choose now: occupied (booked, blocked, held by a hold
    that has not lapsed) or not sold online. With ``numbers``, only in the rows
    of those seats (their seat numbers are a range: layouts number row by row)."""
    rows = Booking.objects.filter(Booking.occupying(now), show=show)
    if numbers:
        plan = show.screen.plan
        names = {seat.row for seat in map(plan.seat, numbers) if seat is not None}
        ranges = [
            (before + 1, before + row["seats"] - len(row.get("blocked", ())))
            for name, (before, row) in plan.rows.items()
            if name in names
        ]
        rows = rows.filter(seat_number__gte=min(r[0] for r in ranges), seat_number__lte=max(r[1] for r in ranges))
    return set(rows.values_list("seat_number", flat=True)) | _unsold(show)


def seat_rules(show: Show, numbers: Sequence[int], now: datetime) -> None:
    """What a customer may choose (docs/seating.md), checked under the show's lock:
    no seat that is not sold online, no companion seat without its wheelchair
    space, and where the screen asks for it (no_single_seats) no choice that
    leaves a single seat alone while another choice of as many seats would not.
    Staff at the box office are not held to these (hold_create's ``staff``)."""
    plan = show.screen.plan
    refused = sorted(_unsold(show) & set(numbers))
    if refused:
        raise SeatNotForSale(_existing_seats(plan, refused))
    alone = seating.companions_alone(plan, numbers)
    if alone:
        raise CompanionSeat(alone)
    if not show.screen.no_single_seats:
        return
    taken = _taken(show, now, numbers) - set(numbers)
    stranded = seating.strands(plan, taken, numbers)
    if stranded:
        largest = max(Counter(seat.row for seat in _existing_seats(plan, numbers)).values())
        if seating.another_way(plan, _taken(show, now) - set(numbers), largest):
            raise StrandsSeat(stranded)


def taken_seats(show: Show, now: datetime) -> set[int]:
    """The seats of the show nobody may choose now (occupied or not sold online)."""
    return _taken(show, now)


def best_seats(
    show: Show, taken: set[int], *, party: int, tiers: set[str] | None = None, wheelchair: bool = False
) -> list[int] | None:
    """Best available (catalog/seating.py) for a party among the seats not in
    ``taken``: the seats nearest the screen's sweet spot together, else split
    where the cinema allows it (BEST_AVAILABLE_SPLIT); None when there are none."""
    screen = show.screen
    plan = screen.plan
    spot = seating.sweet_spot(plan, screen.sweet_row or None, screen.sweet_place)
    seats = seating.best_available(plan, taken, party, tiers=tiers, wheelchair=wheelchair, sweet=spot)
    if seats is None and settings.BEST_AVAILABLE_SPLIT and not wheelchair:
        seats = seating.best_split(plan, taken, party, tiers=tiers, sweet=spot)
    return None if seats is None else sorted(seat.number for seat in seats if seat.number is not None)


def _best_for(show: Show, now: datetime, *, party: int, tiers: set[str] | None, wheelchair: bool) -> list[int]:
    """best_seats under the show's lock, or NoSeatsTogether with how many can still sit together."""
    taken = _taken(show, now)
    seats = best_seats(show, taken, party=party, tiers=tiers, wheelchair=wheelchair)
    if seats is None:
        plan = show.screen.plan
        raise NoSeatsTogether(party, seating.together(plan, taken, tiers=tiers, wheelchair=wheelchair))
    return seats


def _refuse_occupied(rows: list[Booking], plan: SeatPlan) -> None:
    """Refuse seats that these rows occupy: SeatNotForSale when staff blocked them all, else SeatTaken."""
    if rows and all(row.status == Booking.Status.BLOCKED for row in rows):
        raise SeatNotForSale(_existing_seats(plan, sorted(row.seat_number for row in rows)))
    if rows:
        raise SeatTaken(sorted(row.seat_number for row in rows))


def _insert_free(
    show: Show, seats: list[Seat], rows_for: Callable[[Sequence[Seat]], list[Booking]], now: datetime
) -> list[Booking]:
    """Insert a row for each seat, all or none, under the show's lock. As in
    booking_create the insert checks the seats; only the seats it left out are
    looked at: any occupant refuses (SeatTaken), a lapsed hold gives way."""
    inserted = insert(rows_for(seats), skip_taken=ONE_OCCUPANT_PER_SEAT)
    done = {row.seat_number for row in inserted}
    left = [seat for seat in seats if seat.number not in done]
    if left:
        in_the_way = occupants_freeing_lapsed(show=show, seat_numbers=[s.number for s in left if s.number], now=now)
        _refuse_occupied(in_the_way, show.screen.plan)
        inserted += insert(rows_for(left))
    return inserted


def seats_block(
    *, show_id: int, by: User, reason: str, seat_numbers: Sequence[int] = (), seat_labels: Sequence[str] = ()
) -> list[Booking]:
    """Staff keep seats of a show off sale (house seats, a camera position), all
    or none, with a reason: rows with status "blocked", which the one-occupant
    index covers like sold and held ones. Seats already blocked keep their block;
    a seat someone booked or holds is refused (SeatTaken)."""
    now = timezone.now()
    with seat_change(show_id=show_id, user=by, action="block", now=now) as show:
        numbers = sorted(_seats_of(show, seat_numbers, seat_labels))
        blocked = set(
            Booking.objects.filter(show=show, seat_number__in=numbers, status=Booking.Status.BLOCKED).values_list(
                "seat_number", flat=True
            )
        )

        def blocked_rows(of: Sequence[Seat]) -> list[Booking]:
            return [
                _new_row(
                    user=by,
                    show=show,
                    seat=seat,
                    price=Decimal(0),
                    reference=uuid.uuid4(),
                    status=Booking.Status.BLOCKED,
                    block_reason=reason,
                    changed_at=now,
                )
                for seat in of
            ]

        fresh = [n for n in numbers if n not in blocked]
        rows = _insert_free(show, _existing_seats(show.screen.plan, fresh), blocked_rows, now) if fresh else []
        after_commit(lambda: log_event("seats_blocked", user_id=by.pk, show_id=show_id, seats=fresh, reason=reason))
        return rows


def seats_unblock(*, show: Show, seat_numbers: Sequence[int]) -> int:
    """Take these seats of a locked show off their block; how many were blocked."""
    deleted, _ = Booking.objects.filter(show=show, seat_number__in=seat_numbers, status=Booking.Status.BLOCKED).delete()
    return deleted


def seats_release(*, show_id: int, by: User, seat_numbers: Sequence[int] = (), seat_labels: Sequence[str] = ()) -> int:
    """Staff put blocked seats of a show back on sale; how many were blocked."""
    now = timezone.now()
    with seat_change(show_id=show_id, user=by, action="release_block", now=now) as show:
        numbers = _seats_of(show, seat_numbers, seat_labels)
        released = seats_unblock(show=show, seat_numbers=numbers)
        after_commit(lambda: log_event("seats_released", user_id=by.pk, show_id=show_id, seats=sorted(numbers)))
        return released


def _tiers_for(show: Show, tier: str | None, ticket_types: Sequence[str]) -> set[str] | None:
    """The tiers a party may sit in: ``tier``, and only those where every one of
    its ticket types is sold for the show (None: any)."""
    tiers = None if tier is None else {tier}
    if ticket_types:
        prices = show.type_prices()
        unknown = sorted(set(ticket_types) - set(prices))
        if unknown:
            raise FieldError(f"Not sold for this show: {', '.join(unknown)}.", field="ticket_types")
        sold = set.intersection(*(set(prices[code]) for code in ticket_types))
        tiers = sold if tiers is None else tiers & sold
    if tiers is not None and not tiers & show.screen.plan.tiers:
        raise FieldError("This show has no seats of that tier for these ticket types.", field="tier")
    return tiers


def _existing_seats(plan: SeatPlan, numbers: Sequence[int]) -> list[Seat]:
    """The seats with these numbers, which the caller has checked exist (_seats_of)."""
    seats = [plan.seat(number) for number in numbers]
    missing = [number for number, seat in zip(numbers, seats, strict=True) if seat is None]
    if missing:  # a caller's bug, never a client's: _seats_of refuses unknown seats with a 400
        raise ValueError(f"no seats {missing} in this layout")
    return [seat for seat in seats if seat is not None]


def _seat_label(plan: SeatPlan, number: int) -> str | None:
    seat = plan.seat(number)
    return seat.label if seat is not None else None


def _seats_of(
    show: Show, seat_numbers: Sequence[int], seat_labels: Sequence[str], field: str | None = None
) -> list[int]:
    """Seat numbers for the request, checked against the show's screen."""
    plan = show.screen.plan
    if seat_labels:
        try:
            return plan.numbers_for(list(seat_labels))
        except ValidationError as exc:
            raise UnknownSeats(exc.messages[0], field=field or "seat_labels") from exc
    missing = [n for n in seat_numbers if plan.seat(n) is None]
    if missing:
        listed = ", ".join(map(str, sorted(missing)))
        raise UnknownSeats(
            f"No seat {listed}: this show has seats 1 to {plan.capacity}.", field=field or "seat_numbers"
        )
    return list(seat_numbers)


# Rules of the apps built on bookings that can refuse a cancellation (tickets:
# a ticket that was used at the door). Each is called with the booking row
# locked and raises a ServiceError to refuse; apps add theirs in ready().
cancel_checks: list[Callable[[Booking], None]] = []
# Rules that refuse cancelling one booking on its own, outside the purchase it
# belongs to (orders: a paid order's seats go back with a refund of the order).
cancel_one_checks: list[Callable[[Booking], None]] = []


def booking_cancel(*, booking_id: int, by: User, own_only: bool = True) -> Booking:
    """Cancel a booking and free its seat, recording who did it.

    With ``own_only`` (the API) only ``by``'s own bookings are found; staff
    cancel anyone's in the admin. Like every change of a seat's owner it runs
    under the show's lock, so two concurrent cancels are one 200 and one 409.
    The booking's own row is locked too, so that a check-in at the door (which
    locks only that row) and a cancel are one after the other: see cancel_checks.
    """
    # Held rows are a hold's business (release the hold instead), blocked ones staff's (seat_release).
    bookings = Booking.objects.tickets()
    if own_only:
        bookings = bookings.filter(user=by)
    show_id = bookings.filter(pk=booking_id).values_list("show_id", flat=True).first()
    if show_id is None:
        raise NotFound("Booking not found.")
    now = timezone.now()
    with seat_change(
        show_id=show_id, user=by, action="cancel", now=now, refuse_started="its bookings can no longer be cancelled"
    ) as show:
        booking = bookings.select_for_update(of=("self",)).select_related("user").get(pk=booking_id)
        if booking.status != Booking.Status.BOOKED:
            raise BookingNotActive("This booking is already cancelled.")
        for check in (*cancel_one_checks, *cancel_checks):
            check(booking)
        _mark_cancelled(booking, show=show, by=by, now=now)
        booking.save(update_fields=CANCELLED_FIELDS)
        message_enqueue(
            kind=CANCELLED,
            key=f"{CANCELLED}:{booking.pk}",
            recipient=booking.user.email,
            data={"booking": booking.pk},
        )
        _tell_of_cancellation(booking, by_staff=not own_only)
        after_commit(
            lambda: log_event(
                "booking_cancelled",
                booking_id=booking.pk,
                user_id=booking.user_id,
                by_user_id=by.pk,
                by_staff=not own_only,
                show_id=booking.show_id,
                seats=[booking.seat_number],
            )
        )
    return booking


# What a cancellation changes of a booked row (_mark_cancelled), for the save.
CANCELLED_FIELDS = ["status", "cancelled_at", "cancelled_by", "changed_at"]


def _mark_cancelled(booking: Booking, *, show: Show, by: User | None, now: datetime) -> None:
    """A booked row cancelled by ``by`` (the customer, staff, or None for the
    system) now: its seat is free once saved; door scanners learn it (changed_at)."""
    booking.show = show
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = booking.changed_at = now
    booking.cancelled_by = by


def _tell_of_cancellation(booking: Booking, *, by_staff: bool) -> None:
    event_emit(
        event_type="booking.cancelled",
        data={
            "booking": booking.pk,
            "reference": booking.reference,
            "show": booking.show_id,
            "customer": booking.user_id,
            "seat_number": booking.seat_number,
            "seat_label": booking.seat_label,
            "price": booking.price,
            "currency": booking.currency,
            "by_staff": by_staff,
        },
    )


def purchase_cancel(
    *, show: Show, reference: uuid.UUID, by: User | None, now: datetime, seat_numbers: Sequence[int] | None = None
) -> list[Booking]:
    """Cancel the booked seats of one purchase (all, or ``seat_numbers``) under the
    show's lock that the caller holds (seat_change), each row locked and checked
    as booking_cancel checks one (cancel_checks). Webhooks tell of each seat;
    the caller tells the customer (an order's refund is one e-mail). Returns
    the rows cancelled."""
    rows = Booking.objects.select_for_update(of=("self",)).filter(
        show=show, reference=reference, status=Booking.Status.BOOKED
    )
    if seat_numbers is not None:
        rows = rows.filter(seat_number__in=seat_numbers)
    cancelled = list(rows.order_by("seat_number"))
    for booking in cancelled:
        for check in cancel_checks:
            check(booking)
    for booking in cancelled:
        _mark_cancelled(booking, show=show, by=by, now=now)
        _tell_of_cancellation(booking, by_staff=by is not None and by.pk != booking.user_id)
    Booking.objects.bulk_update(cancelled, CANCELLED_FIELDS)
    return cancelled


# Rules of the apps built on bookings that can refuse a customer's choice of
# seats online (waitlist: seats that come back go to the waiting list first).
# Each is called under the show's lock with the locked show, the seats chosen,
# the customer and the time, and raises a ServiceError to refuse; apps add
# theirs in ready(). Staff at the box office are not held to them.
take_checks: list[Callable[[Show, Sequence[int], User, datetime], None]] = []


def _take_checks(show: Show, numbers: Sequence[int], user: User, now: datetime) -> None:
    for check in take_checks:
        check(show, numbers, user, now)


# Holds


def hold_create(
    *,
    user: User,
    show_id: int,
    seat_numbers: Sequence[int] = (),
    seat_labels: Sequence[str] = (),
    seats_field: str | None = None,
    party: int | None = None,
    tier: str | None = None,
    ticket_types: Sequence[str] = (),
    wheelchair: bool = False,
    staff: bool = False,
) -> Hold:
    """Hold seats for ``user`` during checkout, all of them or none: the seats
    named, or with ``party`` the best available for that many (in ``tier``, in
    a tier where every one of ``ticket_types`` is sold, with a wheelchair space).

    Raises the errors of booking_create, the refusals of seat_rules (not for
    ``staff``: the box office sells any seat, blocked ones included, which it
    takes off their block), NoSeatsTogether, and HoldLimit when the customer
    already has HOLD_MAX_PER_SHOW active holds for this show.
    """
    now = timezone.now()
    try:
        with seat_change(
            show_id=show_id, user=user, action="hold", now=now, refuse_started="its seats can no longer be held"
        ) as show:
            # First the limit: a customer who may not hold more costs no choice of seats.
            active = queries.active_holds(user_id=user.pk, show_id=show.pk, now=now)
            if active and len(active) >= settings.HOLD_MAX_PER_SHOW:
                raise HoldLimit(
                    f"You already hold seats for this show (hold {active[0].pk}); confirm or release it first.",
                    hold=active[0].pk,
                )
            if party is not None:
                tiers = _tiers_for(show, tier, ticket_types)
                seats = _best_for(show, now, party=party, tiers=tiers, wheelchair=wheelchair)
            else:
                seats = sorted(_seats_of(show, seat_numbers, seat_labels, seats_field))
                if staff:
                    seats_unblock(show=show, seat_numbers=seats)
                else:
                    seat_rules(show, seats, now)
            if not staff:
                _take_checks(show, seats, user, now)
            hold = hold_insert(show=show, user=user, seat_numbers=seats, now=now)
            after_commit(
                lambda: log_event("hold_created", hold_id=hold.pk, user_id=user.pk, show_id=show_id, seats=seats)
            )
            return hold
    except SeatTaken as exc:
        log_event("hold_refused", user_id=user.pk, show_id=show_id, seats=exc.extra["seat_numbers"])
        raise


def hold_insert(
    *, show: Show, user: User, seat_numbers: Sequence[int], now: datetime, expires_at: datetime | None = None
) -> Hold:
    """Write a hold of these seats of the locked show (seat_change) for ``user``,
    at the show's prices, until ``expires_at`` (by default HOLD_MINUTES from
    now); the seats were chosen by the caller. SeatTaken if any is occupied.
    A hold given an expiry of its own is an offer of the waiting list, which
    can not be extended (hold_extend)."""
    quoted = _existing_seats(show.screen.plan, seat_numbers)
    (hold,) = insert(
        [
            Hold(
                user=user,
                show=show,
                seats=[{"seat_number": s.number, "label": s.label, "price": str(show.price_of(s))} for s in quoted],
                created_at=now,
                expires_at=expires_at or now + timedelta(minutes=settings.HOLD_MINUTES),
                offered=expires_at is not None,
            )
        ]
    )

    def held_rows(of: Sequence[Seat]) -> list[Booking]:
        return [
            _new_row(
                user=user,
                show=show,
                seat=seat,
                price=show.price_of(seat),
                reference=hold.reference,
                status=Booking.Status.HELD,
                hold=hold,
                held_until=hold.expires_at,
            )
            for seat in of
        ]

    _insert_free(show, quoted, held_rows, now)
    return hold


@contextmanager
def hold_change(
    *, hold_id: int, user: User, action: str, now: datetime, refuse_started: str | None = None
) -> Iterator[Hold]:
    """The caller's hold, locked after its show (the order every seat change uses)."""
    show_id = queries.show_of_hold(hold_id=hold_id, user_id=user.pk)
    if show_id is None:
        raise NotFound("Hold not found.")
    with seat_change(show_id=show_id, user=user, action=action, now=now, refuse_started=refuse_started) as show:
        hold = queries.hold_locked(hold_id)
        hold.show = show
        yield hold


def hold_extension(hold: Hold) -> datetime | None:
    """The later expiry an active hold may still get (once: HOLD_MINUTES more, up to
    HOLD_MAX_LIFETIME_MINUTES in all), or None when it can have no more time."""
    if hold.extended:
        return None
    ceiling = hold.created_at + timedelta(minutes=settings.HOLD_MAX_LIFETIME_MINUTES)
    expires = min(hold.expires_at + timedelta(minutes=settings.HOLD_MINUTES), ceiling)
    return expires if expires > hold.expires_at else None


def hold_lengthen(hold: Hold, expires: datetime) -> None:
    """Give the locked hold (hold_change) and its rows the expiry from hold_extension."""
    hold.expires_at, hold.extended = expires, True
    hold.save(update_fields=["expires_at", "extended"])
    Booking.objects.filter(hold=hold, status=Booking.Status.HELD).update(held_until=expires)


def hold_extend(*, hold_id: int, user: User) -> Hold:
    """Give an active hold more time, once (hold_extension)."""
    now = timezone.now()
    with hold_change(hold_id=hold_id, user=user, action="extend", now=now) as hold:
        if hold.state(now) != Hold.Status.ACTIVE:
            raise HoldNotActive(f"This hold is {hold.state(now)}; only an active hold can be extended.")
        if hold.extended:
            raise HoldNotActive("This hold has already been extended once.")
        if hold.offered:
            raise HoldNotActive("An offer from the waiting list has a time of its own; order it to have time to pay.")
        expires = hold_extension(hold)
        if expires is None:
            raise HoldNotActive("This hold has reached its longest lifetime.")
        hold_lengthen(hold, expires)
        return hold


# Rules of the apps built on bookings that can refuse a customer's release of
# a hold (orders: a hold that an order holds). Each is called with the hold
# locked and raises a ServiceError to refuse; apps add theirs in ready().
release_checks: list[Callable[[Hold], None]] = []


def hold_release(*, hold_id: int, user: User) -> None:
    """Give the seats back at once. Releasing an ended hold changes nothing; a confirmed one can not be."""
    now = timezone.now()
    with hold_change(hold_id=hold_id, user=user, action="release", now=now) as hold:
        for check in release_checks:
            check(hold)
        hold_free(hold, user=user, now=now)


def hold_free(hold: Hold, *, user: User, now: datetime) -> None:
    """Release the locked hold (hold_change): its seats are free when the transaction commits."""
    if hold.status == Hold.Status.CONFIRMED:
        raise HoldNotActive("This hold is confirmed: its seats are booked. Cancel the bookings instead.")
    hold.rows.filter(status=Booking.Status.HELD).delete()
    if hold.status == Hold.Status.ACTIVE:
        hold.status, hold.ended_at = Hold.Status.RELEASED, now
        hold.save(update_fields=["status", "ended_at"])
        after_commit(lambda: log_event("hold_released", hold_id=hold.pk, user_id=user.pk))


def hold_confirm(*, hold_id: int, user: User) -> Sale:
    """Book the held seats: the hold becomes a purchase under its reference.

    An expired hold can still be confirmed if every one of its seats is still
    free: checked under the show's lock like any booking, SeatTaken otherwise.
    Refused with PaymentRequired where the cinema takes payment first.
    """
    _refuse_unpaid()
    now = timezone.now()
    with hold_change(
        hold_id=hold_id, user=user, action="confirm", now=now, refuse_started="it can no longer be booked"
    ) as hold:
        return hold_book(hold, user=user, now=now)


def hold_book(hold: Hold, *, user: User, now: datetime, receipt: dict[str, str] | None = None, **event: Any) -> Sale:
    """Book the seats of the locked hold (hold_change) for ``user``: hold_confirm's
    sale, and an order's once it is paid (``receipt``: the payment, for the
    confirmation e-mail; ``event``: more of the webhook's data)."""
    if hold.status in (Hold.Status.CONFIRMED, Hold.Status.RELEASED):
        raise HoldNotActive(f"This hold is already {hold.status}.")
    show = hold.show
    plan = show.screen.plan
    # Every booked row must name a seat of the show's current layout: a
    # hold that lapsed may have outlived the layout it was quoted on.
    gone = [seat["label"] for seat in hold.seats if _seat_label(plan, seat["seat_number"]) != seat["label"]]
    if gone:
        raise SeatsChanged(
            f"This show's seats changed since the hold was made: {', '.join(gone)} no longer exist as held. "
            "Release the hold and choose seats again.",
            seat_labels=gone,
        )
    numbers = [seat["seat_number"] for seat in hold.seats]
    occupied = occupants_freeing_lapsed(show=show, seat_numbers=numbers, now=now)
    mine = [row for row in occupied if row.hold_id == hold.pk]
    taken = sorted(row.seat_number for row in occupied if row.hold_id != hold.pk)
    if taken:
        raise SeatTaken(taken)
    # Rows an expiry removed come back at the price (and ticket type) quoted with the hold.
    kept = {row.seat_number for row in mine}
    quoted = {seat["seat_number"]: seat for seat in hold.seats}
    added = insert(
        [
            _new_row(user=user, show=show, seat=seat, reference=hold.reference, **_as_quoted(quoted[seat.number]))
            for seat in _existing_seats(plan, [number for number in numbers if number not in kept])
        ]
    )
    _book_rows(mine, hold.reference, now)
    hold.status, hold.ended_at = Hold.Status.CONFIRMED, now
    update(hold, ["status", "ended_at"])
    email_queued = _confirm_by_email(user, hold.reference, receipt)
    bookings = sorted([*mine, *added], key=lambda booking: booking.seat_number)
    _tell_of_sale("hold.confirmed", bookings, show, hold=hold.pk, **event)
    after_commit(lambda: log_event("hold_confirmed", hold_id=hold.pk, user_id=user.pk, show_id=show.pk, seats=numbers))
    return Sale(bookings, email_queued)


def _as_quoted(seat: dict[str, Any]) -> dict[str, Any]:
    """A held seat's row fields as its hold quotes them (hold_reprice)."""
    return {
        "price": Decimal(seat["price"]),
        "ticket_type_id": seat.get("ticket_type", settings.DEFAULT_TICKET_TYPE),
        "discount": Decimal(seat.get("discount", "0")),
    }


def hold_reprice(hold: Hold, seats: Sequence[dict[str, Any]]) -> None:
    """Give the locked hold's seats (hold_change) the ticket types, discounts and
    prices of its order: ``seats`` by seat_number, each with "ticket_type",
    "discount" and "price". The held rows take them now, so that booking them
    later (hold_book) sells each seat as ordered."""
    by_number = {seat["seat_number"]: seat for seat in seats}
    hold.seats = [
        {**seat, **{key: by_number[seat["seat_number"]][key] for key in ("ticket_type", "discount", "price")}}
        for seat in hold.seats
    ]
    hold.save(update_fields=["seats"])
    rows = list(hold.rows.filter(status=Booking.Status.HELD))
    for row in rows:
        for name, value in _as_quoted(by_number[row.seat_number]).items():
            setattr(row, name, value)
    Booking.objects.bulk_update(rows, ["price", "ticket_type", "discount"])


def _refuse_unpaid() -> None:
    """Where the cinema takes payment first (BOOKING_REQUIRES_PAYMENT), seats are sold only through paid orders."""
    if settings.BOOKING_REQUIRES_PAYMENT:
        raise PaymentRequired(
            "This cinema takes payment before it books seats: hold the seats (POST /shows/{id}/holds/), "
            "order the hold (POST /orders/) and pay the order."
        )


# Ended holds that other apps still point at (orders: an order's hold) are
# kept past HOLD_RETENTION_DAYS; apps add a condition in ready().
kept_holds: list[Q] = []


def holds_expire(*, now: datetime | None = None) -> tuple[int, int]:
    """Mark active holds past their expiry as expired and free their rows; delete
    holds that ended more than HOLD_RETENTION_DAYS ago. Returns (expired, deleted).

    Readers already treat such holds as expired; this only tidies up. Each show
    is locked while its holds are expired, as for every change of seat owners.
    """
    now = now or timezone.now()
    expired = 0
    for show_id in set(
        Hold.objects.filter(status=Hold.Status.ACTIVE, expires_at__lte=now).values_list("show_id", flat=True)
    ):
        with seat_change(show_id=show_id, user=None, action="expire", now=now):
            holds = Hold.objects.filter(show_id=show_id, status=Hold.Status.ACTIVE, expires_at__lte=now)
            Booking.objects.filter(hold__in=holds, status=Booking.Status.HELD).delete()
            expired += holds.update(status=Hold.Status.EXPIRED, ended_at=now)
    retention = now - timedelta(days=settings.HOLD_RETENTION_DAYS)
    old = Hold.objects.exclude(status=Hold.Status.ACTIVE).filter(ended_at__lt=retention, offered=False)
    for kept in kept_holds:
        old = old.exclude(kept)
    deleted, _ = old.delete()
    return expired, deleted
