"""Refunds of orders paid at the box office (the money goes back at the counter:
no provider is asked), from the admin and by the customer."""

from decimal import Decimal

import pytest
from django.core import mail

from backoffice.selectors import sales_of_day
from bookings.models import Booking, Hold
from bookings.services import holds_expire
from core.exceptions import FieldError
from orders import services
from orders.models import Order, Refund
from orders.tests.stripe import money_is_never_lost

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(auth_client, show, staff_user, django_capture_on_commit_callbacks) -> Order:
    held = auth_client.post(f"/shows/{show.id}/holds/", {"seat_numbers": [1, 2]}, format="json").json()
    made = auth_client.post("/orders/", {"hold": held["id"]}, format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        services.order_pay_at_box_office(order_id=made["id"], method="cash", by=staff_user)
    return Order.objects.get(pk=made["id"])


def booked(show) -> list[int]:
    return list(
        Booking.objects.filter(show=show, status=Booking.Status.BOOKED)
        .order_by("seat_number")
        .values_list("seat_number", flat=True)
    )


def test_staff_refund_a_whole_order_from_the_admin(admin_client_factory, paid, show, staff_user):
    admin = admin_client_factory(staff_user)

    answer = admin.post(
        "/admin/orders/order/", {"action": "refund_in_full", "_selected_action": [paid.pk]}, follow=True
    )

    assert "1 order(s) refunded" in answer.content.decode()
    paid.refresh_from_db()
    assert paid.status == "refunded"
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.reason, refund.created_by) == (
        Decimal("20.00"),
        "succeeded",  # handed back at the counter
        "staff",
        staff_user,
    )
    assert booked(show) == []
    assert money_is_never_lost() == {"payments": 1, "booked": 0, "refunded_in_full": 1}


def test_staff_refund_chosen_seats_for_an_amount_they_set(admin_client_factory, paid, show, staff_user):
    admin = admin_client_factory(staff_user)
    asked = admin.post("/admin/orders/order/", {"action": "refund_seats", "_selected_action": [paid.pk]})
    assert asked.status_code == 200
    assert "Refund seats of order" in asked.content.decode()

    admin.post(
        "/admin/orders/order/",
        {"action": "refund_seats", "_selected_action": [paid.pk], "apply": "1", "seats": ["2"], "amount": "7.50"},
        follow=True,
    )

    paid.refresh_from_db()
    assert paid.status == "partially_refunded"
    assert booked(show) == [1]
    assert Refund.objects.get().amount == Decimal("7.50")
    assert money_is_never_lost() == {"payments": 1, "booked": 1, "refunded_in_full": 0}


def test_a_refund_of_more_than_was_paid_is_a_field_error_and_changes_nothing(paid, show, staff_user):
    with pytest.raises(FieldError) as refused:
        services.order_refund(order_id=paid.pk, by=staff_user, seat_numbers=[1], amount=Decimal("25.00"))

    assert refused.value.field == "amount"
    assert booked(show) == [1, 2]
    assert not Refund.objects.exists()


def test_a_seat_that_is_not_the_orders_is_refused(paid, show, staff_user):
    with pytest.raises(FieldError) as refused:
        services.order_refund(order_id=paid.pk, by=staff_user, seat_numbers=[1, 30])

    assert refused.value.field == "seat_numbers"
    assert booked(show) == [1, 2]


def test_the_customer_cancels_a_paid_order_and_is_told(auth_client, paid, show, settings, user):
    settings.REFUND_FEE = Decimal("2.00")

    answer = auth_client.post(f"/orders/{paid.pk}/cancel/")

    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["amount_refunded"]) == ("refunded", "18.00")
    refund = Refund.objects.get()
    assert (refund.amount, refund.fee, refund.reason) == (Decimal("18.00"), Decimal("2.00"), "cancelled")
    assert booked(show) == []


def test_the_days_takings_count_money_less_refunds(paid, staff_user):
    services.order_refund(order_id=paid.pk, by=staff_user, seat_numbers=[1])

    sales = sales_of_day(paid.paid_at.date())

    assert sales["counter"]["cash"] == Decimal("20.00")
    assert (sales["online"], sales["refunded"], sales["net"]) == (Decimal("0"), Decimal("10.00"), Decimal("10.00"))


def test_ended_holds_of_orders_are_kept_past_their_retention(paid, clock, settings):
    clock.advance(days=settings.HOLD_RETENTION_DAYS + 1)

    expired, deleted = holds_expire()

    assert deleted == 0
    assert Hold.objects.filter(pk=paid.hold_id).exists()


def test_an_expired_order_can_not_be_paid_online_and_nothing_is_asked(auth_client, show, clock):
    held = auth_client.post(f"/shows/{show.id}/holds/", {"seat_numbers": [1]}, format="json").json()
    made = auth_client.post("/orders/", {"hold": held["id"]}, format="json").json()
    clock.advance(minutes=30)

    answer = auth_client.post(f"/orders/{made['id']}/pay/")

    assert answer.status_code == 409
    assert answer.json()["code"] == "order_not_pending"


def test_without_stripe_keys_online_payment_is_refused_clearly(auth_client, show):
    held = auth_client.post(f"/shows/{show.id}/holds/", {"seat_numbers": [1]}, format="json").json()
    made = auth_client.post("/orders/", {"hold": held["id"]}, format="json").json()

    answer = auth_client.post(f"/orders/{made['id']}/pay/")

    assert answer.status_code == 409
    assert answer.json()["code"] == "online_payment_off"
    assert "box office" in answer.json()["detail"]


def test_the_webhook_without_a_secret_configured_is_not_there(api_client):
    answer = api_client.post("/payments/stripe/webhook/", data=b"{}", content_type="application/json")

    assert answer.status_code == 404


def test_the_receipt_of_a_box_office_payment_says_how_it_was_paid(paid, user):
    (receipt,) = [m for m in mail.outbox if "your tickets" in m.subject]
    assert "Paid 20.00 EUR at the box office (cash)" in receipt.body
    assert receipt.to == [user.email]
    assert paid.paid_at is not None


def test_a_walk_in_is_sold_seats_at_the_counter_in_one_step(admin_client_factory, show, staff_user, user):
    admin = admin_client_factory(staff_user)
    assert admin.get("/admin/orders/order/sell/").status_code == 200

    answer = admin.post(
        "/admin/orders/order/sell/",
        {"show": show.pk, "seats": "A1, A2", "method": "card", "customer": user.email},
        follow=True,
    )

    assert "Sold A1, A2 for 20.00 EUR (card)" in answer.content.decode()
    order = Order.objects.get()
    assert (order.user, order.status, order.payments.get().taken_by) == (user, "paid", staff_user)
    assert booked(show) == [1, 2]


def test_a_walk_in_sale_of_a_taken_seat_records_nothing(admin_client_factory, other_client, show, staff_user):
    assert other_client.post(f"/shows/{show.id}/book/", {"seat_numbers": [2]}, format="json").status_code == 201
    admin = admin_client_factory(staff_user)

    answer = admin.post("/admin/orders/order/sell/", {"show": show.pk, "seats": "A1 A2", "method": "cash"})

    assert answer.status_code == 200
    assert "Seat 2 is already booked." in answer.content.decode()
    assert not Order.objects.exists()
    assert not Hold.objects.exists()
    assert booked(show) == [2]
