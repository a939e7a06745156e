"""Offers made by real Celery workers (with beat) against a private Redis broker and an SMTP
server of the test's own: an offer and its e-mail happen exactly once when two workers
sweep at once, when the broker is down for a while, and when a worker dies mid-offer."""

import time

import psycopg
import pytest

from accounts.models import User
from bookings.models import Booking, Hold
from bookings.tests.factories import make_booking
from catalog.tests.factories import make_screen, make_show
from conftest import client_for
from core.tests import realservers
from core.tests.realservers import CeleryWorker, worker_environ
from outbox.tests.conftest import CLAIM_SECONDS, smtp, until  # noqa: F401  # smtp: the fixture
from waitlist.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)


def worker_for(broker, smtp, **env):  # noqa: F811  # the fixture's value
    return CeleryWorker(
        worker_environ(
            broker.url,
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            DJANGO_EMAIL_HOST="127.0.0.1",
            DJANGO_EMAIL_PORT=str(smtp.port),
            OUTBOX_CLAIM_SECONDS=str(CLAIM_SECONDS),
            WAITING_LIST_SWEEP_SECONDS="1",
            **env,
        ),
        beat=True,  # the schedule: the outbox's sweep and the waiting list's
    )


@pytest.fixture
def workers(broker, smtp):  # noqa: F811
    started: list[CeleryWorker] = []

    def start(**env):
        worker = worker_for(broker, smtp, **env)
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.close()


@pytest.fixture
def sold_out(movie):
    """A show of four seats, each booked by its own customer, with three customers waiting for one."""
    show = make_show(movie, screen=make_screen(layout=[{"row": "A", "seats": 4}]))
    owners = []
    for number in range(1, 5):
        owner = User.objects.create_user(username=f"owner{number}", email=f"owner{number}@example.com", password="x")
        make_booking(user=owner, show=show, seat_number=number)
        owners.append(owner)
    for n in range(3):
        waiting = client_for(User.objects.create_user(username=f"wait{n}", email=f"wait{n}@example.com", password="x"))
        assert waiting.post(f"/shows/{show.id}/waiting-list/", {"seats": 1}, format="json").status_code == 201
    return show, owners


def give_back(show, owner):
    booking = Booking.objects.get(show=show, user=owner, status="booked")
    assert client_for(owner).post(f"/bookings/{booking.pk}/cancel/").status_code == 200


def offers_to(smtp):  # noqa: F811
    return sorted(m["To"] for m in smtp.messages if "held for you" in m["Subject"])


def test_a_worker_offers_a_seat_that_comes_back_and_emails_it_once(workers, smtp, sold_out):  # noqa: F811
    show, owners = sold_out
    workers()

    give_back(show, owners[1])

    until(lambda: offers_to(smtp) == ["wait0@example.com"])
    offer = Hold.objects.get(waiting_entry__user__username="wait0")
    assert (offer.waiting_entry.status, offer.seats[0]["label"]) == ("offered", "A2")
    time.sleep(3)  # three more sweeps: nothing more to offer, nothing offered again
    assert offers_to(smtp) == ["wait0@example.com"]
    assert Entry.objects.filter(status="offered").count() == 1


def test_two_workers_sweeping_at_once_make_each_offer_once(workers, smtp, sold_out):  # noqa: F811
    show, owners = sold_out
    workers(), workers()

    give_back(show, owners[0])
    give_back(show, owners[3])

    until(lambda: len(offers_to(smtp)) == 2)
    time.sleep(3)
    assert offers_to(smtp) == ["wait0@example.com", "wait1@example.com"]
    statuses = list(Entry.objects.order_by("created_at", "id").values_list("status", flat=True))
    assert statuses == ["offered", "offered", "waiting"]
    held = sorted(Booking.objects.filter(show=show, status="held").values_list("seat_label", flat=True))
    assert held == ["A1", "A4"]


def test_with_the_broker_down_a_seat_that_comes_back_is_offered_once_it_returns(
    workers,
    broker,
    smtp,  # noqa: F811
    sold_out,
):
    show, owners = sold_out
    workers()
    broker.stop()

    give_back(show, owners[2])  # the customer's cancellation does not wait on the broker
    time.sleep(3)
    assert Entry.objects.filter(status="offered").count() == 0
    # The seat is still the list's: nobody else takes it while no offer can be made.
    newcomer = client_for(User.objects.create_user(username="newcomer", password="x"))
    refused = newcomer.post(f"/shows/{show.id}/holds/", {"seat_labels": ["A3"]}, format="json")
    assert refused.json()["code"] == "waiting_list"

    broker.start()
    until(lambda: offers_to(smtp) == ["wait0@example.com"], timeout=60)
    time.sleep(3)
    assert offers_to(smtp) == ["wait0@example.com"]
    assert Hold.objects.get(waiting_entry__status="offered").seats[0]["label"] == "A3"


def test_a_worker_killed_in_the_middle_of_an_offer_offers_once_after_restart(
    postgres,
    broker,
    smtp,  # noqa: F811
    sold_out,
):
    show, owners = sold_out
    give_back(show, owners[0])
    worker = worker_for(broker, smtp, BOOKING_LOCK_TIMEOUT_MS="120000", DATABASE_STATEMENT_TIMEOUT_MS="120000")
    with psycopg.connect(realservers.test_database_url(), autocommit=False) as blocker:
        # The test locks the first entry's row: the worker's offer stops inside its
        # transaction, after it wrote the hold and its seat, as it marks the entry offered.
        first = Entry.objects.get(user__username="wait0")
        blocker.execute(f"SELECT id FROM {Entry._meta.db_table} WHERE id = %s FOR UPDATE", [first.pk])
        worker.start()
        try:
            until(lambda: waiting_on_a_lock())
            (waiting,) = waiting_on_a_lock()
            assert waiting.startswith('UPDATE "waitlist_entry"'), waiting
            # Mid-offer: its session waits on inside the transaction, and rolls it
            # back once it has the lock and finds its client gone.
            worker.kill()
            assert Entry.objects.filter(status="offered").count() == 0
            blocker.rollback()
            worker.start()
            until(lambda: offers_to(smtp) == ["wait0@example.com"], timeout=60)
            time.sleep(3)
        finally:
            worker.close()
    assert offers_to(smtp) == ["wait0@example.com"]
    assert Entry.objects.filter(status="offered").count() == 1
    assert Booking.objects.filter(show=show, status="held").count() == 1
    assert Hold.objects.filter(show=show).count() == 1  # the killed attempt's hold never committed


def waiting_on_a_lock() -> list[str]:
    """What the sessions waiting for a row lock run, read afresh (a transaction would keep seeing one snapshot)."""
    with psycopg.connect(realservers.test_database_url(), autocommit=True) as connection:
        rows = connection.execute("SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock'").fetchall()
    return [query for (query,) in rows]
