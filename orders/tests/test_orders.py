from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.exceptions import SeatTaken
from bookings.models import Booking, Hold
from catalog.tests.factories import make_show
from orders import services
from orders.exceptions import OrderNotPending
from orders.models import Order, Payment
from outbox.models import Message

pytestmark = pytest.mark.django_db

QUERIES = 4


def hold(client, show, seats=(1, 2)):
    response = client.post(f"/shows/{show.id}/holds/", {"seat_numbers": list(seats)}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def order(client, hold_id, **headers):
    return client.post("/orders/", {"hold": hold_id}, format="json", **headers)


def occupants(show) -> list[tuple[int, str]]:
    rows = Booking.objects.filter(show=show, status__in=Booking.OCCUPYING).order_by("seat_number")
    return list(rows.values_list("seat_number", "status"))


def test_an_order_carries_the_holds_seats_prices_and_total_and_extends_the_hold_once(auth_client, show, clock):
    held = hold(auth_client, show)

    response = order(auth_client, held["id"])

    assert response.status_code == 201
    made = Order.objects.get()
    body = response.json()
    assert body == {
        "id": made.id,
        "show": show.id,
        "hold": held["id"],
        "status": "pending_payment",
        "seats": [
            {
                "seat_number": 1,
                "label": "A1",
                "ticket_type": "adult",
                "list_price": "10.00",
                "discount": "0.00",
                "price": "10.00",
                "fee": "0.00",
            },
            {
                "seat_number": 2,
                "label": "A2",
                "ticket_type": "adult",
                "list_price": "10.00",
                "discount": "0.00",
                "price": "10.00",
                "fee": "0.00",
            },
        ],
        "subtotal": "20.00",
        "discount": "0.00",
        "booking_fee": "0.00",
        "total": "20.00",
        "promo_code": None,
        "currency": "EUR",
        "reference": held["reference"],
        "created_at": body["created_at"],
        "expires_at": body["expires_at"],
        "paid_at": None,
        "payment_status": None,
        "payment_error": "",
        "amount_paid": "0.00",
        "amount_refunded": "0.00",
        "refund_if_cancelled": None,
    }
    the_hold = Hold.objects.get()
    assert the_hold.extended
    assert the_hold.expires_at == clock.now + timedelta(minutes=16) == made.expires_at
    assert set(Booking.objects.filter(hold=the_hold).values_list("held_until", flat=True)) == {made.expires_at}


def test_an_order_of_an_already_extended_hold_expires_with_it(auth_client, show, clock):
    held = hold(auth_client, show)
    auth_client.post(f"/holds/{held['id']}/extend/")

    made = order(auth_client, held["id"]).json()

    assert Order.objects.get().expires_at == Hold.objects.get().expires_at
    assert made["expires_at"] == auth_client.get(f"/holds/{held['id']}/").json()["expires_at"]


def test_a_hold_is_ordered_once(auth_client, show):
    held = hold(auth_client, show)
    first = order(auth_client, held["id"]).json()

    response = order(auth_client, held["id"])

    assert response.status_code == 409
    assert response.json()["code"] == "order_exists"
    assert response.json()["order"] == first["id"]
    assert Order.objects.count() == 1


def test_an_order_with_the_same_idempotency_key_is_answered_again_not_made_again(auth_client, show):
    held = hold(auth_client, show)

    first = order(auth_client, held["id"], HTTP_IDEMPOTENCY_KEY="k-1")
    again = order(auth_client, held["id"], HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_only_the_callers_active_hold_can_be_ordered(auth_client, other_client, show, clock):
    held = hold(auth_client, show)

    assert order(other_client, held["id"]).status_code == 404
    assert order(auth_client, 999999).status_code == 404
    clock.advance(minutes=9)
    response = order(auth_client, held["id"])
    assert response.status_code == 409
    assert response.json()["code"] == "hold_not_active"
    assert "expired" in response.json()["detail"]
    assert not Order.objects.exists()


@pytest.mark.parametrize("body", [{}, {"hold": "x"}, {"hold": 0}, {"hold": -1}, {"hold": 2**70}, {"hold": None}])
def test_an_order_of_no_valid_hold_is_a_400(auth_client, body):
    response = auth_client.post("/orders/", body, format="json")

    assert response.status_code == 400
    assert "hold" in response.json()
    assert not Order.objects.exists()


def test_orders_need_a_login(api_client, show):
    assert api_client.post("/orders/", {"hold": 1}, format="json").status_code == 401
    assert api_client.get("/my-orders/").status_code == 401


def test_a_customer_sees_their_own_orders_newest_first(auth_client, other_client, show, clock):
    first = order(auth_client, hold(auth_client, show, [1])["id"]).json()
    services.order_cancel(order_id=first["id"], user=Order.objects.get().user)
    clock.advance(seconds=1)
    second = order(auth_client, hold(auth_client, show, [2])["id"]).json()

    listed = auth_client.get("/my-orders/").json()

    assert [o["id"] for o in listed["results"]] == [second["id"], first["id"]]
    assert listed["results"][1]["status"] == "cancelled"
    assert auth_client.get(f"/orders/{second['id']}/").json() == second
    assert other_client.get(f"/orders/{second['id']}/").status_code == 404
    assert other_client.get("/my-orders/").json()["results"] == []


def test_an_unpaid_order_reads_as_expired_once_its_time_is_up(auth_client, show, clock):
    made = order(auth_client, hold(auth_client, show)["id"]).json()

    clock.advance(minutes=16)

    assert auth_client.get(f"/orders/{made['id']}/").json()["status"] == "expired"


def test_cancelling_an_order_frees_its_seats(auth_client, show):
    made = order(auth_client, hold(auth_client, show)["id"]).json()

    response = auth_client.post(f"/orders/{made['id']}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert occupants(show) == []
    assert Hold.objects.get().status == Hold.Status.RELEASED
    again = auth_client.post(f"/orders/{made['id']}/cancel/")
    assert again.status_code == 409
    assert again.json()["code"] == "order_not_pending"


def test_an_ordered_hold_is_given_up_by_cancelling_the_order(auth_client, show):
    held = hold(auth_client, show)
    made = order(auth_client, held["id"]).json()

    response = auth_client.delete(f"/holds/{held['id']}/")

    assert response.status_code == 409
    assert response.json()["order"] == made["id"]
    assert f"/orders/{made['id']}/cancel/" in response.json()["detail"]
    assert occupants(show) == [(1, "held"), (2, "held")]


def test_paid_at_the_box_office_the_seats_are_booked_with_the_payment(auth_client, show, user, staff_user):
    made = order(auth_client, hold(auth_client, show)["id"]).json()

    paid = services.order_pay_at_box_office(order_id=made["id"], method="cash", by=staff_user)

    the_order = Order.objects.get()
    assert the_order.status == Order.Status.PAID
    assert the_order.paid_at is not None
    payment = Payment.objects.get()
    assert (payment.method, payment.amount, payment.currency, payment.taken_by) == (
        "cash",
        Decimal("20.00"),
        "EUR",
        staff_user,
    )
    bookings = Booking.objects.filter(reference=the_order.reference).order_by("seat_number")
    assert [(b.seat_number, b.status, b.user_id, b.price) for b in bookings] == [
        (1, "booked", user.id, Decimal("10.00")),
        (2, "booked", user.id, Decimal("10.00")),
    ]
    assert [b.pk for b in paid.sale.bookings] == [b.pk for b in bookings]
    assert Message.objects.filter(key=f"booking_confirmed:{the_order.reference}").exists()
    assert auth_client.get(f"/orders/{made['id']}/").json()["status"] == "paid"
    # Tickets: the customer's bookings now include the paid seats.
    assert len(auth_client.get("/my-bookings/").json()["results"]) == 2


def test_an_order_is_paid_once(auth_client, show, staff_user):
    made = order(auth_client, hold(auth_client, show)["id"]).json()
    services.order_pay_at_box_office(order_id=made["id"], method="card", by=staff_user)

    with pytest.raises(OrderNotPending):
        services.order_pay_at_box_office(order_id=made["id"], method="cash", by=staff_user)

    assert Payment.objects.count() == 1
    assert Booking.objects.filter(status="booked").count() == 2
    assert Order.objects.get(pk=made["id"]).status == "paid"


def test_a_lapsed_order_is_still_sold_while_its_seats_are_free(auth_client, show, staff_user, clock):
    made = order(auth_client, hold(auth_client, show)["id"]).json()
    clock.advance(minutes=20)

    services.order_pay_at_box_office(order_id=made["id"], method="cash", by=staff_user)

    assert occupants(show) == [(1, "booked"), (2, "booked")]


def test_a_lapsed_order_whose_seat_was_sold_is_refused_and_nothing_is_recorded(
    auth_client, other_client, show, staff_user, clock
):
    made = order(auth_client, hold(auth_client, show)["id"]).json()
    clock.advance(minutes=20)
    assert other_client.post(f"/shows/{show.id}/book/", {"seat_numbers": [2]}, format="json").status_code == 201

    with pytest.raises(SeatTaken):
        services.order_pay_at_box_office(order_id=made["id"], method="cash", by=staff_user)

    assert not Payment.objects.exists()
    assert Order.objects.get().status == Order.Status.PENDING_PAYMENT
    assert occupants(show) == [(2, "booked")]


def test_the_box_office_marks_orders_paid_from_the_admin(admin_client_factory, auth_client, show, staff_user):
    made = order(auth_client, hold(auth_client, show)["id"]).json()
    admin = admin_client_factory(staff_user)

    response = admin.post(
        "/admin/orders/order/", {"action": "paid_in_cash", "_selected_action": [made["id"]]}, follow=True
    )

    assert response.status_code == 200
    assert "1 order(s) paid (cash)" in response.content.decode()
    assert Payment.objects.get().taken_by == staff_user
    again = admin.post(
        "/admin/orders/order/", {"action": "paid_by_card", "_selected_action": [made["id"]]}, follow=True
    )
    assert "only an unpaid order can be paid" in again.content.decode()
    assert Payment.objects.count() == 1
    assert admin.get(f"/admin/orders/order/{made['id']}/change/").status_code == 200


def test_where_payment_is_required_seats_are_sold_only_through_orders(auth_client, show, settings, staff_user):
    settings.BOOKING_REQUIRES_PAYMENT = True

    direct = auth_client.post(f"/shows/{show.id}/book/", {"seat_numbers": [5]}, format="json")
    held = hold(auth_client, show)
    confirmed = auth_client.post(f"/holds/{held['id']}/confirm/")

    for refused in (direct, confirmed):
        assert refused.status_code == 402
        assert refused.json()["code"] == "payment_required"
        assert "POST /orders/" in refused.json()["detail"]
    assert occupants(show) == [(1, "held"), (2, "held")]
    made = order(auth_client, held["id"]).json()
    services.order_pay_at_box_office(order_id=made["id"], method="card", by=staff_user)
    assert occupants(show) == [(1, "booked"), (2, "booked")]


def test_a_page_of_my_orders_costs_the_same_queries_for_one_order_or_many(
    auth_client, movie, staff_user, django_assert_num_queries
):
    made = order(auth_client, hold(auth_client, make_show(movie))["id"]).json()
    services.order_pay_at_box_office(order_id=made["id"], method="cash", by=staff_user)
    # The user, the page's count, its orders with their shows, and their payments.
    with django_assert_num_queries(QUERIES):
        assert auth_client.get("/my-orders/").status_code == 200

    for _ in range(4):
        order(auth_client, hold(auth_client, make_show(movie))["id"])

    with django_assert_num_queries(QUERIES):
        assert len(auth_client.get("/my-orders/").json()["results"]) == 5
