"""Webhooks delivered by a real Celery worker process (threads, so one slow receiver
does not hold up the others) through a private redis-server, to real HTTP receivers."""

import json
import time

import pytest
from standardwebhooks import Webhook

from conftest import client_for
from core.tests.realservers import CeleryWorker, HTTPReceiver, worker_environ
from webhooks.models import Attempt, Endpoint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(broker):
    process = CeleryWorker(
        worker_environ(broker.url, WEBHOOKS_TIMEOUT_SECONDS="3", WEBHOOKS_ALLOW_PRIVATE_URLS="1"),
        pool=("--pool", "threads", "--concurrency", "4"),
        beat=True,  # the sweep, which hands new messages to the workers
    )
    process.start()
    yield process
    process.close()


@pytest.fixture
def customer(django_user_model):
    return client_for(django_user_model.objects.create_user(username="cleo", password="x"))


def test_a_worker_delivers_a_signed_event_and_a_slow_receiver_does_not_hold_up_another(worker, customer, show):
    slow, fast = HTTPReceiver(stall=30), HTTPReceiver()
    slow_endpoint = Endpoint.objects.create(url=slow.url, events=["booking.created"])
    fast_endpoint = Endpoint.objects.create(url=fast.url, events=["booking.created"])

    started = time.monotonic()
    assert customer.post(f"/shows/{show.id}/book/", {"seat_number": 4}, format="json").status_code == 201
    (request,) = fast.wait_for(1)

    assert time.monotonic() - started < 3  # before the slow receiver's 3 s timeout ran out
    event = Webhook(fast_endpoint.secret).verify(request["body"], request["headers"])
    assert (event["type"], event["data"]["seat_numbers"]) == ("booking.created", [4])
    deadline = time.monotonic() + 15
    while not Attempt.objects.filter(endpoint=slow_endpoint).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    slow_attempt = Attempt.objects.get(endpoint=slow_endpoint)
    assert "timed out" in slow_attempt.error
    assert slow_attempt.duration_ms >= 3000
    assert json.loads(request["body"])["id"] == slow_attempt.event_id  # one event, two endpoints
    slow.close()
    fast.close()
