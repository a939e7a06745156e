"""Orders paid online, against localstripe (a stateful fake Stripe server this
test session starts on a free port), with its signed webhooks delivered as
Stripe would deliver them: on time, twice, late, out of order, or never."""

import hashlib
import hmac
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from bookings.models import Booking, Hold
from core.tests.realservers import LocalStripe, StallingProxy, free_port
from orders import services
from orders.models import Order, Payment, Refund
from orders.providers import STRIPE
from orders.tasks import reconcile
from tickets.exceptions import TicketCancelled
from tickets.services import check_in_create

from .stripe import CARD_3DS, CARD_DECLINED, CARD_OK, deliver, money_is_never_lost, signed

pytestmark = pytest.mark.django_db(transaction=True)


def ordered(client, show, seats=(1, 2)) -> dict:
    held = client.post(f"/shows/{show.id}/holds/", {"seat_numbers": list(seats)}, format="json")
    assert held.status_code == 201, held.json()
    made = client.post("/orders/", {"hold": held.json()["id"]}, format="json")
    assert made.status_code == 201, made.json()
    return made.json()


def checkout(client, order: dict) -> dict:
    answer = client.post(f"/orders/{order['id']}/pay/")
    assert answer.status_code == 200, answer.json()
    return answer.json()


def paid_order(client, show, stripe_on, webhooks, seats=(1, 2)) -> tuple[dict, str]:
    order = ordered(client, show, seats)
    intent = checkout(client, order)["payment_intent"]
    assert stripe_on.pay(intent, CARD_OK)["status"] == "succeeded"
    assert deliver(client, webhooks.wait("payment_intent.succeeded", intent)).status_code == 200
    return order, intent


def seats_of(show) -> list[tuple[int, str]]:
    rows = Booking.objects.filter(show=show).exclude(status=Booking.Status.CANCELLED).order_by("seat_number")
    return list(rows.values_list("seat_number", "status"))


def test_a_card_that_succeeds_pays_the_order_books_its_seats_and_sends_one_receipt(
    auth_client, show, stripe_on, webhooks, user
):
    order = ordered(auth_client, show)

    first = checkout(auth_client, order)

    assert first["payment_intent"].startswith("pi_")
    assert first["client_secret"].startswith(first["payment_intent"] + "_secret_")
    assert (first["amount"], first["currency"], first["status"]) == ("20.00", "EUR", "requires_payment_method")
    assert first["publishable_key"] == "pk_test_localstripe"
    assert checkout(auth_client, order)["payment_intent"] == first["payment_intent"]  # one intent per order

    assert stripe_on.pay(first["payment_intent"], CARD_OK)["status"] == "succeeded"
    event = webhooks.wait("payment_intent.succeeded", first["payment_intent"])
    answer = deliver(auth_client, event)

    assert answer.status_code == 200
    assert answer.json() == {"received": True, "duplicate": False}
    body = auth_client.get(f"/orders/{order['id']}/").json()
    assert (body["status"], body["payment_status"], body["amount_paid"]) == ("paid", "succeeded", "20.00")
    assert seats_of(show) == [(1, "booked"), (2, "booked")]
    payment = Payment.objects.get()
    assert (payment.provider, payment.provider_ref, payment.amount, payment.method) == (
        "stripe",
        first["payment_intent"],
        Decimal("20.00"),
        "card",
    )
    (receipt,) = [m for m in mail.outbox if "your tickets" in m.subject]
    assert receipt.to == [user.email]
    assert "Total 20.00 EUR" in receipt.body
    assert "Paid 20.00 EUR by card online" in receipt.body

    again = deliver(auth_client, event)

    assert again.json() == {"received": True, "duplicate": True}
    assert Payment.objects.count() == 1
    assert len([m for m in mail.outbox if "your tickets" in m.subject]) == 1
    assert money_is_never_lost() == {"payments": 1, "booked": 1, "refunded_in_full": 0}


