"""The check the race and the bench run after their load: it sees every kind of mismatch."""

import pytest

from bookings.tests.factories import make_booking
from catalog.tests.factories import make_show
from scripts.bookingcheck import check_bookings

pytestmark = pytest.mark.django_db


def test_promises_and_rows_that_agree_pass(user, show):
    row = make_booking(user=user, show=show, seat_number=3)

    assert check_bookings({row.pk: (show.pk, 3, user.pk)}, [show.pk]) == {
        "booked_rows": 1,
        "double_booked_seats": 0,
        "201s_without_their_row": 0,
        "rows_without_a_201": 0,
    }


def test_a_201_whose_row_is_missing_or_different_and_a_row_nobody_was_told_of_are_counted(user, other_user, show):
    told = make_booking(user=user, show=show, seat_number=3)
    untold = make_booking(user=other_user, show=show, seat_number=4)
    elsewhere = make_booking(user=user, show=make_show(show.movie), seat_number=1)

    check = check_bookings(
        {told.pk: (show.pk, 5, user.pk), 999999: (show.pk, 6, user.pk), elsewhere.pk: (elsewhere.show_id, 1, user.pk)},
        [show.pk],
    )

    assert check["201s_without_their_row"] == 2  # the wrong seat, and the row that does not exist
    assert check["rows_without_a_201"] == 1  # the untold row in a checked show
    assert check["booked_rows"] == 2
    assert untold.pk


def test_a_promise_without_a_user_matches_any_user_but_not_another_seat(user, other_user, show):
    row = make_booking(user=other_user, show=show, seat_number=3)

    assert check_bookings({row.pk: (show.pk, 3, None)}, [show.pk])["201s_without_their_row"] == 0
    assert check_bookings({row.pk: (show.pk, 4, None)}, [show.pk])["201s_without_their_row"] == 1
    assert check_bookings({row.pk: (show.pk, 3, user.pk)}, [show.pk])["201s_without_their_row"] == 1
