from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking, Hold
from bookings.tests.factories import make_booking
from bookings.tests.test_api import TRANSACTION_CONTROL
from catalog.tests.factories import make_show

pytestmark = pytest.mark.django_db


def hold(client, show, **body):
    return client.post(f"/shows/{show.id}/holds/", body or {"seat_numbers": [1, 2]}, format="json")


def occupants(show) -> list[tuple[int, str]]:
    """Every row that occupies a seat, as the unique index sees them."""
    rows = Booking.objects.filter(show=show, status__in=Booking.OCCUPYING).order_by("seat_number", "status")
    return list(rows.values_list("seat_number", "status"))


def test_a_hold_reserves_the_seats_for_eight_minutes(auth_client, show, clock):
    response = hold(auth_client, show, seat_labels=["a2", "A1"])

    assert response.status_code == 201
    body = response.json()
    held = Hold.objects.get()
    assert body == {
        "id": held.id,
        "show": show.id,
        "status": "active",
        "seats": [
            {"seat_number": 1, "label": "A1", "price": "10.00"},
            {"seat_number": 2, "label": "A2", "price": "10.00"},
        ],
        "seat_numbers": [1, 2],
        "seat_labels": ["A1", "A2"],
        "total": "20.00",
        "currency": "EUR",
        "created_at": body["created_at"],
        "expires_at": body["expires_at"],
        "seconds_remaining": 480,
        "extended": False,
        "offered": False,
        "reference": str(held.reference),
    }
    assert held.expires_at == clock.now + timedelta(minutes=8)
    assert occupants(show) == [(1, "held"), (2, "held")]


def test_held_seats_are_not_available_and_the_holder_sees_them_as_theirs(api_client, auth_client, show):
    hold(auth_client, show)

    public = api_client.get(f"/shows/{show.id}/seats/").json()
    mine = auth_client.get(f"/shows/{show.id}/seats/").json()

    assert public["held"] == [1, 2]
    assert 1 not in public["available"]
    assert public["layout"][0]["seats"][0] == {"seat_number": 1, "label": "A1", "status": "held", "kind": "standard"}
    assert mine["layout"][0]["seats"][0] == {
        "seat_number": 1,
        "label": "A1",
        "status": "held",
        "kind": "standard",
        "mine": True,
    }
    assert api_client.get(f"/shows/{show.id}/").json()["available_seats"] == 48


def test_a_seat_held_by_someone_else_can_be_neither_booked_nor_held(auth_client, other_client, show):
    hold(auth_client, show)

    booking = other_client.post(f"/shows/{show.id}/book/", {"seat_number": 2}, format="json")
    second_hold = hold(other_client, show, seat_numbers=[2, 3])

    assert booking.status_code == second_hold.status_code == 409
    assert booking.json()["seat_numbers"] == [2]
    assert second_hold.json()["seat_numbers"] == [2]
    assert occupants(show) == [(1, "held"), (2, "held")]


def test_booking_a_seat_you_hold_consumes_it_from_the_hold(auth_client, show):
    hold_id = hold(auth_client, show, seat_numbers=[1, 2]).json()["id"]

    booked = auth_client.post(f"/shows/{show.id}/book/", {"seat_numbers": [2, 3]}, format="json")

    assert booked.status_code == 201
    assert occupants(show) == [(1, "held"), (2, "booked"), (3, "booked")]
    assert auth_client.get(f"/holds/{hold_id}/").json()["seat_numbers"] == [1]
    auth_client.post(f"/shows/{show.id}/book/", {"seat_number": 1}, format="json")
    assert auth_client.get(f"/holds/{hold_id}/").json()["status"] == "confirmed"


def test_one_booking_takes_free_seats_own_held_seats_and_seats_of_a_lapsed_hold_or_none(
    auth_client, other_client, show, clock
):
    hold(other_client, show, seat_numbers=[5])  # lapses below
    clock.advance(minutes=9)
    mine = hold(auth_client, show, seat_numbers=[2]).json()["id"]
    hold(other_client, show, seat_numbers=[7])  # still active
    book = {"seat_numbers": [1, 2, 5, 7]}

    refused = auth_client.post(f"/shows/{show.id}/book/", book, format="json")

    # Only the seat someone else still holds is named, and nothing changed: the free seat is
    # not booked, the caller's hold and the lapsed one's row are as they were.
    assert refused.status_code == 409
    assert refused.json()["seat_numbers"] == [7]
    assert occupants(show) == [(2, "held"), (5, "held"), (7, "held")]

    booked = auth_client.post(f"/shows/{show.id}/book/", {"seat_numbers": [1, 2, 5]}, format="json")

    assert booked.status_code == 201
    assert booked.json()["seat_numbers"] == [1, 2, 5]
    assert occupants(show) == [(1, "booked"), (2, "booked"), (5, "booked"), (7, "held")]
    assert auth_client.get(f"/holds/{mine}/").json()["status"] == "confirmed"
    assert {b["reference"] for b in booked.json()["bookings"]} == {booked.json()["reference"]}


