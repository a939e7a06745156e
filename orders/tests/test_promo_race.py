"""A promo code's uses under a rush, on PostgreSQL: orders on different shows
(so no show's lock puts them in line) all want the last uses of one code."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from threading import Barrier

import pytest
from django.db import connection

from accounts.models import User
from bookings.services import hold_create
from catalog.tests.factories import make_show
from core.exceptions import ServiceError
from orders import services
from orders.models import Order
from pricing import services as pricing
from pricing.models import PromoCode

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

ORDERS = 100
# PostgreSQL's 100 connections (three kept for superusers) and the test's own:
# the hundred orders come from this many threads, started at one barrier.
THREADS = 90


def race(movie, code: str) -> list[str]:
    """ORDERS customers, each with a hold on a show of their own, order with ``code`` at once."""
    holds = []
    for n in range(ORDERS):
        customer = User.objects.create_user(username=f"fan{n}", password="x")
        show = make_show(movie, total_seats=2)
        holds.append((customer, hold_create(user=customer, show_id=show.pk, seat_numbers=[1]).pk))
    barrier = Barrier(THREADS)
    share = [holds[n::THREADS] for n in range(THREADS)]

    def run(mine) -> list[str]:
        outcomes = []
        try:
            barrier.wait()
            for customer, hold_id in mine:
                try:
                    services.order_create(user=customer, hold_id=hold_id, promo_code=code)
                    outcomes.append("ok")
                except ServiceError as exc:
                    outcomes.append(exc.code)
        finally:
            connection.close()
        return outcomes

    with ThreadPoolExecutor(THREADS) as pool:
        return [outcome for outcomes in pool.map(run, share) for outcome in outcomes]


def test_a_hundred_orders_at_once_use_a_ten_use_code_exactly_ten_times(postgres, movie):
    code = pricing.promo_create(by=None, code="RUSH", kind="percent", value=Decimal("25"), max_uses=10)

    outcomes = race(movie, "rush")

    assert sorted(outcomes) == ["ok"] * 10 + ["promo_code_used_up"] * 90
    assert Order.objects.filter(promo_code=code).count() == 10
    assert Order.objects.count() == 10


def test_the_harness_sees_the_race_when_the_code_is_not_locked(postgres, movie, monkeypatch):
    """The control: reading the code without its row lock lets every order count
    the same uses, and the code is used far more than ten times."""
    import time

    def unlocked(text: str) -> PromoCode:
        found = PromoCode.objects.get(code=pricing.normalize(text))
        time.sleep(0.2)  # every order reads the count before any writes its own
        return found

    monkeypatch.setattr(services, "promo_locked", unlocked)
    pricing.promo_create(by=None, code="RUSH", kind="percent", value=Decimal("25"), max_uses=10)

    outcomes = race(movie, "rush")

    assert outcomes.count("ok") > 10
