"""Random orders through the service and the API: whatever the mix of ticket
types, code and fee, the answer, the booked rows, the receipt's sums and the
report agree to the cent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from bookings.models import Booking
from bookings.reports import show_report, ticket_type_report
from bookings.services import hold_create
from catalog.models import Show, TicketType
from catalog.tests.factories import make_movie, make_screen, make_show
from orders import services
from pricing.services import promo_create

pytestmark = pytest.mark.django_db

LAYOUT = [{"row": "A", "seats": 6}, {"row": "B", "seats": 6, "tier": "premium"}]
TYPES = ["adult", "child", "senior"]
codes = st.one_of(
    st.none(),
    st.tuples(st.just("percent"), st.decimals("0.01", "100", places=2)),
    st.tuples(st.just("amount"), st.decimals("0.01", "60", places=2)),
    st.tuples(st.just("free_seats"), st.integers(1, 3).map(Decimal)),
)


@pytest.fixture
def priced(db, staff_user):
    TicketType.objects.create(code="child", name="Child", position=1)
    TicketType.objects.create(code="senior", name="Senior", position=2)
    screen = make_screen(layout=LAYOUT)
    screen.ticket_prices = {
        "child": {"standard": "6.35", "premium": "9.15"},
        "senior": {"standard": "7.05", "premium": "11.95"},
    }
    screen.save()
    return make_movie(), screen


@examples(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seats=st.lists(
        st.tuples(st.integers(1, 12), st.sampled_from(TYPES)), min_size=1, max_size=8, unique_by=lambda s: s[0]
    ),
    code=codes,
    fee=st.decimals("0", "2.50", places=2),
    per=st.sampled_from(["ticket", "order"]),
)
def test_any_order_adds_up_everywhere(priced, staff_user, user, settings, seats, code, fee, per):
    movie, screen = priced
    show = make_show(movie, screen=screen, price=Decimal("11.45"), tier_prices={"premium": "14.95"}, starts_in=_later())
    settings.BOOKING_FEE, settings.BOOKING_FEE_PER = fee, per
    text = ""
    if code is not None:
        text = promo_create(by=None, kind=code[0], value=code[1]).code
    hold = hold_create(user=user, show_id=show.pk, seat_numbers=[number for number, _ in seats])

    order = services.order_create(
        user=user,
        hold_id=hold.pk,
        seats=[services.Choice(ticket_type=kind, seat_number=number) for number, kind in seats if kind != "adult"],
        promo_code=text,
    )

    lines = order.seats
    assert order.subtotal == sum(Decimal(line["list_price"]) for line in lines)
    assert order.discount == sum(Decimal(line["discount"]) for line in lines)
    assert order.total == order.subtotal - order.discount + order.fee >= 0
    assert order.fee == (fee * len(lines) if per == "ticket" else fee)
    if order.total > 0:
        services.order_pay_at_box_office(order_id=order.pk, method="card", by=staff_user)
    booked = list(Booking.objects.filter(show=show, status="booked"))
    assert sorted((b.seat_number, b.ticket_type_id, b.price, b.discount) for b in booked) == sorted(
        (line["seat_number"], line["ticket_type"], Decimal(line["price"]), Decimal(line["discount"])) for line in lines
    )
    assert sum(b.price for b in booked) + order.fee == order.total
    (row,) = show_report(Show.objects.filter(pk=show.pk))
    assert (getattr(row, "revenue"), getattr(row, "discounts")) == (order.total - order.fee, order.discount)  # noqa: B009  # annotations mypy can not see
    by_type = ticket_type_report(Show.objects.filter(pk=show.pk))
    assert sum(r["revenue"] for r in by_type) == order.total - order.fee
    assert sum(r["seats_sold"] for r in by_type) == len(lines)


_days = iter(range(1, 100_000))


def _later() -> timedelta:
    """Each example its own day, so that its show fits the screen."""
    return timedelta(days=next(_days))


@examples(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=codes, fee=st.decimals("0", "2.50", places=2))
def test_the_receipt_adds_up(priced, staff_user, user, settings, code, fee, django_capture_on_commit_callbacks):
    movie, screen = priced
    show = make_show(movie, screen=screen, price=Decimal("11.45"), tier_prices={"premium": "14.95"}, starts_in=_later())
    settings.BOOKING_FEE = fee
    text = promo_create(by=None, kind=code[0], value=code[1]).code if code else ""
    hold = hold_create(user=user, show_id=show.pk, seat_numbers=[1, 2, 7])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_create(
            user=user, hold_id=hold.pk, seats=[services.Choice(ticket_type="child", seat_number=7)], promo_code=text
        )
        if order.total > 0:
            services.order_pay_at_box_office(order_id=order.pk, method="cash", by=staff_user)

    receipt = mail.outbox[-1].body
    assert f"Total {order.total} EUR" in receipt
    if order.fee:
        assert f"Booking fee {order.fee} EUR" in receipt
    if order.discount:
        assert f"-{order.discount} EUR" in receipt
        assert f"Price {order.subtotal} EUR" in receipt
