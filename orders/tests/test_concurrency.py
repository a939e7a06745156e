"""Orders paid and cancelled at the same moment, in threads with their own
connections: on SQLite writers queue on the database lock, on PostgreSQL on
the show row. Each test asserts the rows left."""

from functools import partial

import pytest

from accounts.models import User
from bookings.models import Booking
from bookings.services import hold_create
from catalog.tests.factories import make_show
from conftest import run_at_once
from core.exceptions import ServiceError
from orders import services
from orders.models import Order, Payment

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def attempt(call):
    def run():
        try:
            call()
            return "ok"
        except ServiceError as exc:
            return exc.code

    return run


def pending_order(customer: User, show) -> Order:
    hold = hold_create(user=customer, show_id=show.pk, seat_numbers=[1, 2])
    return services.order_create(user=customer, hold_id=hold.pk)


def test_an_order_paid_at_two_counters_at_once_is_paid_once(movie):
    customer = User.objects.create_user(username="fan", password="x")
    tills = [User.objects.create_user(username=f"till{n}", password="x", is_staff=True) for n in range(6)]
    for _ in range(3):
        show = make_show(movie, total_seats=10)
        order = pending_order(customer, show)

        outcomes = run_at_once(
            [
                attempt(partial(services.order_pay_at_box_office, order_id=order.pk, method="cash", by=till))
                for till in tills
            ]
        )

        assert sorted(outcomes) == ["ok"] + ["order_not_pending"] * (len(tills) - 1)
        assert Payment.objects.filter(order=order).count() == 1
        assert Booking.objects.filter(show=show, status="booked").count() == 2


def test_an_order_paid_while_its_customer_cancels_it_is_one_or_the_other(movie):
    customer = User.objects.create_user(username="fan", password="x")
    till = User.objects.create_user(username="till", password="x", is_staff=True)
    for _ in range(5):
        show = make_show(movie, total_seats=10)
        order = pending_order(customer, show)

        paid, cancelled = run_at_once(
            [
                attempt(partial(services.order_pay_at_box_office, order_id=order.pk, method="card", by=till)),
                attempt(partial(services.order_cancel, order_id=order.pk, user=customer)),
            ]
        )

        order.refresh_from_db()
        booked = Booking.objects.filter(show=show, status="booked").count()
        held = Booking.objects.filter(show=show, status="held").count()
        if paid == "ok":  # then the cancellation came second: a paid order's, refunded in full
            assert cancelled in ("ok", "order_not_pending")
            payment = Payment.objects.get(order=order)
            if cancelled == "ok":
                assert (order.status, payment.refunded, booked, held) == ("refunded", payment.amount, 0, 0)
            else:
                assert (order.status, booked, held) == ("paid", 2, 0)
        else:
            assert (paid, cancelled) == ("order_not_pending", "ok")
            assert (order.status, Payment.objects.filter(order=order).count(), booked, held) == ("cancelled", 0, 0, 0)
