"""A database that hangs: a stalling proxy of the test's own in front of PostgreSQL.

The proxy accepts connections and stops forwarding, as a paused server or a
network that drops packets would. Every request must end in a JSON 503 with
Retry-After in bounded time, and the service must recover by itself.
"""

import time
from contextlib import contextmanager

import pytest
from django.db import close_old_connections, connection

from core.tests.realservers import StallingProxy

pytestmark = pytest.mark.django_db(transaction=True)

STATEMENT_TIMEOUT_MS = 1000
BOUND_SECONDS = STATEMENT_TIMEOUT_MS / 1000 + 2 + 1.5  # the deadline, plus the watchdog's tick and slack


@contextmanager
def through(proxy: StallingProxy):
    """The test's connection goes through the proxy, then back to the database directly."""
    original = dict(connection.settings_dict)
    original_options = dict(original.get("OPTIONS", {}))
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(proxy.port))
    connection.settings_dict["OPTIONS"] = {**original_options, "connect_timeout": 2}
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(original)
        connection.settings_dict["OPTIONS"] = original_options


@pytest.fixture
def proxy(postgres, settings):
    settings.DATABASE_STATEMENT_TIMEOUT_MS = STATEMENT_TIMEOUT_MS
    stalling = StallingProxy(connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"]))
    yield stalling
    stalling.close()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def next_request():
    """What Django does between two requests (the test client leaves it out): a broken connection is closed."""
    close_old_connections()


def assert_503(response, elapsed):
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert int(response["Retry-After"]) > 0
    assert elapsed < BOUND_SECONDS


def test_a_database_that_stops_answering_mid_connection_gives_503_in_bounded_time(api_client, show, proxy):
    api_client.raise_request_exception = False
    with through(proxy):
        assert api_client.get(f"/shows/{show.id}/").status_code == 200  # connected through the proxy

        proxy.pause()
        show_answer, show_elapsed = timed(lambda: api_client.get(f"/shows/{show.id}/"))
        next_request()
        ready, ready_elapsed = timed(lambda: api_client.get("/readyz"))
        proxy.resume()
        next_request()

        assert_503(show_answer, show_elapsed)
        assert ready.status_code == 503
        assert ready.json()["database"] == "unreachable"
        assert ready_elapsed < BOUND_SECONDS
        # No restart: the next request opens a new connection and just works.
        assert api_client.get(f"/shows/{show.id}/").status_code == 200
        assert api_client.get("/readyz").status_code == 200


def test_connecting_to_a_database_that_does_not_answer_gives_503_in_bounded_time(api_client, show, proxy):
    api_client.raise_request_exception = False
    with through(proxy):
        proxy.pause()
        answer, elapsed = timed(lambda: api_client.get("/movies/"))
        proxy.resume()
        next_request()

        assert_503(answer, elapsed)
        assert api_client.get("/movies/").status_code == 200


def test_a_booking_whose_database_hangs_answers_503_and_books_nothing(user, show, proxy):
    from bookings.models import Booking
    from conftest import client_for

    client = client_for(user)
    client.raise_request_exception = False
    with through(proxy):
        assert client.get("/me/").status_code == 200
        proxy.pause()
        answer, elapsed = timed(lambda: client.post(f"/shows/{show.id}/book/", {"seat_number": 3}, format="json"))
        proxy.resume()

    assert_503(answer, elapsed)
    assert not Booking.objects.filter(show=show).exists()