def test_a_declined_card_leaves_the_order_pending_with_the_reason(auth_client, show, stripe_on, webhooks):
    order = ordered(auth_client, show)
    intent = checkout(auth_client, order)["payment_intent"]

    refused = stripe_on.pay(intent, CARD_DECLINED)

    assert refused["status"] == 402  # what Stripe.js shows the customer
    deliver(auth_client, webhooks.wait("payment_intent.payment_failed", intent))
    body = auth_client.get(f"/orders/{order['id']}/").json()
    assert (body["status"], body["payment_status"]) == ("pending_payment", "declined")
    assert body["payment_error"]
    assert seats_of(show) == [(1, "held"), (2, "held")]
    assert not Payment.objects.exists()


def test_a_card_that_needs_3d_secure_is_paid_once_the_customer_authenticates(auth_client, show, stripe_on, webhooks):
    order = ordered(auth_client, show)
    started = checkout(auth_client, order)

    assert stripe_on.pay(started["payment_intent"], CARD_3DS)["status"] == "requires_action"
    assert checkout(auth_client, order)["status"] == "requires_action"
    assert auth_client.get(f"/orders/{order['id']}/").json()["payment_status"] == "requires_action"

    stripe_on.authenticate(started["payment_intent"], started["client_secret"])
    deliver(auth_client, webhooks.wait("payment_intent.succeeded", started["payment_intent"]))

    assert auth_client.get(f"/orders/{order['id']}/").json()["status"] == "paid"
    assert seats_of(show) == [(1, "booked"), (2, "booked")]


def test_a_cancelled_intent_ends_the_order_and_frees_its_seats(auth_client, show, stripe_on, settings):
    order = ordered(auth_client, show)
    intent = checkout(auth_client, order)["payment_intent"]
    stripe_on.call("POST", f"/v1/payment_intents/{intent}/cancel")
    settings.PAYMENT_RECONCILE_AFTER_MINUTES = 0

    assert services.orders_reconcile() == 1

    body = auth_client.get(f"/orders/{order['id']}/").json()
    assert (body["status"], body["payment_status"]) == ("cancelled", "canceled")
    assert seats_of(show) == []
    assert services.orders_reconcile() == 0  # settled: not asked about again


def test_a_lost_webhook_is_made_up_for_by_the_reconciliation_and_the_late_one_changes_nothing(
    auth_client, show, stripe_on, webhooks, settings
):
    order = ordered(auth_client, show)
    intent = checkout(auth_client, order)["payment_intent"]
    stripe_on.pay(intent, CARD_OK)
    settings.PAYMENT_RECONCILE_AFTER_MINUTES = 0

    services.orders_reconcile()

    assert Order.objects.get().status == "paid"
    assert seats_of(show) == [(1, "booked"), (2, "booked")]

    late = deliver(auth_client, webhooks.wait("payment_intent.succeeded", intent))

    assert late.status_code == 200
    assert Payment.objects.count() == 1
    assert len([m for m in mail.outbox if "your tickets" in m.subject]) == 1
    assert money_is_never_lost() == {"payments": 1, "booked": 1, "refunded_in_full": 0}


def test_a_failure_told_after_the_success_changes_nothing(auth_client, show, stripe_on, webhooks):
    order, intent = paid_order(auth_client, show, stripe_on, webhooks)
    failed = {
        "id": "evt_out_of_order",
        "type": "payment_intent.payment_failed",
        "data": {
            "object": {
                "id": intent,
                "object": "payment_intent",
                "status": "requires_payment_method",
                "amount": 2000,
                "currency": "eur",
                "metadata": {"order": str(order["id"])},
                "last_payment_error": {"message": "Your card was declined."},
            }
        },
    }

    assert deliver(auth_client, signed(failed)).status_code == 200

    body = auth_client.get(f"/orders/{order['id']}/").json()
    assert (body["status"], body["payment_status"], body["payment_error"]) == ("paid", "succeeded", "")


