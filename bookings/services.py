from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from catalog.models import Show

from .exceptions import BookingNotActive, BookingNotFound, SeatTaken, ShowNotFound, ShowStarted
from .models import Booking


def booking_create(*, user: User, show_id: int, seat_number: int) -> Booking:
    """Book one seat of a show for ``user``.

    Raises ShowNotFound, ShowStarted, ValidationError (no such seat) or
    SeatTaken. The caller has validated the input's shape already, so the
    transaction holds only the lock, the availability check and the insert.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            # The show row is the mutex for its seats: every booking of this
            # show queues here, so the availability check below and the insert
            # act as one step. FOR NO KEY UPDATE, because a plain FOR UPDATE
            # would also block the foreign-key check of every booking insert.
            # On SQLite this is a no-op; BEGIN IMMEDIATE serialises writers.
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
            if seat_number > show.total_seats:
                raise ValidationError(
                    {"seat_number": f"Seat {seat_number} does not exist: this show has seats 1 to {show.total_seats}."}
                )
            if Booking.objects.filter(show=show, seat_number=seat_number, status__in=Booking.OCCUPYING).exists():
                raise SeatTaken(f"Seat {seat_number} is already booked.", seat_number=seat_number)
            return Booking.objects.create(user=user, show=show, seat_number=seat_number)
    except IntegrityError as exc:
        # Only reachable if the lock was bypassed; the constraint still holds.
        raise SeatTaken(f"Seat {seat_number} is already booked.", seat_number=seat_number) from exc


def booking_cancel(*, booking_id: int, user: User | None = None) -> Booking:
    """Cancel a booking and free its seat.

    ``user`` limits the search to that customer's bookings (the API); staff
    pass None (the admin). The row lock makes two concurrent cancels one 200
    and one 409.
    """
    with transaction.atomic():
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
    return booking
