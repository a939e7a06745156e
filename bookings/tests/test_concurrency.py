"""Real concurrent requests: threads, each with its own database connection.

Every test runs on SQLite (a file database, config/test_settings.py, where
writers queue on the database lock) and on PostgreSQL (where they queue on the
show row); the lock-timeout tests need PostgreSQL. Each asserts the responses
and the rows left in the database.
"""

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Event

import psycopg
import pytest
from django.db import connection, transaction
from django.db.models import Count
from rest_framework.test import APIClient

from accounts.models import User
from bookings.models import Booking, Hold
from bookings.services import holds_expire
from bookings.tests.factories import make_booking
from catalog.tests.factories import make_show
from conftest import client_for, post, run_at_once
from core.db import set_lock_timeout
from core.models import IdempotencyKey

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

THREADS = 12


def new_users(count: int) -> list[User]:
    return [User.objects.create_user(username=f"fan{n}", password="x") for n in range(count)]


def new_clients(count: int) -> list[APIClient]:
    return [client_for(user) for user in new_users(count)]


def booked_seat_counts(show, statuses=("booked",)) -> Counter:
    rows = Booking.objects.filter(show=show, status__in=statuses).values("seat_number").annotate(n=Count("id"))
    return Counter({row["seat_number"]: row["n"] for row in rows})


def test_many_clients_booking_one_seat_get_one_201_and_the_rest_409(show):
    url = f"/shows/{show.id}/book/"

    responses = run_at_once([post(c, url, {"seat_number": 1}) for c in new_clients(THREADS)])

    assert sorted(r.status_code for r in responses) == [201] + [409] * (THREADS - 1)
    (winner,) = [r for r in responses if r.status_code == 201]
    booking = Booking.objects.get()
    assert (booking.id, booking.seat_number, booking.status) == (winner.json()["id"], 1, "booked")


def test_overlapping_multi_seat_requests_have_disjoint_winners_and_losers_book_nothing(movie):
    # Every pair of the first three overlaps, so exactly one of them wins; the
    # fourth overlaps none and always wins.
    requests = [[1, 2, 3], [3, 4, 5], [5, 6, 1], [7, 8]]
    users = new_users(len(requests))
    clients = [client_for(user) for user in users]
    for round_ in range(5):
        show = make_show(movie, total_seats=10)
        url = f"/shows/{show.id}/book/"
        # Rotate who sends what, so no client is always first in line.
        order = requests[round_ % 4 :] + requests[: round_ % 4]

        responses = run_at_once(
            [post(c, url, {"seat_numbers": seats}) for c, seats in zip(clients, order, strict=True)]
        )

        statuses = [r.status_code for r in responses]
        assert sorted(statuses) == [201, 201, 409, 409], statuses
        for user, seats, response in zip(users, order, responses, strict=True):
            mine = set(Booking.objects.filter(show=show, user=user).values_list("seat_number", flat=True))
            if response.status_code == 201:
                assert mine == set(seats)
            else:
                assert mine == set()
                assert set(response.json()["seat_numbers"]) & set(seats)
        counts = booked_seat_counts(show)
        assert set(counts.values()) == {1}  # no seat has two booked rows
        won = [set(seats) for seats, r in zip(order, responses, strict=True) if r.status_code == 201]
        assert won[0].isdisjoint(won[1])
        assert set(counts) == won[0] | won[1]


def test_book_and_cancel_of_one_seat_at_once_leave_a_consistent_state(movie):
    owner, newcomer = new_clients(2)
    for _ in range(5):
        show = make_show(movie, total_seats=5)
        booking_id = owner.post(f"/shows/{show.id}/book/", {"seat_number": 1}, format="json").json()["id"]

        cancel, book = run_at_once(
            [
                post(owner, f"/bookings/{booking_id}/cancel/"),
                post(newcomer, f"/shows/{show.id}/book/", {"seat_number": 1}),
            ]
        )

        assert cancel.status_code == 200
        assert book.status_code in (201, 409)
        assert Booking.objects.get(pk=booking_id).status == "cancelled"
        assert booked_seat_counts(show)[1] == (1 if book.status_code == 201 else 0)