def test_a_payment_after_the_hold_lapsed_books_the_seats_while_they_are_free(
    auth_client, show, stripe_on, webhooks, clock
):
    order = ordered(auth_client, show)
    intent = checkout(auth_client, order)["payment_intent"]
    stripe_on.pay(intent, CARD_OK)
    clock.advance(minutes=30)

    deliver(auth_client, webhooks.wait("payment_intent.succeeded", intent))

    assert Order.objects.get().status == "paid"
    assert seats_of(show) == [(1, "booked"), (2, "booked")]


def test_a_payment_after_the_seats_went_to_someone_else_is_refunded_in_full_and_the_customer_told(
    auth_client, other_client, show, stripe_on, webhooks, clock, user
):
    order = ordered(auth_client, show)
    intent = checkout(auth_client, order)["payment_intent"]
    stripe_on.pay(intent, CARD_OK)
    clock.advance(minutes=30)
    assert other_client.post(f"/shows/{show.id}/book/", {"seat_numbers": [2]}, format="json").status_code == 201

    deliver(auth_client, webhooks.wait("payment_intent.succeeded", intent))

    body = auth_client.get(f"/orders/{order['id']}/").json()
    assert (body["status"], body["amount_paid"], body["amount_refunded"]) == ("expired", "20.00", "20.00")
    refund = Refund.objects.get()
    assert (refund.reason, refund.status, refund.amount) == ("late", "succeeded", Decimal("20.00"))
    (at_stripe,) = stripe_on.refunds(intent)
    assert (at_stripe["id"], at_stripe["amount"]) == (refund.provider_ref, 2000)
    (told,) = [m for m in mail.outbox if "refund" in m.subject]
    assert told.to == [user.email]
    assert "20.00 EUR" in told.body
    assert [seat for seat, _ in seats_of(show)] == [2]  # the other customer's
    assert money_is_never_lost() == {"payments": 1, "booked": 0, "refunded_in_full": 1}


def test_stripe_unreachable_is_a_503_and_changes_nothing(auth_client, show, stripe_on, settings):
    order = ordered(auth_client, show)
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"

    answer = auth_client.post(f"/orders/{order['id']}/pay/")

    assert answer.status_code == 503
    assert answer.json()["code"] == "payment_provider_unavailable"
    assert Order.objects.get().payment_intent == ""
    assert seats_of(show) == [(1, "held"), (2, "held")]


def test_a_stalled_stripe_holds_no_lock_and_answers_within_its_bound(
    auth_client, other_client, show, stripe_on, settings
):
    order = ordered(auth_client, show)
    proxy = StallingProxy("127.0.0.1", stripe_on.port)
    proxy.pause()
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{proxy.port}"
    settings.STRIPE_TIMEOUT_SECONDS = 1.5
    answers = {}

    def pay() -> None:
        started = time.monotonic()
        answers["pay"] = auth_client.post(f"/orders/{order['id']}/pay/")
        answers["took"] = time.monotonic() - started

    try:
        paying = threading.Thread(target=pay)
        paying.start()
        time.sleep(0.3)
        # While the provider stalls, the show's seats are not locked.
        booked = other_client.post(f"/shows/{show.id}/book/", {"seat_numbers": [3]}, format="json")
        paying.join(10)
    finally:
        proxy.close()

    assert booked.status_code == 201
    assert answers["pay"].status_code == 503
    assert answers["took"] < 4
    assert Order.objects.get().payment_intent == ""


