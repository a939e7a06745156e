"""The reconciliation and the refunds through a real Celery worker with beat, as
`make worker` runs them: a webhook that never comes is made up for by beat
asking Stripe (localstripe), and a refund is sent by the worker from the outbox."""

import time

import pytest

from core.tests.realservers import CeleryWorker, worker_environ
from orders.models import Order, Refund

from .stripe import CARD_OK
from .test_stripe import checkout, ordered

pytestmark = pytest.mark.django_db(transaction=True)


def until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.2)


def test_beat_settles_an_order_whose_webhook_never_came_and_the_worker_sends_its_refund(
    broker, stripe_on, auth_client, show
):
    worker = CeleryWorker(
        worker_environ(
            broker.url,
            STRIPE_SECRET_KEY="sk_test_localstripe",
            STRIPE_API_BASE=stripe_on.url,
            PAYMENT_RECONCILE_SECONDS="1",
            PAYMENT_RECONCILE_AFTER_MINUTES="0",
        ),
        beat=True,
    )
    worker.start()
    try:
        order = ordered(auth_client, show)
        intent = checkout(auth_client, order)["payment_intent"]
        assert stripe_on.pay(intent, CARD_OK)["status"] == "succeeded"  # no webhook is registered here

        until(lambda: Order.objects.get().status == "paid")

        assert auth_client.post(f"/orders/{order['id']}/cancel/").json()["status"] == "refunded"
        until(lambda: Refund.objects.get().status == "succeeded")
        assert [r["amount"] for r in stripe_on.refunds(intent)] == [2000]
    finally:
        worker.close()