def test_two_concurrent_cancels_of_one_booking_give_one_200_and_one_409(user, show):
    booking = make_booking(user=user, show=show, seat_number=1)
    url = f"/bookings/{booking.id}/cancel/"

    responses = run_at_once([post(client_for(user), url), post(client_for(user), url)])

    assert sorted(r.status_code for r in responses) == [200, 409]
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_the_same_idempotency_key_sent_at_once_books_once_and_answers_identically(user, show):
    url = f"/shows/{show.id}/book/"
    calls = [
        post(client_for(user), url, {"seat_numbers": [3, 4]}, HTTP_IDEMPOTENCY_KEY="double-click") for _ in range(8)
    ]

    responses = run_at_once(calls)

    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 7
    assert Booking.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1


def test_control_an_unprotected_check_then_insert_does_double_book():
    """The harness can see a race: without lock or constraint, the same scenario sells a seat twice.

    If this test ever fails, the threads above are not really concurrent and
    their green results prove nothing.
    """
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE race_control (show_id integer NOT NULL, seat_number integer NOT NULL)")
    try:

        def unprotected_booking():
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM race_control WHERE show_id = 1 AND seat_number = 1")
                if cursor.fetchone()[0]:
                    return 409
                time.sleep(0.05)  # a request doing some work between its check and its insert
                cursor.execute("INSERT INTO race_control (show_id, seat_number) VALUES (1, 1)")
                return 201

        statuses = run_at_once([unprotected_booking] * THREADS)

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM race_control")
            rows = cursor.fetchone()[0]
        assert statuses.count(201) > 1
        assert rows == statuses.count(201) > 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE race_control")


# Lock timeouts (PostgreSQL: SQLite has no row locks)