def test_a_customer_cancelling_a_paid_order_before_the_cutoff_gets_the_total_less_the_fee(
    auth_client, show, stripe_on, webhooks, settings, staff_user
):
    settings.REFUND_FEE = Decimal("1.50")
    order, intent = paid_order(auth_client, show, stripe_on, webhooks)
    quote = auth_client.get(f"/orders/{order['id']}/").json()["refund_if_cancelled"]
    assert (quote["amount"], quote["fee"]) == ("18.50", "1.50")
    ticket = Booking.objects.get(status=Booking.Status.BOOKED, seat_number=1)

    answer = auth_client.post(f"/orders/{order['id']}/cancel/")

    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["amount_refunded"], body["refund_if_cancelled"]) == ("refunded", "18.50", None)
    assert seats_of(show) == []
    (at_stripe,) = stripe_on.refunds(intent)
    assert at_stripe["amount"] == 1850
    assert Refund.objects.get().status == "succeeded"
    assert any("refund" in m.subject and "18.50 EUR" in m.body for m in mail.outbox)
    with pytest.raises(TicketCancelled):
        check_in_create(code=ticket.code, by=staff_user, show_id=show.pk)
    assert money_is_never_lost() == {"payments": 1, "booked": 0, "refunded_in_full": 1}


def test_after_the_cutoff_a_paid_order_can_not_be_cancelled(auth_client, show, stripe_on, webhooks, settings):
    order, _ = paid_order(auth_client, show, stripe_on, webhooks)
    settings.REFUND_CUTOFF_MINUTES = 3 * 24 * 60  # the show is tomorrow

    answer = auth_client.post(f"/orders/{order['id']}/cancel/")

    assert answer.status_code == 409
    assert answer.json()["code"] == "refund_refused"
    assert auth_client.get(f"/orders/{order['id']}/").json()["refund_if_cancelled"] is None
    assert seats_of(show) == [(1, "booked"), (2, "booked")]
    assert not Refund.objects.exists()


def test_staff_refund_one_seat_then_the_rest(auth_client, show, stripe_on, webhooks, staff_user):
    order, intent = paid_order(auth_client, show, stripe_on, webhooks)

    services.order_refund(order_id=order["id"], by=staff_user, seat_numbers=[1])

    assert Order.objects.get().status == "partially_refunded"
    assert seats_of(show) == [(2, "booked")]
    services.order_refund(order_id=order["id"], by=staff_user)
    assert Order.objects.get().status == "refunded"
    assert seats_of(show) == []
    assert sorted(r["amount"] for r in stripe_on.refunds(intent)) == [1000, 1000]
    assert money_is_never_lost() == {"payments": 1, "booked": 0, "refunded_in_full": 1}


def test_a_refund_that_reached_stripe_before_its_answer_was_lost_is_not_sent_twice(
    auth_client, show, stripe_on, webhooks, staff_user, settings
):
    order, intent = paid_order(auth_client, show, stripe_on, webhooks)
    reachable = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # the outbox's first try fails
    services.order_refund(order_id=order["id"], by=staff_user)
    refund = Refund.objects.get()
    assert refund.status == "pending"
    settings.STRIPE_API_BASE = reachable
    STRIPE.refund(refund)  # a try that got through, its answer lost with the worker

    services.refund_send(refund.pk)

    (at_stripe,) = stripe_on.refunds(intent)
    refund.refresh_from_db()
    assert (refund.status, refund.provider_ref) == ("succeeded", at_stripe["id"])


def test_a_seat_of_a_paid_order_is_not_cancelled_on_its_own(auth_client, show, stripe_on, webhooks):
    order, _ = paid_order(auth_client, show, stripe_on, webhooks)
    booking = Booking.objects.get(status=Booking.Status.BOOKED, seat_number=1)

    answer = auth_client.post(f"/bookings/{booking.pk}/cancel/")

    assert answer.status_code == 409
    assert answer.json()["code"] == "booking_of_order"
    assert seats_of(show) == [(1, "booked"), (2, "booked")]


