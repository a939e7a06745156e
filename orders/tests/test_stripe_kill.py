"""The server killed while it acts on Stripe's webhook: after the event is
recorded and before the seats are booked, in one transaction. On PostgreSQL,
against gunicorn in production mode, with the show's lock held by the test so
that the webhook's transaction is caught half way."""

import os
import signal
import threading
import time

import pytest
import requests
from django.db import transaction

from bookings.models import Booking
from catalog.models import Show
from core.tests.realservers import LocalStripe, ProductionServer
from orders.models import Order, Payment, ProviderEvent

from .stripe import CARD_OK, money_is_never_lost
from .test_stripe import checkout, ordered

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def kill_all(server: ProductionServer) -> None:
    """SIGKILL to gunicorn's workers and master, as a pulled plug would."""
    master = server.process.pid
    with open(f"/proc/{master}/task/{master}/children") as children:
        workers = [int(pid) for pid in children.read().split()]
    for pid in [*workers, master]:
        os.kill(pid, signal.SIGKILL)
    server.process.wait()


def post(server: ProductionServer, event: dict) -> int:
    answer = requests.post(
        f"{server.url}/payments/stripe/webhook/",
        data=event["body"],
        headers={"Content-Type": "application/json", "Stripe-Signature": event["headers"]["Stripe-Signature"]},
        timeout=60,
    )
    return answer.status_code


def test_a_server_killed_half_way_through_a_webhook_leaves_nothing_and_stripes_retry_books_once(
    postgres, auth_client, show, stripe_on, webhooks
):
    order = ordered(auth_client, show)
    intent = checkout(auth_client, order)["payment_intent"]
    stripe_on.pay(intent, CARD_OK)
    event = webhooks.wait("payment_intent.succeeded", intent)
    server = ProductionServer(STRIPE_WEBHOOK_SECRET=LocalStripe.webhook_secret, BOOKING_LOCK_TIMEOUT_MS="30000")
    outcome: dict[str, object] = {}

    def deliver() -> None:
        try:
            outcome["status"] = post(server, event)
        except requests.ConnectionError as exc:
            outcome["error"] = exc

    try:
        with transaction.atomic():
            Show.objects.select_for_update().get(pk=show.pk)  # the webhook waits here, its event row written
            sending = threading.Thread(target=deliver)
            sending.start()
            time.sleep(2)
            kill_all(server)
            sending.join(10)
    finally:
        server.close()

    assert "error" in outcome  # the connection died with the server: Stripe will send it again
    assert not ProviderEvent.objects.exists()
    assert not Payment.objects.exists()
    assert Order.objects.get().status == "pending_payment"

    again = ProductionServer(STRIPE_WEBHOOK_SECRET=LocalStripe.webhook_secret, BOOKING_LOCK_TIMEOUT_MS="30000")
    try:
        assert post(again, event) == 200
        assert post(again, event) == 200  # and once more: acted on once
    finally:
        again.close()

    assert Order.objects.get().status == "paid"
    assert Payment.objects.count() == 1
    assert Booking.objects.filter(show=show, status=Booking.Status.BOOKED).count() == 2
    assert money_is_never_lost() == {"payments": 1, "booked": 1, "refunded_in_full": 0}
