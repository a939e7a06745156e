"""The premiere: 50 customers with orders for the last 10 seats (each hold
lapsed before the next customer held the seat), all paying at once; Stripe's
webhooks arrive together. On PostgreSQL, against localstripe."""

from collections import Counter

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from bookings.models import Booking
from catalog.tests.factories import make_show
from conftest import client_for, run_at_once
from orders.models import Order, Refund

from .stripe import CARD_OK, money_is_never_lost

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_fifty_customers_paying_for_the_last_ten_seats_get_ten_paid_bookings_and_forty_refunds(
    postgres, movie, stripe_on, webhooks, clock
):
    show = make_show(movie, total_seats=10)
    customers = [
        User.objects.create_user(username=f"fan{n}", password="x", email=f"fan{n}@example.com") for n in range(50)
    ]
    intents = []
    for n, customer in enumerate(customers):
        client = client_for(customer)
        held = client.post(f"/shows/{show.id}/holds/", {"seat_numbers": [n % 10 + 1]}, format="json")
        assert held.status_code == 201, held.json()
        order = client.post("/orders/", {"hold": held.json()["id"]}, format="json").json()
        intents.append(client.post(f"/orders/{order['id']}/pay/").json()["payment_intent"])
        if n % 10 == 9:
            clock.advance(minutes=30)  # this round's holds lapse; the next ten customers hold the same seats
    for intent in intents:
        assert stripe_on.pay(intent, CARD_OK)["status"] == "succeeded"
    events = [webhooks.wait("payment_intent.succeeded", intent) for intent in intents]

    def deliver(request: dict):
        def call() -> int:
            client = APIClient()
            client.raise_request_exception = False
            for _ in range(20):  # Stripe retries what was not a 2xx (a 503: the show was too busy)
                status = client.post(
                    "/payments/stripe/webhook/",
                    data=request["body"],
                    content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=request["headers"]["Stripe-Signature"],
                ).status_code
                if status == 200:
                    break
            return status

        return call

    statuses = run_at_once([deliver(event) for event in events])

    assert Counter(statuses) == {200: 50}
    assert Counter(Order.objects.values_list("status", flat=True)) == {"paid": 10, "expired": 40}
    booked = Booking.objects.filter(show=show, status=Booking.Status.BOOKED)
    assert sorted(booked.values_list("seat_number", flat=True)) == list(range(1, 11))
    refunds = Refund.objects.all()
    assert (refunds.count(), {r.status for r in refunds}, {r.reason for r in refunds}) == (40, {"succeeded"}, {"late"})
    at_stripe = [r for intent in intents for r in stripe_on.refunds(intent)]
    assert len(at_stripe) == 40
    assert Counter(r["amount"] for r in at_stripe) == {1000: 40}
    assert money_is_never_lost() == {"payments": 50, "booked": 10, "refunded_in_full": 40}