def test_a_badly_signed_event_is_refused_and_changes_nothing(auth_client, show, stripe_on, webhooks):
    order = ordered(auth_client, show)
    intent = checkout(auth_client, order)["payment_intent"]
    forged = signed(
        {"id": "evt_forged", "type": "payment_intent.succeeded", "data": {"object": {"id": intent}}},
        secret="whsec_not_ours",
    )

    answer = deliver(auth_client, forged)

    assert answer.status_code == 400
    assert answer.json()["code"] == "bad_signature"
    assert Order.objects.get().status == "pending_payment"


def test_stripe_sends_its_webhook_to_the_running_service(live_server, auth_client, show, stripe_on):
    stripe_on.send_webhooks_to(live_server.url + "/payments/stripe/webhook/")
    order = ordered(auth_client, show)
    intent = checkout(auth_client, order)["payment_intent"]

    stripe_on.pay(intent, CARD_OK)

    deadline = time.monotonic() + 15
    while Order.objects.get().status != "paid" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Order.objects.get().status == "paid"
    assert Hold.objects.get().status == "confirmed"
    assert seats_of(show) == [(1, "booked"), (2, "booked")]


def test_the_hold_is_extended_for_the_payment_but_an_unpaid_order_still_expires(auth_client, show, stripe_on, clock):
    order = ordered(auth_client, show)
    checkout(auth_client, order)
    clock.advance(minutes=17)

    assert auth_client.get(f"/orders/{order['id']}/").json()["status"] == "expired"
    assert auth_client.post(f"/orders/{order['id']}/pay/").status_code == 409
    assert Order.objects.get().expires_at - Order.objects.get().created_at == timedelta(minutes=16)


def test_an_expired_orders_intent_is_cancelled_at_stripe_so_it_can_not_be_paid_later(
    auth_client, show, stripe_on, settings, clock
):
    order = ordered(auth_client, show)
    intent = checkout(auth_client, order)["payment_intent"]
    clock.advance(minutes=30)
    settings.PAYMENT_RECONCILE_AFTER_MINUTES = 0

    reconcile()

    assert stripe_on.call("GET", f"/v1/payment_intents/{intent}")["status"] == "canceled"
    body = auth_client.get(f"/orders/{order['id']}/").json()
    assert (body["status"], body["payment_status"]) == ("expired", "canceled")


def test_an_order_paid_at_the_box_office_and_online_keeps_one_payment_and_refunds_the_other(
    auth_client, show, stripe_on, webhooks, staff_user
):
    order = ordered(auth_client, show)
    intent = checkout(auth_client, order)["payment_intent"]
    services.order_pay_at_box_office(order_id=order["id"], method="cash", by=staff_user)
    stripe_on.pay(intent, CARD_OK)

    deliver(auth_client, webhooks.wait("payment_intent.succeeded", intent))

    assert Order.objects.get().status == "paid"
    refund = Refund.objects.get()
    assert (refund.reason, refund.status, refund.payment.provider) == ("already_settled", "succeeded", "stripe")
    assert [r["amount"] for r in stripe_on.refunds(intent)] == [2000]
    assert money_is_never_lost() == {"payments": 2, "booked": 1, "refunded_in_full": 1}


def test_a_refund_stripe_refuses_is_marked_failed_for_staff(auth_client, show, stripe_on, webhooks, staff_user):
    order, _ = paid_order(auth_client, show, stripe_on, webhooks)
    Payment.objects.update(provider_ref="pi_unknown_to_stripe")

    services.order_refund(order_id=order["id"], by=staff_user)

    refund = Refund.objects.get()
    assert refund.status == "failed"
    assert "refused" in refund.failure


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"id": "evt_1"}', b'{"id": "evt_2", "type": "payment_intent.succeeded", "data": 3}'],
)
def test_a_signed_body_that_is_not_a_stripe_event_is_refused(api_client, stripe_on, body):
    stamp = int(time.time())
    signature = hmac.new(LocalStripe.webhook_secret.encode(), b"%d.%s" % (stamp, body), hashlib.sha256).hexdigest()

    answer = api_client.post(
        "/payments/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={stamp},v1={signature}",
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "bad_signature"
