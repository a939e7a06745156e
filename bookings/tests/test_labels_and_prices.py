from decimal import Decimal

import pytest

from bookings.models import Booking
from bookings.tests.factories import make_booking
from catalog.tests.factories import make_screen, make_show

pytestmark = pytest.mark.django_db

LAYOUT = [
    {"row": "A", "seats": 6, "blocked": [1]},
    {"row": "B", "seats": 6},
    {"row": "C", "seats": 4, "tier": "premium"},
]


@pytest.fixture
def hall_show(movie):
    """A: places 2-6 (seats 1-5), B: seats 6-11, C: premium seats 12-15."""
    screen = make_screen(layout=LAYOUT, name="Hall")
    return make_show(movie, screen=screen, price=Decimal("9.00"), tier_prices={"premium": "14.50"})


def book(client, show, body):
    return client.post(f"/shows/{show.id}/book/", body, format="json")


def test_seats_can_be_booked_by_label_whatever_the_case_and_spacing(auth_client, hall_show):
    response = book(auth_client, hall_show, {"seat_labels": [" b2", "C 1", "A2"]})

    assert response.status_code == 201
    body = response.json()
    assert body["seat_labels"] == ["A2", "B2", "C1"]
    assert body["seat_numbers"] == [1, 7, 12]
    assert [(b["seat_label"], b["price"]) for b in body["bookings"]] == [
        ("A2", "9.00"),
        ("B2", "9.00"),
        ("C1", "14.50"),
    ]
    assert body["total"] == "32.50"
    assert body["currency"] == "EUR"


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["F07"], "Not a seat label: 'F07'"),
        (["7F"], "Not a seat label: '7F'"),
        (["B"], "Not a seat label: 'B'"),
        (["B2", "b2"], "only once"),
        ([], "Give 1 to"),
    ],
)
def test_malformed_labels_are_400_and_never_mapped_to_another_seat(auth_client, hall_show, labels, message):
    response = book(auth_client, hall_show, {"seat_labels": labels})

    assert response.status_code == 400
    assert message in response.json()["seat_labels"][0]
    assert not Booking.objects.exists()


@pytest.mark.parametrize("label", ["D1", "B7", "A1", "Z9"])
def test_a_label_the_screen_lacks_is_400_naming_it(auth_client, hall_show, label):
    response = book(auth_client, hall_show, {"seat_labels": ["B1", label]})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input; see the fields.",
        "code": "invalid",
        "seat_labels": [f"No seat {label} in this screen."],
    }
    assert not Booking.objects.exists()


def test_a_taken_label_is_409_naming_the_seat(auth_client, other_client, hall_show):
    book(other_client, hall_show, {"seat_number": 7})

    response = book(auth_client, hall_show, {"seat_labels": ["B1", "B2"]})

    assert response.status_code == 409
    assert response.json()["seat_numbers"] == [7]
    assert Booking.objects.count() == 1


def test_a_booking_keeps_the_price_it_was_sold_at(auth_client, staff_client, hall_show):
    booking_id = book(auth_client, hall_show, {"seat_number": 13}).json()["id"]

    staff_client.patch(f"/shows/{hall_show.id}/", {"price": "20.00", "tier_prices": {"premium": "30"}}, format="json")

    mine = auth_client.get("/my-bookings/").json()["results"][0]
    assert (mine["id"], mine["price"], mine["currency"], mine["seat_label"]) == (booking_id, "14.50", "EUR", "C2")
    assert auth_client.get(f"/bookings/{booking_id}/").json()["price"] == "14.50"
    assert book(auth_client, hall_show, {"seat_number": 14}).json()["price"] == "30.00"


def test_the_currency_comes_from_settings(auth_client, hall_show, settings):
    settings.CURRENCY = "GBP"

    assert book(auth_client, hall_show, {"seat_number": 1}).json()["currency"] == "GBP"
    assert Booking.objects.get().currency == "GBP"


def test_the_seat_map_draws_the_layout_with_tiers_prices_and_blocked_places(api_client, user, hall_show):
    make_booking(user=user, show=hall_show, seat_number=12)

    body = api_client.get(f"/shows/{hall_show.id}/seats/").json()

    assert body["total_seats"] == 15
    assert body["currency"] == "EUR"
    a, b, c = body["layout"]
    assert (a["row"], a["tier"], a["price"]) == ("A", "standard", "9.00")
    assert a["seats"][:2] == [
        {"seat_number": None, "label": "A1", "status": "blocked", "kind": "standard"},
        {"seat_number": 1, "label": "A2", "status": "available", "kind": "standard"},
    ]
    assert (c["tier"], c["price"]) == ("premium", "14.50")
    assert c["seats"][0] == {"seat_number": 12, "label": "C1", "status": "booked", "kind": "standard"}
    assert len(b["seats"]) == 6


def test_a_show_lists_its_prices(api_client, hall_show):
    body = api_client.get(f"/shows/{hall_show.id}/").json()

    assert (body["price"], body["tier_prices"], body["currency"]) == ("9.00", {"premium": "14.50"}, "EUR")
    assert body["total_seats"] == 15
