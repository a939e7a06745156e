from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError

from .exceptions import HasBookings
from .models import Movie, Show

SHOW_FIELDS = ("movie", "screen_name", "date_time", "total_seats")


def _delete(obj: Movie | Show, what: str) -> None:
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, IntegrityError) as exc:
        # Booking.show is PROTECT (and a deferred foreign key in the database),
        # so bookings never disappear with their show.
        raise HasBookings(f"This {what} has bookings and can not be deleted; cancel the show instead.") from exc


def movie_delete(*, movie: Movie) -> None:
    _delete(movie, "movie")


def show_delete(*, show: Show) -> None:
    _delete(show, "show")


def show_check_seats(*, show: Show, total_seats: int) -> None:
    """Refuse to shrink a show below a seat that is already booked."""
    if show.pk is None:
        return
    highest = show.bookings.filter(status="booked").aggregate(highest=Max("seat_number"))["highest"]
    if highest is not None and total_seats < highest:
        raise ValidationError({"total_seats": f"Seat {highest} is booked; total_seats can not be less than {highest}."})


def show_create(*, movie: Movie, screen_name: str, date_time: datetime, total_seats: int) -> Show:
    return Show.objects.create(movie=movie, screen_name=screen_name, date_time=date_time, total_seats=total_seats)


def show_update(*, show: Show, **fields) -> Show:
    """Change a show. The row lock makes the seat check and the change one step
    with respect to bookings, which lock the same row."""
    with transaction.atomic():
        locked = Show.objects.select_for_update(no_key=True).get(pk=show.pk)
        if "total_seats" in fields:
            show_check_seats(show=locked, total_seats=fields["total_seats"])
        for name in SHOW_FIELDS:
            if name in fields:
                setattr(locked, name, fields[name])
        locked.save()
    return locked