def hold_lock(sql: str, params: list, held: Event, release: Event) -> None:
    """In a separate connection, take a lock and keep it until ``release`` is set."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or None
    ) as conn:
        conn.execute(sql, params)
        held.set()
        release.wait(timeout=30)
        conn.rollback()


def request_while_locked(sql: str, params: list, call):
    held, release = Event(), Event()
    with ThreadPoolExecutor(1) as pool:
        holder = pool.submit(hold_lock, sql, params, held, release)
        while not held.wait(timeout=0.1):
            if holder.done():
                holder.result()  # the lock could not be taken: show why
        started = time.monotonic()
        try:
            response = call()
        finally:
            release.set()
        holder.result()
    return response, time.monotonic() - started


def lock_timeout_ms() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXTRACT(EPOCH FROM current_setting('lock_timeout')::interval) * 1000")
        return float(cursor.fetchone()[0])


def test_connections_open_with_the_lock_timeout_and_a_setting_changed_since_applies_per_transaction(postgres, settings):
    # Set once per connection (no statement per booking) ...
    opened_with = settings.BOOKING_LOCK_TIMEOUT_MS
    assert lock_timeout_ms() == opened_with > 0
    # ... and a setting changed while the connection is open still takes effect, for that transaction.
    settings.BOOKING_LOCK_TIMEOUT_MS = 500
    with transaction.atomic():
        set_lock_timeout()
        assert lock_timeout_ms() == 500
    settings.BOOKING_LOCK_TIMEOUT_MS = opened_with
    assert lock_timeout_ms() == opened_with


def test_a_booking_that_cannot_get_the_show_lock_in_time_is_503_with_retry_after(
    postgres, settings, show, user, events
):
    settings.BOOKING_LOCK_TIMEOUT_MS = 500

    response, elapsed = request_while_locked(
        "SELECT id FROM catalog_show WHERE id = %s FOR UPDATE",
        [show.id],
        post(client_for(user), f"/shows/{show.id}/book/", {"seat_number": 1}),
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "show_busy"
    assert 0.5 <= elapsed < 2.5
    assert not Booking.objects.exists()
    (line,) = [line for line in events() if line["event"] == "lock_timeout"]
    assert (line["action"], line["show_id"], line["user_id"], line["level"]) == ("book", show.id, user.id, "WARNING")


@pytest.mark.parametrize("action", ["hold", "cancel"])
def test_every_seat_change_that_cannot_get_the_show_lock_logs_who_and_which_show(
    postgres, settings, show, user, events, action
):
    settings.BOOKING_LOCK_TIMEOUT_MS = 500
    booking = make_booking(user=user, show=show, seat_number=9)
    url, body = {
        "hold": (f"/shows/{show.id}/holds/", {"seat_number": 1}),
        "cancel": (f"/bookings/{booking.id}/cancel/", None),
    }[action]

    response, _ = request_while_locked(
        "SELECT id FROM catalog_show WHERE id = %s FOR UPDATE", [show.id], post(client_for(user), url, body)
    )

    assert response.status_code == 503
    assert response.json()["code"] == "show_busy"
    (line,) = [line for line in events() if line["event"] == "lock_timeout"]
    assert (line["action"], line["show_id"], line["user_id"]) == (action, show.id, user.id)


def test_a_duplicate_of_a_request_still_in_progress_is_409_with_retry_after(postgres, settings, show, user):
    settings.BOOKING_LOCK_TIMEOUT_MS = 500

    response, elapsed = request_while_locked(
        "INSERT INTO bookings_idempotencykey (user_id, key, fingerprint, response_body, created_at) "
        "VALUES (%s, 'k1', '', '', now())",
        [user.id],
        post(client_for(user), f"/shows/{show.id}/book/", {"seat_number": 1}, HTTP_IDEMPOTENCY_KEY="k1"),
    )

    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "idempotency_key_in_progress"
    assert elapsed < 2.5
    assert not Booking.objects.exists()


# Holds: one owner per seat at every moment


def test_overlapping_holds_at_once_have_disjoint_winners(movie):
    requests = [[1, 2, 3], [3, 4, 5], [5, 6, 1], [7, 8]]
    users = new_users(len(requests))
    for _ in range(3):
        show = make_show(movie, total_seats=10)
        url = f"/shows/{show.id}/holds/"

        responses = run_at_once(
            [post(client_for(u), url, {"seat_numbers": seats}) for u, seats in zip(users, requests, strict=True)]
        )

        assert sorted(r.status_code for r in responses) == [201, 201, 409, 409]
        won = [set(seats) for seats, r in zip(requests, responses, strict=True) if r.status_code == 201]
        assert won[0].isdisjoint(won[1])
        counts = booked_seat_counts(show, statuses=["held"])
        assert set(counts.values()) == {1}
        assert set(counts) == won[0] | won[1]


def test_a_hold_and_a_booking_racing_for_one_seat_leave_one_owner(movie):
    holder, booker = new_clients(2)
    for _ in range(5):
        show = make_show(movie, total_seats=5)

        held, booked = run_at_once(
            [
                post(holder, f"/shows/{show.id}/holds/", {"seat_numbers": [1]}),
                post(booker, f"/shows/{show.id}/book/", {"seat_number": 1}),
            ]
        )

        assert sorted([held.status_code, booked.status_code]) == [201, 409]
        assert sum(booked_seat_counts(show, statuses=["held", "booked"]).values()) == 1


def test_after_expiry_a_confirm_and_a_new_hold_race_and_one_wins(movie, clock):
    owner, rival = new_clients(2)
    for _ in range(5):
        show = make_show(movie, total_seats=5)
        hold_id = owner.post(f"/shows/{show.id}/holds/", {"seat_numbers": [1, 2]}, format="json").json()["id"]
        clock.advance(minutes=9)

        confirmed, held = run_at_once(
            [post(owner, f"/holds/{hold_id}/confirm/"), post(rival, f"/shows/{show.id}/holds/", {"seat_numbers": [2]})]
        )

        assert sorted([confirmed.status_code, held.status_code]) == [201, 409]
        counts = booked_seat_counts(show, statuses=["held", "booked"])
        assert counts[2] == 1
        assert set(counts.values()) == {1}


def test_a_confirm_racing_the_expiry_job_ends_confirmed_and_whole(movie, user, clock):
    client = client_for(user)
    for _ in range(5):
        show = make_show(movie, total_seats=5)
        hold_id = client.post(f"/shows/{show.id}/holds/", {"seat_numbers": [1, 2]}, format="json").json()["id"]
        clock.advance(minutes=9)

        confirmed, _ = run_at_once([post(client, f"/holds/{hold_id}/confirm/"), holds_expire])

        assert confirmed.status_code == 201  # its seats were still free
        assert booked_seat_counts(show, statuses=["booked"]) == {1: 1, 2: 1}
        assert not Booking.objects.filter(show=show, status="held").exists()
        assert Hold.objects.get(pk=hold_id).status == "confirmed"
