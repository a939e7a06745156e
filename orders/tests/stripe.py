"""What the Stripe tests share: localstripe, its webhooks caught on their way, and the money invariant."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest

from bookings.models import Booking
from core.tests.realservers import HTTPReceiver, LocalStripe
from orders.models import Order, Payment

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"  # attaches, then fails when charged
CARD_3DS = "4000000000003220"  # requires 3-D Secure


@pytest.fixture(scope="session")
def localstripe():
    server = LocalStripe()
    yield server
    server.close()


@pytest.fixture
def stripe_on(settings, localstripe) -> LocalStripe:
    settings.STRIPE_SECRET_KEY = "sk_test_localstripe"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_localstripe"
    settings.STRIPE_WEBHOOK_SECRET = LocalStripe.webhook_secret
    settings.STRIPE_API_BASE = localstripe.url
    settings.STRIPE_TIMEOUT_SECONDS = 5
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    return localstripe


class Webhooks:
    """localstripe's signed webhook requests, caught by a receiver, for a test to deliver
    to the service when and as often as it likes (lost, twice, late, out of order)."""

    def __init__(self, stripe: LocalStripe) -> None:
        self.receiver = HTTPReceiver()
        stripe.send_webhooks_to(self.receiver.url)

    def wait(self, event_type: str, intent: str, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for request in list(self.receiver.requests):
                event = json.loads(request["body"])
                if event["type"] == event_type and event["data"]["object"]["id"] == intent:
                    return request
            time.sleep(0.05)
        raise AssertionError(f"no {event_type} for {intent} within {timeout} s")

    def close(self) -> None:
        self.receiver.close()


@pytest.fixture
def webhooks(stripe_on):
    caught = Webhooks(stripe_on)
    yield caught
    caught.close()


def deliver(client, request: dict):
    """Hand a caught webhook request to the service, as Stripe would."""
    return client.post(
        "/payments/stripe/webhook/",
        data=request["body"],
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=request["headers"]["Stripe-Signature"],
    )


def signed(event: dict, secret: str = LocalStripe.webhook_secret) -> dict:
    """A webhook request made here and signed as Stripe signs (for events localstripe never sends)."""
    body = json.dumps(event).encode()
    stamp = int(time.time())
    signature = hmac.new(secret.encode(), b"%d.%s" % (stamp, body), hashlib.sha256).hexdigest()
    return {"body": body, "headers": {"Stripe-Signature": f"t={stamp},v1={signature}"}}


def money_is_never_lost() -> dict[str, int]:
    """The invariant: each payment ends in booked seats or in a refund of all of
    it (less a cancellation fee the customer was quoted); each booked seat of an
    order has a payment behind it. Returns the counts."""
    counts = {"payments": 0, "booked": 0, "refunded_in_full": 0}
    for payment in Payment.objects.select_related("order"):
        counts["payments"] += 1
        refunds = sum((r.amount for r in payment.refunds.all()), Decimal("0"))
        fees = sum((r.fee for r in payment.refunds.all()), Decimal("0"))
        assert refunds == payment.refunded, payment
        booked = Booking.objects.filter(reference=payment.order.reference, status=Booking.Status.BOOKED).count()
        if payment.refunded + fees == payment.amount:
            counts["refunded_in_full"] += 1
        else:
            assert booked > 0, f"{payment} kept without seats"
            assert payment.order.status in (Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED), payment.order
            counts["booked"] += 1
    for order in Order.objects.all():
        booked = Booking.objects.filter(reference=order.reference, status=Booking.Status.BOOKED).exists()
        kept = sum((p.amount - p.refunded for p in order.payments.all()), Decimal("0"))
        assert not booked or kept > 0, f"{order} has seats without money"
    return counts