def test_a_hold_takes_free_seats_and_seats_of_a_lapsed_hold_in_five_statements(
    auth_client, other_client, show, clock, settings
):
    settings.HOLD_MAX_PER_SHOW = 2
    hold(other_client, show, seat_numbers=[5])  # lapses below
    clock.advance(minutes=9)
    hold(other_client, show, seat_numbers=[7])
    hold(auth_client, show, seat_numbers=[2])

    refused = hold(auth_client, show, seat_numbers=[1, 2, 5, 7])  # any occupant refuses, the caller's own hold too
    assert refused.status_code == 409
    assert refused.json()["seat_numbers"] == [2, 7]
    with CaptureQueriesContext(connection) as ctx:
        created = hold(auth_client, show, seat_numbers=[1, 3])

    assert created.status_code == 201
    statements = [q["sql"] for q in ctx.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    # user (token), lock show, the caller's active holds, the hold, its seats' rows (checked as they go in)
    assert len(statements) == 5, statements
    assert "ON CONFLICT" in statements[-1]
    assert hold(auth_client, show, seat_numbers=[4, 5]).status_code == 409  # two active holds already
    auth_client.delete(f"/holds/{created.json()['id']}/")
    assert hold(auth_client, show, seat_numbers=[4, 5]).status_code == 201
    assert occupants(show) == [(2, "held"), (4, "held"), (5, "held"), (7, "held")]


def test_confirming_books_the_seats_as_one_purchase(auth_client, show):
    created = hold(auth_client, show).json()

    response = auth_client.post(f"/holds/{created['id']}/confirm/")

    assert response.status_code == 201
    body = response.json()
    assert body["reference"] == created["reference"]
    assert body["seat_numbers"] == [1, 2]
    assert body["total"] == "20.00"
    assert [b["status"] for b in body["bookings"]] == ["booked", "booked"]
    assert occupants(show) == [(1, "booked"), (2, "booked")]
    assert auth_client.get(f"/holds/{created['id']}/").json()["status"] == "confirmed"
    assert auth_client.get("/my-bookings/").json()["count"] == 2


def test_the_written_out_hold_and_purchase_answers_are_what_the_declared_fields_give(
    auth_client, show, clock, settings
):
    """HoldSerializer and PurchaseSerializer write their answers out for speed: they must be what
    DRF's walk over the declared fields (what the schema documents) gives."""
    from bookings.serializers import BookingSerializer, HoldSerializer, PurchaseSerializer
    from bookings.services import hold_create

    def generic(serializer):
        return super(type(serializer), serializer).to_representation(serializer.instance)

    settings.HOLD_MAX_PER_SHOW = 2
    created = hold(auth_client, show, seat_labels=["A3", "A1"]).json()
    other = hold_create(user=Hold.objects.get().user, show_id=show.id, seat_numbers=[5])
    clock.advance(minutes=3, seconds=10)
    for held in Hold.objects.all():
        context = {"now": clock.now}
        assert HoldSerializer(held, context=context).data == generic(HoldSerializer(held, context=context))
    clock.advance(minutes=5)  # the second hold lapses: status and seconds left
    expired = HoldSerializer(Hold.objects.get(pk=other.pk)).data
    assert (expired["status"], expired["seconds_remaining"]) == ("expired", 0)
    assert expired == generic(HoldSerializer(Hold.objects.get(pk=other.pk), context={"now": clock.now}))
    assert list(created) == HoldSerializer.Meta.fields

    purchase = auth_client.post(f"/holds/{created['id']}/confirm/").json()
    bookings = list(Booking.objects.filter(hold__isnull=True, status="booked").order_by("seat_number"))
    expected = PurchaseSerializer.of(bookings, email_queued=purchase["email_queued"])
    assert purchase == generic(expected)
    assert purchase["bookings"] == [
        super(BookingSerializer, BookingSerializer()).to_representation(b) for b in bookings
    ]


def test_confirming_twice_is_409_or_a_replay_with_an_idempotency_key(auth_client, show):
    hold_id = hold(auth_client, show).json()["id"]
    url = f"/holds/{hold_id}/confirm/"

    first = auth_client.post(url, HTTP_IDEMPOTENCY_KEY="pay-1")
    replay = auth_client.post(url, HTTP_IDEMPOTENCY_KEY="pay-1")
    again = auth_client.post(url)

    assert first.status_code == replay.status_code == 201
    assert replay.content == first.content
    assert again.status_code == 409
    assert again.json()["code"] == "hold_not_active"
    assert Booking.objects.filter(status="booked").count() == 2


def test_releasing_frees_the_seats_at_once(auth_client, other_client, show):
    hold_id = hold(auth_client, show).json()["id"]

    released = auth_client.delete(f"/holds/{hold_id}/")

    assert released.status_code == 204
    assert occupants(show) == []
    assert auth_client.get(f"/holds/{hold_id}/").json()["status"] == "released"
    assert other_client.post(f"/shows/{show.id}/book/", {"seat_number": 1}, format="json").status_code == 201
    assert auth_client.post(f"/holds/{hold_id}/confirm/").status_code == 409
    assert auth_client.delete(f"/holds/{hold_id}/").status_code == 204  # already released: nothing to do


def test_a_confirmed_hold_can_not_be_released(auth_client, show):
    hold_id = hold(auth_client, show).json()["id"]
    auth_client.post(f"/holds/{hold_id}/confirm/")

    assert auth_client.delete(f"/holds/{hold_id}/").status_code == 409
    assert occupants(show) == [(1, "booked"), (2, "booked")]


def test_a_hold_expires_exactly_on_time_without_any_job(api_client, auth_client, other_client, show, clock):
    hold_id = hold(auth_client, show).json()["id"]

    clock.advance(minutes=7, seconds=59)
    assert auth_client.get(f"/holds/{hold_id}/").json()["seconds_remaining"] == 1
    assert other_client.post(f"/shows/{show.id}/book/", {"seat_number": 1}, format="json").status_code == 409
    clock.advance(seconds=1)

    mine = auth_client.get(f"/holds/{hold_id}/").json()
    assert (mine["status"], mine["seconds_remaining"]) == ("expired", 0)
    assert api_client.get(f"/shows/{show.id}/seats/").json()["held"] == []
    assert api_client.get(f"/shows/{show.id}/").json()["available_seats"] == 50
    assert other_client.post(f"/shows/{show.id}/book/", {"seat_number": 1}, format="json").status_code == 201
    assert occupants(show) == [(1, "booked")]  # the expired hold's rows went with the first write
    confirm = auth_client.post(f"/holds/{hold_id}/confirm/")
    assert confirm.status_code == 409
    assert confirm.json()["seat_numbers"] == [1]


def test_an_expired_hold_can_be_confirmed_while_its_seats_are_still_free(auth_client, show, clock):
    hold_id = hold(auth_client, show).json()["id"]
    clock.advance(minutes=30)

    response = auth_client.post(f"/holds/{hold_id}/confirm/")

    assert response.status_code == 201
    assert occupants(show) == [(1, "booked"), (2, "booked")]
    assert [b["price"] for b in response.json()["bookings"]] == ["10.00", "10.00"]


def test_a_hold_extends_once_by_the_hold_duration(auth_client, show, clock):
    hold_id = hold(auth_client, show).json()["id"]
    clock.advance(minutes=5)

    extended = auth_client.post(f"/holds/{hold_id}/extend/")
    twice = auth_client.post(f"/holds/{hold_id}/extend/")

    assert extended.status_code == 200
    assert (extended.json()["seconds_remaining"], extended.json()["extended"]) == (11 * 60, True)
    assert Booking.objects.filter(held_until=Hold.objects.get().expires_at).count() == 2
    assert twice.status_code == 409
    clock.advance(minutes=10, seconds=59)
    assert auth_client.get(f"/holds/{hold_id}/").json()["status"] == "active"


def test_an_extension_stops_at_the_longest_lifetime(auth_client, show, clock, settings):
    settings.HOLD_MINUTES = 15
    hold_id = hold(auth_client, show).json()["id"]

    response = auth_client.post(f"/holds/{hold_id}/extend/")

    assert response.json()["seconds_remaining"] == 20 * 60  # not 30: HOLD_MAX_LIFETIME_MINUTES


def test_an_expired_hold_can_not_be_extended(auth_client, show, clock):
    hold_id = hold(auth_client, show).json()["id"]
    clock.advance(minutes=8)

    assert auth_client.post(f"/holds/{hold_id}/extend/").status_code == 409


def test_seats_per_hold_and_holds_per_show_are_limited(auth_client, show, movie, settings):
    settings.HOLD_MAX_SEATS = 3

    assert hold(auth_client, show, seat_numbers=[1, 2, 3, 4]).status_code == 400
    first = hold(auth_client, show, seat_numbers=[1, 2, 3])
    second = hold(auth_client, show, seat_numbers=[4])
    other_show = hold(auth_client, make_show(movie), seat_numbers=[4])

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["code"] == "hold_limit"
    assert second.json()["hold"] == first.json()["id"]
    assert other_show.status_code == 201
    auth_client.delete(f"/holds/{first.json()['id']}/")
    assert hold(auth_client, show, seat_numbers=[4]).status_code == 201


def test_someone_elses_hold_is_404_whatever_you_try(auth_client, other_client, show):
    hold_id = hold(auth_client, show).json()["id"]

    for method, url in [
        ("get", f"/holds/{hold_id}/"),
        ("post", f"/holds/{hold_id}/extend/"),
        ("post", f"/holds/{hold_id}/confirm/"),
        ("delete", f"/holds/{hold_id}/"),
    ]:
        assert getattr(other_client, method)(url).status_code == 404
    assert occupants(show) == [(1, "held"), (2, "held")]


def test_holds_need_a_token(api_client, show):
    assert hold(api_client, show).status_code == 401
    assert not Hold.objects.exists()


def test_a_show_that_started_can_not_be_held(auth_client, movie):
    started = make_show(movie, starts_in=timedelta(minutes=-1))

    assert hold(auth_client, started).status_code == 400


def test_held_rows_are_not_bookings_to_the_customer(auth_client, show):
    hold(auth_client, show)

    assert auth_client.get("/my-bookings/").json()["count"] == 0
    held_row = Booking.objects.first()
    assert held_row is not None
    assert auth_client.get(f"/bookings/{held_row.id}/").status_code == 404
    assert auth_client.post(f"/bookings/{held_row.id}/cancel/").status_code == 404


def test_the_database_allows_one_owner_per_seat_across_holds_and_bookings(user, other_user, show, clock):
    held = Hold.objects.create(
        user=user, show=show, seats=[], created_at=clock.now, expires_at=clock.now + timedelta(minutes=8)
    )
    make_booking(user=user, show=show, seat_number=1, status="held", hold=held, held_until=held.expires_at)

    for status in ("held", "booked"):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_booking(user=other_user, show=show, seat_number=1, status=status, hold=held, held_until=clock.now)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_booking(user=user, show=show, seat_number=2, status="held")  # a held row without its hold


def test_expire_holds_tidies_up_and_forgets_old_holds(auth_client, other_client, show, clock, capsys):
    old = hold(auth_client, show).json()["id"]
    clock.advance(minutes=9)
    fresh = hold(other_client, show, seat_numbers=[5]).json()["id"]

    call_command("expire_holds")

    assert Hold.objects.get(pk=old).status == "expired"
    assert Hold.objects.get(pk=fresh).status == "active"
    assert occupants(show) == [(5, "held")]
    assert "Expired 1 holds" in capsys.readouterr().out
    clock.advance(days=8)
    call_command("expire_holds")
    # The old hold ended over 7 days ago and is gone; the fresh one only just expired.
    assert list(Hold.objects.values_list("pk", "status")) == [(fresh, "expired")]
    assert occupants(show) == []


def test_staff_see_holds_in_the_admin_read_only(admin_client_factory, staff_user, auth_client, show):
    hold_id = hold(auth_client, show).json()["id"]
    admin = admin_client_factory(staff_user)

    page = admin.get(f"/admin/bookings/hold/?show__id__exact={show.id}")

    assert page.status_code == 200
    assert "A1, A2" in page.content.decode()
    assert admin.get(f"/admin/bookings/hold/{hold_id}/change/").status_code == 200
    assert admin.get("/admin/bookings/hold/add/").status_code == 403
