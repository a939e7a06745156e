import json

import pytest

from bookings import services
from bookings.models import Booking
from bookings.tests.factories import make_booking
from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_account_and_booking_events_are_json_lines_without_secrets(api_client, show, staff_user, events, settings):
    settings.AXES_ENABLED, settings.AXES_FAILURE_LIMIT = True, 1
    api_client.post("/signup/", {"username": "dora", "password": PASSWORD}, format="json")
    api_client.post("/login/", {"username": "dora", "password": "not-it"}, format="json")
    api_client.post("/login/", {"username": "dora", "password": PASSWORD}, format="json")  # locked out now
    settings.AXES_ENABLED = False
    tokens = api_client.post("/login/", {"username": "dora", "password": PASSWORD}, format="json").json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    booking = api_client.post(f"/shows/{show.id}/book/", {"seat_numbers": [2, 1]}, format="json").json()
    api_client.post(f"/shows/{show.id}/book/", {"seat_number": 2}, format="json")
    api_client.post(f"/bookings/{booking['bookings'][0]['id']}/cancel/")

    lines = events()

    dora = tokens["user"]["id"]
    assert [line["event"] for line in lines] == [
        "signup",
        "login_failed",
        "login_locked_out",
        "login",
        "booking_created",
        "booking_refused",
        "booking_cancelled",
    ]
    by_event = {line["event"]: line for line in lines}
    assert by_event["signup"]["user_id"] == dora
    assert by_event["login_failed"]["username"] == "dora"
    assert by_event["login_locked_out"]["username"] == "dora"
    assert by_event["booking_created"] | {"time": None} == {
        "time": None,
        "level": "INFO",
        "logger": "events",
        "message": "booking_created",
        "event": "booking_created",
        "user_id": dora,
        "show_id": show.id,
        "seats": [1, 2],
        "reference": booking["reference"],
    }
    assert (by_event["booking_refused"]["seats"], by_event["booking_refused"]["show_id"]) == ([2], show.id)
    assert (by_event["booking_cancelled"]["by_user_id"], by_event["booking_cancelled"]["by_staff"]) == (dora, False)
    text = json.dumps(lines)
    for secret in (PASSWORD, "not-it", tokens["access"], tokens["refresh"]):
        assert secret not in text


def test_a_rolled_back_booking_logs_no_booking_created(auth_client, show, events, monkeypatch):
    real_insert = services.insert  # type: ignore[attr-defined]  # imported there from core.db

    def insert_failing_for_bookings(objs):
        if objs and isinstance(objs[0], Booking):
            raise RuntimeError("the insert failed")
        return real_insert(objs)

    monkeypatch.setattr(services, "insert", insert_failing_for_bookings)
    auth_client.raise_request_exception = False

    auth_client.post(f"/shows/{show.id}/book/", {"seat_number": 1}, format="json")

    assert "booking_created" not in [line["event"] for line in events()]


def test_staff_cancellations_are_logged_as_staff(admin_client_factory, show, user, staff_user, events):
    booking = make_booking(user=user, show=show, seat_number=3)

    admin_client_factory(staff_user).post(
        "/admin/bookings/booking/", {"action": "cancel_bookings", "_selected_action": [booking.id]}
    )

    (line,) = [line for line in events() if line["event"] == "booking_cancelled"]
    assert (line["user_id"], line["by_user_id"], line["by_staff"]) == (user.id, staff_user.id, True)
    booking.refresh_from_db()
    assert booking.cancelled_by == staff_user
