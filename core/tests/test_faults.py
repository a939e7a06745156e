from contextlib import contextmanager

import pytest
from django.db import connection

from bookings import services
from bookings.models import Booking
from conftest import client_for
from core.models import IdempotencyKey

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database(client):
    response = client.get("/readyz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@contextmanager
def database_down():
    """Point the connection somewhere no database answers, then put it back."""
    original = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/dir/db.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"  # nothing listens on port 1
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(original)


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_is_503_json_and_the_service_recovers_by_itself(user, show):
    client = client_for(user)  # the token is made while the database is up
    client.raise_request_exception = False
    url = f"/shows/{show.id}/book/"
    with database_down():
        booking = client.post(url, {"seat_number": 1}, format="json")
        listing = client.get("/movies/")
        ready = client.get("/readyz")
        alive = client.get("/healthz")

    for response in (booking, listing):
        assert response.status_code == 503
        assert response.json()["code"] == "database_unavailable"
        assert response["Retry-After"]
    assert ready.status_code == 503
    assert ready.json()["database"] == "unreachable"
    assert alive.status_code == 200
    # The database is back: no restart, the next request just works.
    assert client.post(url, {"seat_number": 1}, format="json").status_code == 201
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_failure_in_the_middle_of_a_booking_leaves_no_rows(user, show, monkeypatch):
    """A fault after the insert, inside the transaction: nothing of it may remain, key included."""

    real_insert = services.insert  # type: ignore[attr-defined]  # imported there from core.db

    def insert_then_fail(objs):
        if objs and isinstance(objs[0], Booking):
            real_insert(objs[:1])
            raise RuntimeError("power cut after the first insert")
        return real_insert(objs)

    monkeypatch.setattr(services, "insert", insert_then_fail)
    client = client_for(user)
    client.raise_request_exception = False

    response = client.post(
        f"/shows/{show.id}/book/", {"seat_numbers": [1, 2, 3]}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "code": "server_error"}
    assert not Booking.objects.exists()
    assert not IdempotencyKey.objects.exists()
