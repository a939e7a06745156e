import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.codes import normalize_code
from bookings.models import Booking
from bookings.tests.factories import make_booking
from tickets import signing

pytestmark = pytest.mark.django_db


def test_a_booked_seat_has_a_ticket_with_a_code_and_a_signed_qr(auth_client, show):
    booking = auth_client.post(f"/shows/{show.id}/book/", {"seat_number": 12}, format="json").json()

    response = auth_client.get(f"/bookings/{booking['id']}/ticket/")

    assert response.status_code == 200
    ticket = response.json()
    stored = Booking.objects.get(pk=booking["id"])
    assert normalize_code(ticket["code"]) == stored.code
    assert ticket["code"].count("-") == 2
    assert signing.verify(ticket["qr"]) == signing.Claims(ticket=stored.pk, show=show.pk, seat=stored.seat_label)
    assert {k: ticket[k] for k in ("movie_title", "screen_name", "seat_label", "status", "checked_in_at")} == {
        "movie_title": show.movie.title,
        "screen_name": show.screen.name,
        "seat_label": stored.seat_label,
        "status": "booked",
        "checked_in_at": None,
    }
    assert ticket["show_date_time"].startswith(show.date_time.strftime("%Y-%m-%dT%H:%M"))


def test_the_qr_code_comes_as_svg_and_png(auth_client, user, show):
    booking = make_booking(user=user, show=show, seat_number=3)

    svg = auth_client.get(f"/bookings/{booking.id}/ticket/?format=svg")
    png = auth_client.get(f"/bookings/{booking.id}/ticket/?format=png")

    assert svg.status_code == png.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert b"<path" in svg.content
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_an_unknown_image_format_is_a_400_in_json(auth_client, user, show):
    booking = make_booking(user=user, show=show, seat_number=3)

    response = auth_client.get(f"/bookings/{booking.id}/ticket/?format=gif")

    assert response.status_code == 400
    assert response.json()["format"] == ["Choose json, svg or png."]


def test_errors_of_an_image_request_come_in_json(auth_client):
    response = auth_client.get("/bookings/999/ticket/?format=png")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_nobody_else_can_read_a_ticket(other_client, user, show):
    booking = make_booking(user=user, show=show, seat_number=3)

    assert other_client.get(f"/bookings/{booking.id}/ticket/").status_code == 404
    assert other_client.get(f"/bookings/{booking.id}/ticket/?format=svg").status_code == 404
    assert other_client.get(f"/purchases/{booking.reference}/tickets/").status_code == 404


def test_a_ticket_needs_a_login(api_client, user, show):
    booking = make_booking(user=user, show=show, seat_number=3)

    assert api_client.get(f"/bookings/{booking.id}/ticket/").status_code == 401


def test_a_held_seat_has_no_ticket_yet(auth_client, show):
    hold = auth_client.post(f"/shows/{show.id}/holds/", {"seat_numbers": [4]}, format="json").json()
    held = Booking.objects.get(hold_id=hold["id"])

    assert auth_client.get(f"/bookings/{held.id}/ticket/").status_code == 404


def test_a_cancelled_bookings_ticket_says_so(auth_client, user, show):
    booking = make_booking(user=user, show=show, seat_number=3)
    auth_client.post(f"/bookings/{booking.id}/cancel/")

    assert auth_client.get(f"/bookings/{booking.id}/ticket/").json()["status"] == "cancelled"


def test_a_purchase_lists_every_ticket(auth_client, show):
    purchase = auth_client.post(f"/shows/{show.id}/book/", {"seat_numbers": [5, 6, 7]}, format="json").json()

    with CaptureQueriesContext(connection) as queries:
        response = auth_client.get(f"/purchases/{purchase['reference']}/tickets/")

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == purchase["reference"]
    assert [t["seat_number"] for t in body["tickets"]] == [5, 6, 7]
    assert len({t["code"] for t in body["tickets"]}) == 3
    # The user (token) and the tickets with show, movie, screen and check-in: whatever the count.
    assert len(queries) == 2


def test_an_unknown_or_malformed_purchase_is_a_404(auth_client):
    assert auth_client.get("/purchases/4b7e3a52-1c2d-4e5f-8a9b-0c1d2e3f4a5b/tickets/").status_code == 404
    assert auth_client.get("/purchases/not-a-uuid/tickets/").status_code == 404


def test_the_public_keys_are_listed_as_json_web_keys(api_client):
    response = api_client.get("/tickets/keys/")

    assert response.status_code == 200
    body = response.json()
    assert body["current"] == signing.current_key_id()
    (key,) = body["keys"]
    assert key | {"x": None} == {
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "EdDSA",
        "use": "sig",
        "kid": body["current"],
        "x": None,
    }
    assert key["x"] == signing.public_key_text(signing.public_keys()[body["current"]])


def test_every_booking_row_gets_its_own_code(user, show):
    rows = [make_booking(user=user, show=show, seat_number=n) for n in range(1, 6)]

    assert len({row.code for row in rows}) == 5
