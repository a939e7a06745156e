import pytest
from django.db import IntegrityError, transaction

from bookings import services
from bookings.exceptions import BookingNotActive, SeatTaken
from bookings.models import Booking
from bookings.tests.factories import make_booking

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_second_active_booking_of_a_seat(user, other_user, show):
    make_booking(user=user, show=show, seat_number=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_booking(user=other_user, show=show, seat_number=1)


def test_the_database_allows_cancelled_rows_beside_an_active_one(user, show):
    make_booking(user=user, show=show, seat_number=1, status=Booking.Status.CANCELLED)
    make_booking(user=user, show=show, seat_number=1, status=Booking.Status.CANCELLED)
    make_booking(user=user, show=show, seat_number=1)

    assert Booking.objects.count() == 3


@pytest.mark.parametrize(("seat_number", "status"), [(0, "booked"), (1, "lost")])
def test_the_database_refuses_impossible_rows(user, show, seat_number, status):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_booking(user=user, show=show, seat_number=seat_number, status=status)


def test_a_constraint_violation_becomes_seat_taken_not_an_error(user, other_user, show, monkeypatch):
    make_booking(user=other_user, show=show, seat_number=4)
    # Blind the availability check, as a bug in it would: the constraint must still hold.
    monkeypatch.setattr(services, "occupants_freeing_lapsed", lambda **kwargs: [])

    with pytest.raises(SeatTaken):
        services.booking_create(user=user, show_id=show.id, seat_numbers=[3, 4])

    assert Booking.objects.count() == 1  # seat 3 was not booked either


def test_staff_cancel_anyones_booking_and_are_recorded_as_the_canceller(user, staff_user, show):
    booking = make_booking(user=user, show=show, seat_number=1)

    services.booking_cancel(booking_id=booking.id, by=staff_user, own_only=False)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancelled_by == staff_user
    with pytest.raises(BookingNotActive):
        services.booking_cancel(booking_id=booking.id, by=staff_user, own_only=False)


def test_a_customer_cancelling_is_recorded_as_the_canceller(user, show):
    booking = make_booking(user=user, show=show, seat_number=1)

    services.booking_cancel(booking_id=booking.id, by=user)

    booking.refresh_from_db()
    assert (booking.cancelled_by, booking.cancelled_at is not None) == (user, True)
