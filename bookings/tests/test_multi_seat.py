import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking

from .test_api import TRANSACTION_CONTROL

pytestmark = pytest.mark.django_db


def book(client, show, seats):
    return client.post(f"/shows/{show.id}/book/", {"seat_numbers": seats}, format="json")


def test_several_seats_are_booked_as_one_purchase(auth_client, user, show):
    response = book(auth_client, show, [12, 10, 11])

    assert response.status_code == 201
    body = response.json()
    bookings = list(Booking.objects.order_by("seat_number"))
    assert [b.seat_number for b in bookings] == [10, 11, 12]
    assert {b.reference for b in bookings} == {bookings[0].reference}
    assert body["reference"] == str(bookings[0].reference)
    assert body["show"] == show.id
    assert body["seat_numbers"] == [10, 11, 12]
    assert [b["id"] for b in body["bookings"]] == [b.id for b in bookings]
    assert {b["status"] for b in body["bookings"]} == {"booked"}
    assert all(b.user == user for b in bookings)


def test_two_purchases_have_different_references(auth_client, show):
    first = book(auth_client, show, [1, 2]).json()["reference"]
    second = book(auth_client, show, [3]).json()["reference"]

    assert first != second


def test_if_any_seat_is_taken_nothing_is_booked_and_the_409_names_the_taken_seats(auth_client, other_client, show):
    book(other_client, show, [4, 6])

    response = book(auth_client, show, [3, 4, 5, 6])

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Seats 4, 6 are already booked.",
        "code": "seat_taken",
        "seat_numbers": [4, 6],
    }
    assert sorted(Booking.objects.values_list("seat_number", flat=True)) == [4, 6]


@pytest.mark.parametrize(
    "seats",
    [[], [1, 1], [1, 2, 1], list(range(1, 12)), [0, 1], [1, "2"], [1, 2.5], [True], [None], "1,2", 3, None, {"a": 1}],
)
def test_invalid_seat_lists_are_400_and_book_nothing(auth_client, show, seats):
    response = book(auth_client, show, seats)

    assert response.status_code == 400
    assert "seat_numbers" in response.json()
    assert not Booking.objects.exists()


def test_a_seat_the_show_does_not_have_is_400_naming_it(auth_client, show):
    response = book(auth_client, show, [49, 50, 51, 60])

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input; see the fields.",
        "code": "invalid",
        "seat_numbers": ["No seat 51, 60: this show has seats 1 to 50."],
    }
    assert not Booking.objects.exists()


def test_the_maximum_per_request_comes_from_settings(auth_client, show, settings):
    settings.BOOKING_MAX_SEATS = 3

    assert book(auth_client, show, [1, 2, 3, 4]).status_code == 400
    assert book(auth_client, show, [1, 2, 3]).status_code == 201


def test_both_forms_at_once_is_400(auth_client, show):
    response = auth_client.post(f"/shows/{show.id}/book/", {"seat_number": 1, "seat_numbers": [2]}, format="json")

    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_ten_seats_take_the_same_statements_as_one(auth_client, show):
    with CaptureQueriesContext(connection) as ctx:
        assert book(auth_client, show, list(range(1, 11))).status_code == 201

    statements = [q["sql"] for q in ctx.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    # user (token), one outbox row for the purchase's confirmation, the webhook endpoints
    # listening, lock show, one insert for all seats that checks them as it goes
    assert len(statements) == 5, statements
    assert Booking.objects.count() == 10
