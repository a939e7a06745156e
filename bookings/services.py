from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from accounts.models import User
from catalog.models import Show
from config.db import is_lock_timeout, set_lock_timeout
from config.events import log_event
from config.httpcache import bump

from .exceptions import BookingNotActive, BookingNotFound, SeatTaken, ShowBusy, ShowNotFound, ShowStarted
from .models import Booking


def taken_seats(*, show: Show, seat_numbers: Sequence[int]) -> list[int]:
    """Which of these seats an active booking holds (the availability check)."""
    occupied = Booking.objects.filter(show=show, seat_number__in=seat_numbers, status__in=Booking.OCCUPYING)
    return sorted(occupied.values_list("seat_number", flat=True))


def booking_create(
    *,
    user: User,
    show_id: int,
    seat_numbers: Sequence[int] = (),
    seat_labels: Sequence[str] = (),
    field: str = "seat_numbers",
) -> list[Booking]:
    """Book seats of a show for ``user``, all of them or none.

    Seats come as numbers or as normalized labels ("F7"). The bookings share
    one ``reference`` (one purchase) and keep the price, currency and label
    of the moment. Raises ShowNotFound, ShowStarted, ValidationError under
    ``field`` for seats the screen does not have, SeatTaken naming every taken
    seat, or ShowBusy when the show's lock can not be had in time. The caller
    has checked the input's shape (distinct, positive, well-formed), so the
    transaction holds only the lock, the availability check and the insert.
    """
    reference = uuid.uuid4()
    now = timezone.now()
    seats: list[int] = []
    try:
        with transaction.atomic():
            set_lock_timeout()
            # The show row is the mutex for its seats, taken once, right before
            # the check: every booking of this show queues here, so the check
            # and the insert below act as one step, and two requests for
            # overlapping seats can not deadlock (there is only one lock to
            # take). FOR NO KEY UPDATE, because a plain FOR UPDATE would also
            # block the foreign-key check of every booking insert. On SQLite
            # this is a no-op; BEGIN IMMEDIATE serialises writers instead.
            show = (
                Show.objects.select_for_update(no_key=True, of=("self",))
                .select_related("movie", "screen")
                .filter(pk=show_id)
                .first()
            )
            if show is None:
                raise ShowNotFound("Show not found.")
            if show.date_time <= now:
                raise ShowStarted("This show has already started; it can no longer be booked.")
            seats = sorted(_seats_of(show, seat_numbers, seat_labels, field))
            taken = taken_seats(show=show, seat_numbers=seats)
            if taken:
                raise SeatTaken(taken)
            plan = show.screen.plan
            bookings = Booking.objects.bulk_create(
                Booking(
                    user=user,
                    show=show,
                    seat_number=seat.number,
                    seat_label=seat.label,
                    price=show.price_of(seat),
                    currency=settings.CURRENCY,
                    reference=reference,
                )
                for seat in map(plan.seat, seats)
            )
            # Once the bookings are committed, never for a rolled-back attempt:
            # seat counts change (cached reads) and the event is logged.
            transaction.on_commit(lambda: bump("seats"))
            transaction.on_commit(
                lambda: log_event(
                    "booking_created", user_id=user.pk, show_id=show_id, seats=seats, reference=str(reference)
                )
            )
            return bookings
    except (SeatTaken, IntegrityError) as exc:
        # The IntegrityError is only reachable if the lock was bypassed; the constraint still holds.
        refused = exc if isinstance(exc, SeatTaken) else SeatTaken(seats)
        log_event("booking_refused", user_id=user.pk, show_id=show_id, seats=refused.extra["seat_numbers"])
        if refused is exc:
            raise
        raise refused from exc
    except OperationalError as exc:
        if is_lock_timeout(exc):
            log_event("lock_timeout", level=logging.WARNING, action="book", user_id=user.pk, show_id=show_id)
            raise ShowBusy("This show is very busy right now; nothing was booked. Try again in a moment.") from exc
        raise


def _seats_of(show: Show, seat_numbers: Sequence[int], seat_labels: Sequence[str], field: str) -> list[int]:
    """Seat numbers for the request, checked against the show's screen."""
    plan = show.screen.plan
    if seat_labels:
        try:
            return plan.numbers_for(list(seat_labels))
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from exc
    missing = [n for n in seat_numbers if plan.seat(n) is None]
    if missing:
        listed = ", ".join(map(str, sorted(missing)))
        raise ValidationError({field: f"No seat {listed}: this show has seats 1 to {plan.capacity}."})
    return list(seat_numbers)


def booking_cancel(*, booking_id: int, by: User, own_only: bool = True) -> Booking:
    """Cancel a booking and free its seat, recording who did it.

    With ``own_only`` (the API) only ``by``'s own bookings are found; staff
    cancel anyone's in the admin. The row lock makes two concurrent cancels
    one 200 and one 409.
    """
    try:
        with transaction.atomic():
            set_lock_timeout()
            bookings = Booking.objects.select_for_update(of=("self",)).select_related("show__movie", "show__screen")
            if own_only:
                bookings = bookings.filter(user=by)
            booking = bookings.filter(pk=booking_id).first()
            if booking is None:
                raise BookingNotFound("Booking not found.")
            if booking.status != Booking.Status.BOOKED:
                raise BookingNotActive("This booking is already cancelled.")
            now = timezone.now()
            if booking.show.date_time <= now:
                raise ShowStarted("This show has already started; its bookings can no longer be cancelled.")
            booking.status = Booking.Status.CANCELLED
            booking.cancelled_at = now
            booking.cancelled_by = by
            booking.save(update_fields=["status", "cancelled_at", "cancelled_by"])
            transaction.on_commit(lambda: bump("seats"))
            transaction.on_commit(
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
    except OperationalError as exc:
        if is_lock_timeout(exc):
            log_event("lock_timeout", level=logging.WARNING, action="cancel", booking_id=booking_id, user_id=by.pk)
            raise ShowBusy("This booking is being changed right now; try again in a moment.") from exc
        raise
    return booking
