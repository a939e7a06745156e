"""Orders priced as cinemas price: ticket types per seat, promo codes and
vouchers, the booking fee; the sums in the answer, the rows and the receipt."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from accounts.models import User
from bookings.models import Booking
from catalog.models import TicketType
from catalog.tests.factories import make_movie, make_screen, make_show
from conftest import client_for
from orders import services
from orders.models import Order, Refund
from pricing.models import PromoCode
from pricing.services import promo_create

pytestmark = pytest.mark.django_db

LAYOUT = [{"row": "A", "seats": 4}, {"row": "B", "seats": 4, "tier": "premium"}]


@pytest.fixture
def types(db):
    TicketType.objects.create(code="child", name="Child", note="Under 14", position=1)
    TicketType.objects.create(code="senior", name="Senior", note="65 and over: ID required", position=2)


@pytest.fixture
def priced_show(types, movie):
    """A8 standard seats at 12.00 (premium 16.00); children 7.50/10.00 from the screen, seniors 9.00 on this show."""
    screen = make_screen(layout=LAYOUT)
    screen.ticket_prices = {"child": {"standard": "7.50", "premium": "10.00"}, "senior": {"standard": "8.00"}}
    screen.save()
    return make_show(
        movie,
        screen=screen,
        price=Decimal("12.00"),
        tier_prices={"premium": "16.00"},
        ticket_prices={"senior": {"standard": "9.00"}},
    )


def hold(client, show, labels):
    answer = client.post(f"/shows/{show.id}/holds/", {"seat_labels": labels}, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()["id"]


def order(client, hold_id, seats=(), code=None):
    body: dict = {"hold": hold_id, "seats": list(seats)}
    if code is not None:
        body["promo_code"] = code
    return client.post("/orders/", body, format="json")


def test_a_shows_prices_per_ticket_type_are_on_its_page_and_its_seat_map(api_client, priced_show):
    grid = [
        {"ticket_type": "adult", "prices": {"premium": "16.00", "standard": "12.00"}},
        {"ticket_type": "child", "prices": {"premium": "10.00", "standard": "7.50"}},
        {"ticket_type": "senior", "prices": {"standard": "9.00"}},
    ]

    assert api_client.get(f"/shows/{priced_show.id}/").json()["ticket_types"] == grid
    assert api_client.get(f"/shows/{priced_show.id}/seats/").json()["ticket_types"] == grid
    assert api_client.get("/ticket-types/").json() == [
        {"code": "adult", "name": "Adult", "note": "", "default": True},
        {"code": "child", "name": "Child", "note": "Under 14", "default": False},
        {"code": "senior", "name": "Senior", "note": "65 and over: ID required", "default": False},
    ]


def test_each_seat_is_sold_as_the_type_chosen_for_it_and_the_rest_as_the_default(
    auth_client, priced_show, staff_user, django_capture_on_commit_callbacks
):
    held = hold(auth_client, priced_show, ["A1", "A2", "B1"])

    answer = order(
        auth_client, held, [{"seat_label": "a2", "ticket_type": "child"}, {"seat_number": 5, "ticket_type": "child"}]
    )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert [(s["label"], s["ticket_type"], s["price"]) for s in body["seats"]] == [
        ("A1", "adult", "12.00"),
        ("A2", "child", "7.50"),
        ("B1", "child", "10.00"),
    ]
    assert (body["subtotal"], body["discount"], body["booking_fee"], body["total"]) == (
        "29.50",
        "0.00",
        "0.00",
        "29.50",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.order_pay_at_box_office(order_id=body["id"], method="cash", by=staff_user)
    rows = Booking.objects.filter(show=priced_show, status="booked").order_by("seat_number")
    assert [(b.seat_label, b.ticket_type_id, b.price) for b in rows] == [
        ("A1", "adult", Decimal("12.00")),
        ("A2", "child", Decimal("7.50")),
        ("B1", "child", Decimal("10.00")),
    ]
    tickets = auth_client.get("/my-bookings/").json()["results"]
    assert sorted((t["seat_label"], t["ticket_type"]) for t in tickets) == [
        ("A1", "adult"),
        ("A2", "child"),
        ("B1", "child"),
    ]
    receipt = mail.outbox[-1].body
    assert "Seat A2  Child (Under 14)  7.50 EUR" in receipt
    assert "Total 29.50 EUR" in receipt


def test_the_door_list_and_the_ticket_show_the_type(auth_client, priced_show, staff_user, staff_client):
    held = hold(auth_client, priced_show, ["A1"])
    made = order(auth_client, held, [{"seat_label": "A1", "ticket_type": "senior"}]).json()
    services.order_pay_at_box_office(order_id=made["id"], method="card", by=staff_user)

    door = staff_client.get(f"/shows/{priced_show.id}/check-in-list/")
    ticket = auth_client.get(f"/bookings/{Booking.objects.get(status='booked').pk}/ticket/")

    assert door.status_code == 200, door.content
    assert [(t["seat_label"], t["ticket_type"]) for t in door.json()["tickets"]] == [("A1", "senior")]
    assert ticket.json()["ticket_type"] == "senior"


@pytest.mark.parametrize(
    ("seats", "message"),
    [
        (
            [{"seat_label": "A1", "ticket_type": "senior"}, {"seat_label": "B1", "ticket_type": "senior"}],
            "senior tickets are not sold for seat B1",
        ),
        ([{"seat_label": "A1", "ticket_type": "student"}], "No ticket type student"),
        ([{"seat_label": "A3", "ticket_type": "child"}], "Seat A3 is not one of this hold's seats"),
        ([{"seat_label": "A1", "ticket_type": "child"}, {"seat_number": 1, "ticket_type": "adult"}], "given twice"),
        ([{"seat_label": "A1", "seat_number": 1, "ticket_type": "child"}], "by seat_label or by seat_number"),
        ([{"seat_label": "7F", "ticket_type": "child"}], "is not a seat label"),
        ([{"seat_label": "A1"}], "This field is required"),
    ],
)
def test_a_type_that_can_not_be_sold_for_a_seat_is_a_400_and_changes_nothing(auth_client, priced_show, seats, message):
    held = hold(auth_client, priced_show, ["A1", "B1"])

    answer = order(auth_client, held, seats)

    assert answer.status_code == 400
    assert message in str(answer.json())
    assert not Order.objects.exists()
    assert set(Booking.objects.values_list("ticket_type_id", flat=True)) == {"adult"}


def test_a_show_can_withhold_a_type_its_screen_sells(auth_client, priced_show, staff_client):
    changed = staff_client.patch(f"/shows/{priced_show.id}/", {"ticket_prices": {"child": None}}, format="json")
    assert changed.status_code == 200, changed.json()
    assert [t["ticket_type"] for t in changed.json()["ticket_types"]] == ["adult", "senior"]
    held = hold(auth_client, priced_show, ["A1"])

    answer = order(auth_client, held, [{"seat_label": "A1", "ticket_type": "child"}])

    assert answer.status_code == 400
    assert "child tickets are not sold for seat A1" in str(answer.json())


@pytest.mark.parametrize(
    "grid",
    [
        {"toddler": {"standard": "1.00"}},
        {"child": {"balcony": "1.00"}},
        {"child": {"standard": "-1"}},
        {"child": "5"},
        {"adult": {"standard": "1"}},
    ],
)
def test_staff_price_grids_are_checked(staff_client, priced_show, grid):
    answer = staff_client.patch(f"/shows/{priced_show.id}/", {"ticket_prices": grid}, format="json")

    assert answer.status_code == 400
    assert "ticket_prices" in answer.json()


def test_a_percentage_code_and_a_booking_fee_per_ticket_make_the_total_and_the_receipt(
    auth_client, priced_show, settings, user, django_capture_on_commit_callbacks
):
    settings.BOOKING_FEE = Decimal("0.75")
    promo_create(by=None, code="summer10", kind="percent", value=Decimal("10"))
    held = hold(auth_client, priced_show, ["A1", "A2", "A3"])

    answer = order(auth_client, held, [{"seat_label": "A3", "ticket_type": "child"}], code=" Summer10 ")

    body = answer.json()
    assert answer.status_code == 201, body
    assert [(s["list_price"], s["discount"], s["price"], s["fee"]) for s in body["seats"]] == [
        ("12.00", "1.20", "10.80", "0.75"),
        ("12.00", "1.20", "10.80", "0.75"),
        ("7.50", "0.75", "6.75", "0.75"),
    ]
    assert (body["subtotal"], body["discount"], body["booking_fee"], body["total"], body["promo_code"]) == (
        "31.50",
        "3.15",
        "2.25",
        "30.60",
        "SUMMER10",
    )
    staff = User.objects.create_user(username="till", password="x", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_pay_at_box_office(order_id=body["id"], method="card", by=staff)
    receipt = mail.outbox[-1].body
    for line in [
        "Seat A1  Adult  12.00 less 1.20 = 10.80 EUR",
        "Seat A3  Child (Under 14)  7.50 less 0.75 = 6.75 EUR",
        "Price 31.50 EUR",
        "Discount (SUMMER10) -3.15 EUR",
        "Booking fee 2.25 EUR",
        "Total 30.60 EUR",
        "Paid 30.60 EUR at the box office (card)",
    ]:
        assert line in receipt, receipt
    sold = Booking.objects.filter(status="booked")
    assert sum(b.price for b in sold) + Decimal("2.25") == Decimal("30.60")
    assert sum(b.discount for b in sold) == Decimal("3.15")


def test_the_box_office_charges_no_booking_fee(priced_show, settings, staff_user):
    settings.BOOKING_FEE = Decimal("1.00")

    sold = services.box_office_sale(
        show_id=priced_show.pk,
        seat_labels=["A1", "A2"],
        method="cash",
        by=staff_user,
        seats=[services.Choice(ticket_type="child", seat_label="A2")],
    )

    assert (sold.status, sold.fee, sold.total, sold.channel) == ("paid", Decimal("0"), Decimal("19.50"), "box_office")


def test_a_fee_per_order_is_charged_once(auth_client, priced_show, settings):
    settings.BOOKING_FEE, settings.BOOKING_FEE_PER = Decimal("1.50"), "order"
    held = hold(auth_client, priced_show, ["A1", "A2"])

    body = order(auth_client, held).json()

    assert (body["booking_fee"], body["total"]) == ("1.50", "25.50")
    assert {s["fee"] for s in body["seats"]} == {"0.00"}


def test_a_free_seat_voucher_for_children_frees_the_dearest_child_seat(auth_client, priced_show):
    voucher = promo_create(by=None, kind="free_seats", value=Decimal("1"), max_uses=1)
    voucher.ticket_types.set([TicketType.objects.get(code="child")])
    held = hold(auth_client, priced_show, ["A1", "A2", "B1"])

    body = order(
        auth_client,
        held,
        [{"seat_label": "A2", "ticket_type": "child"}, {"seat_label": "B1", "ticket_type": "child"}],
        code=voucher.code,
    ).json()

    assert [(s["label"], s["price"]) for s in body["seats"]] == [("A1", "12.00"), ("A2", "7.50"), ("B1", "0.00")]
    assert body["total"] == "19.50"


def test_an_order_that_costs_nothing_is_booked_at_once(auth_client, priced_show):
    promo_create(by=None, code="GUEST", kind="free_seats", value=Decimal("2"))
    held = hold(auth_client, priced_show, ["A1", "A2"])

    body = order(auth_client, held, code="guest").json()

    assert (body["status"], body["total"], body["paid_at"] is not None) == ("paid", "0.00", True)
    assert list(Booking.objects.filter(status="booked").values_list("price", flat=True)) == [Decimal("0")] * 2


def test_an_amount_off_never_makes_an_order_cost_less_than_nothing(auth_client, priced_show):
    promo_create(by=None, code="FIFTY", kind="amount", value=Decimal("50"))
    held = hold(auth_client, priced_show, ["A1"])

    body = order(auth_client, held, code="FIFTY").json()

    assert (body["subtotal"], body["discount"], body["total"], body["status"]) == ("12.00", "12.00", "0.00", "paid")


def rule(name: str, value, show):
    return {
        "expired": {"valid_until": show.date_time - timedelta(days=30)},
        "not yet": {"valid_from": show.date_time},
        "movie": {"movies": [make_movie(title="Other")]},
        "show": {"shows": [make_show(make_movie(title="Another"))]},
        "dates after": {"show_dates_from": show.date_time.date() + timedelta(days=1)},
        "dates before": {"show_dates_until": show.date_time.date() - timedelta(days=1)},
        "weekday": {"weekdays": [(show.date_time.weekday() + 1) % 7]},
        "types": {"ticket_types": [TicketType.objects.get(code="senior")]},
        "seats": {"min_seats": 3},
    }[name]


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("expired", "This code has expired."),
        ("not yet", "This code can be used from"),
        ("movie", "This code is not for this movie."),
        ("show", "This code is not for this show."),
        ("dates after", "This code is for shows from"),
        ("dates before", "This code is for shows until"),
        ("weekday", "This code is for shows on"),
        ("types", "This code is for senior tickets only."),
        ("seats", "This code is for orders of at least 3 seats."),
    ],
)
def test_a_code_outside_its_limits_is_a_400_on_promo_code(auth_client, priced_show, limit, message):
    promo_create(by=None, code="LIMITED", kind="percent", value=Decimal("20"), **rule(limit, None, priced_show))
    held = hold(auth_client, priced_show, ["A1", "A2"])

    answer = order(auth_client, held, code="LIMITED")

    assert answer.status_code == 400
    assert message in answer.json()["promo_code"][0]
    assert not Order.objects.exists()


def test_an_unknown_or_inactive_code_is_a_400(auth_client, priced_show):
    promo_create(by=None, code="OFF", kind="percent", value=Decimal("20"), active=False)
    held = hold(auth_client, priced_show, ["A1"])

    for code in ("NOPE", "OFF"):
        answer = order(auth_client, held, code=code)
        assert (answer.status_code, answer.json()["promo_code"]) == (400, ["No such promo code."])


def test_a_code_within_its_limits_is_taken(auth_client, priced_show):
    promo_create(
        by=None,
        code="ALLRULES",
        kind="amount",
        value=Decimal("5"),
        valid_until=priced_show.date_time,
        movies=[priced_show.movie],
        shows=[priced_show],
        show_dates_from=priced_show.date_time.date(),
        show_dates_until=priced_show.date_time.date(),
        weekdays=[priced_show.date_time.weekday()],
        ticket_types=[TicketType.objects.get(code="child")],
        min_seats=2,
    )
    held = hold(auth_client, priced_show, ["A1", "A2"])

    body = order(auth_client, held, [{"seat_label": "A2", "ticket_type": "child"}], code="ALLRULES").json()

    assert [(s["label"], s["discount"]) for s in body["seats"]] == [("A1", "0.00"), ("A2", "5.00")]


def second_customer(name: str):
    return client_for(User.objects.create_user(username=name, password="x", email=f"{name}@example.com"))


def test_a_used_up_code_is_a_409_until_an_order_gives_its_use_back(auth_client, priced_show, clock, staff_user):
    promo_create(by=None, code="ONCE", kind="percent", value=Decimal("50"), max_uses=1)
    first = order(auth_client, hold(auth_client, priced_show, ["A1"]), code="ONCE").json()
    other = second_customer("bob")
    bobs = hold(other, priced_show, ["A2"])

    refused = order(other, bobs, code="ONCE")
    assert (refused.status_code, refused.json()["code"]) == (409, "promo_code_used_up")

    auth_client.post(f"/orders/{first['id']}/cancel/")  # a cancelled order gives it back
    again = order(other, bobs, code="ONCE")
    assert again.status_code == 201, again.json()

    clock.advance(minutes=60)  # and so does an expired one
    carol = second_customer("carol")
    assert order(carol, hold(carol, priced_show, ["A3"]), code="ONCE").status_code == 201


def test_a_refunded_order_gives_its_use_back(auth_client, priced_show, staff_user):
    promo_create(by=None, code="ONCE", kind="percent", value=Decimal("50"), max_uses=1)
    first = order(auth_client, hold(auth_client, priced_show, ["A1"]), code="ONCE").json()
    services.order_pay_at_box_office(order_id=first["id"], method="cash", by=staff_user)
    other = second_customer("bob")
    bobs = hold(other, priced_show, ["A2"])
    assert order(other, bobs, code="ONCE").status_code == 409

    services.order_refund(order_id=first["id"], by=staff_user)

    assert order(other, bobs, code="ONCE").status_code == 201
    assert PromoCode.objects.get().orders.count() == 2


def test_a_code_has_a_limit_per_customer(auth_client, priced_show, movie):
    promo_create(by=None, code="TWICE", kind="percent", value=Decimal("10"), max_uses_per_customer=1)
    assert order(auth_client, hold(auth_client, priced_show, ["A1"]), code="TWICE").status_code == 201
    later = make_show(movie)

    answer = order(auth_client, hold(auth_client, later, ["A2"]), code="TWICE")

    assert answer.status_code == 409
    assert "as many times as one customer can" in answer.json()["detail"]
    other = second_customer("bob")
    assert order(other, hold(other, later, ["A3"]), code="TWICE").status_code == 201


def test_an_expired_order_paid_late_when_its_code_went_to_another_is_refused(
    auth_client, priced_show, clock, staff_user
):
    promo_create(by=None, code="ONCE", kind="percent", value=Decimal("50"), max_uses=1)
    lapsed = order(auth_client, hold(auth_client, priced_show, ["A1"]), code="ONCE").json()
    clock.advance(minutes=60)
    other = second_customer("bob")
    assert order(other, hold(other, priced_show, ["A2"]), code="ONCE").status_code == 201

    from pricing.services import PromoUsedUp

    with pytest.raises(PromoUsedUp):
        services.order_pay_at_box_office(order_id=lapsed["id"], method="cash", by=staff_user)
    assert not Booking.objects.filter(status="booked").exists()


def test_a_cancelled_paid_order_keeps_the_booking_fee_unless_it_is_refundable(
    auth_client, priced_show, settings, staff_user
):
    settings.BOOKING_FEE = Decimal("1.00")
    for refundable, back in ((False, "24.00"), (True, "26.00")):
        settings.BOOKING_FEE_REFUNDABLE = refundable
        Booking.objects.filter(show=priced_show).update(status="cancelled")
        held = hold(auth_client, priced_show, ["A1", "A2"])
        made = order(auth_client, held).json()
        assert made["total"] == "26.00"
        services.order_pay_at_box_office(order_id=made["id"], method="cash", by=staff_user)
        assert auth_client.get(f"/orders/{made['id']}/").json()["refund_if_cancelled"]["amount"] == back

        answer = auth_client.post(f"/orders/{made['id']}/cancel/")

        assert answer.json()["amount_refunded"] == back
        assert Refund.objects.filter(payment__order_id=made["id"]).get().amount == Decimal(back)


def test_a_staff_refund_of_one_seat_gives_its_fee_back_when_refundable(auth_client, priced_show, settings, staff_user):
    settings.BOOKING_FEE, settings.BOOKING_FEE_REFUNDABLE = Decimal("1.00"), True
    made = order(auth_client, hold(auth_client, priced_show, ["A1", "A2"])).json()
    services.order_pay_at_box_office(order_id=made["id"], method="cash", by=staff_user)

    services.order_refund(order_id=made["id"], by=staff_user, seat_numbers=[2])

    assert Refund.objects.get().amount == Decimal("13.00")
