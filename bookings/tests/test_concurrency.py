"""Real concurrent requests: threads, each with its own database connection.

On SQLite the test database is a file (config/test_settings.py), so writers
really queue on the database lock; on PostgreSQL they queue on the show row.
"""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from bookings.models import Booking
from conftest import client_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

THREADS = 12


def run_at_once(calls) -> list[int]:
    """Start every call at the same moment; return their status codes (a 500 is a status, not a crash)."""
    barrier = Barrier(len(calls))

    def run(call):
        client, method, url, body = call
        client.raise_request_exception = False
        try:
            barrier.wait()
            return getattr(client, method)(url, body, format="json").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def clients(count: int) -> list[APIClient]:
    return [client_for(User.objects.create_user(username=f"fan{n}", password="x")) for n in range(count)]


def test_many_clients_booking_one_seat_get_one_201_and_the_rest_409(show):
    url = f"/shows/{show.id}/book/"

    statuses = run_at_once([(client, "post", url, {"seat_number": 1}) for client in clients(THREADS)])

    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    assert Booking.objects.filter(show=show, seat_number=1, status="booked").count() == 1
    assert Booking.objects.count() == 1


def test_two_concurrent_cancels_of_one_booking_give_one_200_and_one_409(user, show):
    booking = Booking.objects.create(user=user, show=show, seat_number=1)
    client = client_for(user)
    url = f"/bookings/{booking.id}/cancel/"

    statuses = run_at_once([(client, "post", url, None), (client_for(user), "post", url, None)])

    assert sorted(statuses) == [200, 409]
    booking.refresh_from_db()
    assert booking.status == "cancelled"
