"""The waiting list through the API and the offer sweep: joining, offers in turn, the seats kept for the list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, Hold
from bookings.tests.factories import make_booking
from catalog.models import Show
from catalog.tests.factories import make_screen, make_show
from conftest import client_for
from orders.services import box_office_sale
from outbox.models import Message
from waitlist.emails import render_offer
from waitlist.models import Entry
from waitlist.services import offers_make

pytestmark = pytest.mark.django_db

# Two rows of four: A1-A4, B1-B4.
LAYOUT = [{"row": "A", "seats": 4}, {"row": "B", "seats": 4}]


@pytest.fixture
def seller(db):
    return User.objects.create_user(username="seller", email="seller@example.com", password="x")


@pytest.fixture
def small(movie):
    return make_show(movie, screen=make_screen(layout=LAYOUT))


@pytest.fixture
def full(small, seller):
    """The small show sold out: one booking per seat, all the seller's."""
    for number in range(1, 9):
        make_booking(user=seller, show=small, seat_number=number)
    return small


def customer(name: str):
    return client_for(User.objects.create_user(username=name, email=f"{name}@example.com", password="x"))


def join(client, show, seats=1):
    return client.post(f"/shows/{show.id}/waiting-list/", {"seats": seats}, format="json")


def cancel(show, label):
    Booking.objects.filter(show=show, seat_label=label, status="booked").update(
        status="cancelled", cancelled_at=timezone.now()
    )


def offered(show):
    return list(Entry.objects.filter(show=show, status="offered").order_by("created_at", "id"))


def test_a_show_with_seats_on_sale_has_no_waiting_list_to_join(auth_client, small):
    response = join(auth_client, small, 2)

    assert response.status_code == 409
    assert response.json()["code"] == "seats_available"
    assert not Entry.objects.exists()


def test_customers_join_a_sold_out_show_once_each_and_see_their_place(auth_client, other_client, full):
    first = join(auth_client, full, 2)
    second = join(other_client, full, 1)

    assert first.status_code == second.status_code == 201
    assert (first.json()["status"], first.json()["position"], first.json()["offer"]) == ("waiting", 1, None)
    assert second.json()["position"] == 2
    again = join(auth_client, full, 1)
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["entry"]) == ("already_waiting", first.json()["id"])
    mine = auth_client.get("/my-waiting-list/").json()["results"]
    assert [(e["show"], e["seats"], e["position"]) for e in mine] == [(full.id, 2, 1)]
    assert Show.objects.get(pk=full.pk).waiting == 2


def test_a_party_that_can_not_sit_together_may_join_a_show_with_single_seats_left(auth_client, other_client, full):
    cancel(full, "A1")
    cancel(full, "B4")

    assert join(auth_client, full, 2).status_code == 201
    # One seat together is on sale (A1 or B4): a party of one buys it rather than waits.
    refused = join(other_client, full, 1)
    assert (refused.status_code, refused.json()["code"]) == (409, "seats_available")


@pytest.mark.parametrize("body", [{}, {"seats": 0}, {"seats": 11}, {"seats": "2"}, {"seats": None}, []])
def test_malformed_joins_are_400_and_write_nothing(auth_client, full, body):
    response = auth_client.post(f"/shows/{full.id}/waiting-list/", body, format="json")

    assert response.status_code == 400
    assert not Entry.objects.exists()


def test_joining_needs_a_customer_and_a_show(api_client, auth_client, full):
    assert join(api_client, full).status_code == 401
    assert join(auth_client, Show(pk=999999)).status_code == 404
    assert auth_client.delete(f"/shows/{full.id}/waiting-list/").status_code == 404


