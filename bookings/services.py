from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from accounts.models import User
from catalog.models import Show
from config.db import is_lock_timeout, set_lock_timeout

from .exceptions import BookingNotActive, BookingNotFound, SeatTaken, ShowBusy, ShowNotFound, ShowStarted
from .models import Booking


def taken_seats(*, show: Show, seat_numbers: Sequence[int]) -> list[int]:
    """Which of these seats an active booking holds (the availability check)."""
    occupied = Booking.objects.filter(show=show, seat_number__in=seat_numbers, status__in=Booking.OCCUPYING)
    return sorted(occupied.values_list("seat_number", flat=True))


def booking_create(
    *, user: User, show_id: int, seat_numbers: Sequence[int], field: str = "seat_numbers"
) -> list[Booking]:
    """Book seats of a show for ``user``, all of them or none.

    The bookings share one ``reference`` (one purchase). Raises ShowNotFound,
    ShowStarted, ValidationError under ``field`` for seats the show does not
    have, SeatTaken naming every taken seat, or ShowBusy when the show's lock
    can not be had in time. The caller has checked the input's shape (distinct
    positive integers), so the transaction holds only the lock, the
    availability check and the insert.
    """
    seats = sorted(seat_numbers)
    reference = uuid.uuid4()
    now = timezone.now()
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
                .select_related("movie")
                .filter(pk=show_id)
                .first()
            )
            if show is None:
                raise ShowNotFound("Show not found.")
            if show.date_time <= now:
                raise ShowStarted("This show has already started; it can no longer be booked.")
            missing = [n for n in seats if n > show.total_seats]
            if missing:
                listed = ", ".join(map(str, missing))
                raise ValidationError({field: f"No seat {listed}: this show has seats 1 to {show.total_seats}."})
            taken = taken_seats(show=show, seat_numbers=seats)
            if taken:
                raise SeatTaken(taken)
            return Booking.objects.bulk_create(
                Booking(user=user, show=show, seat_number=n, reference=reference) for n in seats
            )
    except IntegrityError as exc:
        # Only reachable if the lock was bypassed; the constraint still holds.
        raise SeatTaken(seats) from exc
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise ShowBusy("This show is very busy right now; nothing was booked. Try again in a moment.") from exc
        raise


def booking_cancel(*, booking_id: int, user: User | None = None) -> Booking:
    """Cancel a booking and free its seat.

    ``user`` limits the search to that customer's bookings (the API); staff
    pass None (the admin). The row lock makes two concurrent cancels one 200
    and one 409.
    """
    try:
        with transaction.atomic():
            set_lock_timeout()
            bookings = Booking.objects.select_for_update(of=("self",)).select_related("show__movie")
            if user is not None:
                bookings = bookings.filter(user=user)
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
            booking.save(update_fields=["status", "cancelled_at"])
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise ShowBusy("This booking is being changed right now; try again in a moment.") from exc
        raise
    return booking