def test_a_seat_that_comes_back_is_offered_to_the_first_in_line_and_emailed(auth_client, other_client, user, full):
    join(auth_client, full)
    join(other_client, full)
    cancel(full, "B2")
    before = timezone.now()

    assert offers_make() == 1

    (entry,) = offered(full)
    assert entry.user == user
    hold = entry.hold
    assert (hold.user, hold.offered, [s["label"] for s in hold.seats]) == (user, True, ["B2"])
    assert before + timedelta(minutes=15) <= hold.expires_at <= timezone.now() + timedelta(minutes=15)
    assert Booking.objects.get(show=full, seat_label="B2", status="held").hold == hold
    message = Message.objects.get(kind="waiting_list_offer")
    assert (message.key, message.recipient) == (f"waiting_list_offer:{entry.pk}", user.email)
    email = render_offer(message.data)
    assert email is not None
    assert "B2" in email.body
    assert f"/holds/{hold.pk}/" in email.body
    mine = auth_client.get("/my-waiting-list/").json()["results"][0]
    assert (mine["status"], mine["position"]) == ("offered", None)
    assert (mine["offer"]["hold"], mine["offer"]["seat_labels"]) == (hold.pk, ["B2"])
    assert other_client.get("/my-waiting-list/").json()["results"][0]["position"] == 1
    assert auth_client.get(f"/holds/{hold.pk}/").json()["offered"] is True
    # Nothing more came back: the next sweep offers nothing, and nothing twice.
    assert offers_make() == 0
    assert Message.objects.filter(kind="waiting_list_offer").count() == 1


def test_seats_that_came_back_are_the_lists_until_offered(auth_client, other_client, staff_user, full):
    join(auth_client, full)
    cancel(full, "A3")
    newcomer = customer("newcomer")

    for response in (
        newcomer.post(f"/shows/{full.id}/holds/", {"seat_labels": ["A3"]}, format="json"),
        newcomer.post(f"/shows/{full.id}/holds/", {"party": 1}, format="json"),
        newcomer.post(f"/shows/{full.id}/book/", {"seat_labels": ["A3"]}, format="json"),
    ):
        assert (response.status_code, response.json()["code"]) == (409, "waiting_list")
    assert not Booking.objects.filter(show=full, seat_label="A3", status__in=["held", "booked"]).exists()
    # The newcomer may queue behind: the free seat is the list's.
    assert join(newcomer, full).json()["position"] == 2
    offers_make()
    assert offered(full)[0].hold.seats[0]["label"] == "A3"
    taken = other_client.post(f"/shows/{full.id}/holds/", {"seat_labels": ["A3"]}, format="json")
    assert taken.status_code == 409


def test_the_box_office_still_sells_a_seat_that_came_back(staff_user, user, full):
    Entry.objects.create(show=full, user=user, seats=1)
    Show.objects.filter(pk=full.pk).update(waiting=1)
    cancel(full, "A1")

    order = box_office_sale(show_id=full.id, seat_labels=["A1"], method="cash", by=staff_user)

    assert order.status == "paid"


def test_an_offer_not_taken_in_time_goes_to_the_next_in_line(auth_client, other_client, user, other_user, full, clock):
    join(auth_client, full)
    clock.advance(seconds=1)
    join(other_client, full)
    cancel(full, "A2")
    offers_make()
    first = offered(full)[0]

    clock.advance(minutes=15, seconds=1)
    assert auth_client.get("/my-waiting-list/").json()["results"][0]["status"] == "lapsed"
    assert offers_make() == 1

    first.refresh_from_db()
    assert first.status == "lapsed"
    (second,) = offered(full)
    assert (second.user, second.hold.seats[0]["label"]) == (other_user, "A2")
    late = auth_client.post(f"/holds/{first.hold_id}/confirm/")
    assert late.status_code == 409  # the seat is the next customer's now
    assert Message.objects.filter(kind="waiting_list_offer").count() == 2


def test_an_offer_bought_counts_in_the_reports(auth_client, staff_client, full, settings):
    settings.BOOKING_REQUIRES_PAYMENT = False
    join(auth_client, full)
    cancel(full, "A4")
    offers_make()
    (entry,) = offered(full)

    assert auth_client.post(f"/holds/{entry.hold_id}/confirm/").status_code == 201
    offers_make()

    entry.refresh_from_db()
    assert entry.status == "accepted"
    (row,) = [r for r in staff_client.get("/reports/shows/").json()["results"] if r["show"] == full.id]
    assert (row["seats_sold"], row["waiting_list_sold"]) == (8, 1)
    (movie,) = staff_client.get("/reports/movies/").json()["results"]
    assert movie["waiting_list_sold"] == 1


def test_an_offer_released_goes_to_the_next_at_once(auth_client, other_client, other_user, full, clock):
    join(auth_client, full)
    clock.advance(seconds=1)
    join(other_client, full)
    cancel(full, "B1")
    offers_make()
    first = offered(full)[0]

    assert auth_client.delete(f"/holds/{first.hold_id}/").status_code == 204
    offers_make()

    first.refresh_from_db()
    assert first.status == "declined"
    assert offered(full)[0].user == other_user


def test_an_offer_can_not_be_extended(auth_client, full):
    join(auth_client, full)
    cancel(full, "B1")
    offers_make()

    response = auth_client.post(f"/holds/{offered(full)[0].hold_id}/extend/")

    assert (response.status_code, response.json()["code"]) == (409, "hold_not_active")


def test_a_party_is_not_skipped_for_a_smaller_one_unless_the_cinema_allows_it(
    auth_client, other_client, other_user, full, clock, settings
):
    join(auth_client, full, 2)
    clock.advance(seconds=1)
    join(other_client, full, 1)
    cancel(full, "A1")

    assert offers_make() == 0
    assert Entry.objects.filter(status="waiting").count() == 2

    settings.WAITING_LIST_SKIP = True
    assert offers_make() == 1
    assert offered(full)[0].user == other_user
    cancel(full, "A3")
    cancel(full, "A4")
    assert offers_make() == 1
    assert sorted(s["label"] for e in offered(full) for s in e.hold.seats) == ["A1", "A3", "A4"]


def test_a_party_is_offered_seats_together(auth_client, full):
    join(auth_client, full, 2)
    cancel(full, "A1")
    cancel(full, "B3")
    assert offers_make() == 0
    cancel(full, "B4")

    assert offers_make() == 1
    assert [s["label"] for s in offered(full)[0].hold.seats] == ["B3", "B4"]


def test_leaving_moves_the_queue_and_gives_up_a_standing_offer(auth_client, other_client, other_user, full, clock):
    join(auth_client, full)
    clock.advance(seconds=1)
    join(other_client, full)
    third = customer("third")
    clock.advance(seconds=1)
    join(third, full)

    assert other_client.delete(f"/shows/{full.id}/waiting-list/").status_code == 204
    assert third.get("/my-waiting-list/").json()["results"][0]["position"] == 2
    cancel(full, "A1")
    offers_make()
    hold = offered(full)[0].hold
    assert auth_client.delete(f"/shows/{full.id}/waiting-list/").status_code == 204

    hold.refresh_from_db()
    assert hold.status == "released"
    assert offers_make() == 1
    assert offered(full)[0].user.username == "third"
    assert Entry.objects.get(user=other_user).status == "left"
    assert Show.objects.get(pk=full.pk).waiting == 0


def test_offers_stop_before_the_show_and_the_waiting_are_closed(auth_client, other_client, full, clock):
    join(auth_client, full)
    clock.now = full.date_time - timedelta(minutes=14)
    cancel(full, "A1")

    assert offers_make() == 0

    assert Entry.objects.get().status == "closed"
    assert Show.objects.get(pk=full.pk).waiting == 0
    closed = join(other_client, full)
    assert (closed.status_code, closed.json()["code"]) == (409, "waiting_list_closed")
    clock.now = full.date_time + timedelta(minutes=1)
    assert join(other_client, full).json()["code"] == "show_started"


def test_an_offer_ends_no_later_than_the_show_starts(auth_client, full, clock, settings):
    settings.WAITING_LIST_OFFER_MINUTES = 60
    join(auth_client, full)
    clock.now = full.date_time - timedelta(minutes=30)
    cancel(full, "A1")

    offers_make()

    assert offered(full)[0].hold.expires_at == full.date_time


def test_joins_and_offers_are_webhook_events(auth_client, user, full):
    from webhooks.models import Endpoint

    Endpoint.objects.create(url="https://example.com/hook", events=["waiting_list.joined", "waiting_list.offered"])
    entry = join(auth_client, full, 1).json()
    cancel(full, "A2")
    offers_make()

    events = [m.data for m in Message.objects.filter(kind="webhook").order_by("id")]
    assert [e["type"] for e in events] == ["waiting_list.joined", "waiting_list.offered"]
    assert events[0]["data"] == {"entry": entry["id"], "show": full.id, "customer": user.pk, "seats": 1, "position": 1}
    assert events[1]["data"]["seat_labels"] == ["A2"]
    assert events[1]["data"]["hold"] == Hold.objects.get(offered=True).pk


def test_an_edit_of_the_show_keeps_its_waiting_count(auth_client, staff_client, full):
    stale = Show.objects.get(pk=full.pk)
    join(auth_client, full)

    stale.price = "11.00"
    stale.save()

    assert Show.objects.get(pk=full.pk).waiting == 1


# The admin


def test_staff_see_the_queue_in_turn_and_take_a_customer_off_it(
    admin_client_factory, staff_user, auth_client, other_client, user, other_user, full, clock
):
    join(auth_client, full)
    clock.advance(seconds=1)
    join(other_client, full)
    client = admin_client_factory(staff_user)

    page = client.get("/admin/waitlist/entry/")
    assert page.status_code == 200
    assert page.content.decode().index(user.username) < page.content.decode().index(other_user.username)
    first = Entry.objects.get(user=user)
    client.post("/admin/waitlist/entry/", {"action": "remove", "_selected_action": [first.pk]})

    first.refresh_from_db()
    assert first.status == "left"
    assert other_client.get("/my-waiting-list/").json()["results"][0]["position"] == 1
    assert Show.objects.get(pk=full.pk).waiting == 1


def test_staff_offer_the_seats_that_came_back_at_once(admin_client_factory, staff_user, auth_client, full):
    join(auth_client, full)
    cancel(full, "A1")

    admin_client_factory(staff_user).post(
        "/admin/waitlist/entry/", {"action": "offer_now", "_selected_action": [Entry.objects.get().pk]}
    )

    assert Entry.objects.get().status == "offered"


def test_a_customer_may_book_the_seats_of_their_offer_directly(auth_client, other_client, full, clock, settings):
    settings.BOOKING_REQUIRES_PAYMENT = False
    join(auth_client, full)
    clock.advance(seconds=1)
    join(other_client, full)
    cancel(full, "A1")
    offers_make()
    cancel(full, "B1")  # free, and the list's: the next customer could sit in it

    booked = auth_client.post(f"/shows/{full.id}/book/", {"seat_labels": ["A1"]}, format="json")
    taken = auth_client.post(f"/shows/{full.id}/book/", {"seat_labels": ["B1"]}, format="json")

    assert booked.status_code == 201
    assert (taken.status_code, taken.json()["code"]) == (409, "waiting_list")


def test_after_an_offer_lapsed_the_customer_may_join_again_at_the_back(auth_client, other_client, user, full, clock):
    join(auth_client, full)
    cancel(full, "A1")
    offers_make()
    clock.advance(seconds=1)
    join(other_client, full)
    clock.advance(minutes=16)

    again = join(auth_client, full)

    assert again.status_code == 201
    assert again.json()["position"] == 2  # behind the customer who waited while the offer stood
    assert auth_client.delete(f"/shows/{full.id}/waiting-list/").status_code == 204
    statuses = sorted(Entry.objects.filter(user=user).values_list("status", flat=True))
    assert statuses == ["lapsed", "left"]
