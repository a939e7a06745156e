import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Booking
from bookings.tests.factories import make_booking
from catalog.tests.factories import make_show

pytestmark = pytest.mark.django_db

TRANSACTION_CONTROL = re.compile(
    r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I
)


def book(client, show, seat_number=7, **extra):
    return client.post(f"/shows/{show.id}/book/", {"seat_number": seat_number, **extra}, format="json")


def test_booking_a_free_seat_returns_the_booking(auth_client, user, show):
    response = book(auth_client, show)

    assert response.status_code == 201
    booking = Booking.objects.get()
    body = response.json()
    assert body == {
        "id": booking.id,
        "show": show.id,
        "seat_number": 7,
        "status": "booked",
        "created_at": body["created_at"],
        "cancelled_at": None,
        "movie_title": "Metropolis",
        "show_date_time": body["show_date_time"],
        "screen_name": show.screen.name,
        "seat_label": "A7",
        "ticket_type": "adult",
        "price": "10.00",
        "currency": "EUR",
        "reference": str(booking.reference),
        "email_queued": True,
    }
    assert booking.user == user
    assert booking.seat_number == 7
    assert booking.status == "booked"


def test_booking_works_without_trailing_slash(auth_client, show):
    response = auth_client.post(f"/shows/{show.id}/book", {"seat_number": 1}, format="json")

    assert response.status_code == 201


def test_booking_a_taken_seat_is_409_naming_the_seat(auth_client, other_client, show):
    assert book(other_client, show, 7).status_code == 201

    response = book(auth_client, show, 7)

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Seat 7 is already booked.",
        "code": "seat_taken",
        "seat_number": 7,
        "seat_numbers": [7],
    }
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    "seat_number",
    [0, -1, 51, 10**30, 1.5, 5.0, True, False, "abc", "5", "", None, [1], {"n": 1}],
)
def test_invalid_seat_numbers_are_400_and_book_nothing(auth_client, show, seat_number):
    response = book(auth_client, show, seat_number)

    assert response.status_code == 400
    assert "seat_number" in response.json()
    assert "1" in response.json()["seat_number"][0]
    assert not Booking.objects.exists()


def test_missing_seat_number_is_400(auth_client, show):
    response = auth_client.post(f"/shows/{show.id}/book/", {}, format="json")

    assert response.status_code == 400
    assert "seat_number" in response.json()


def test_fields_a_client_must_not_set_are_ignored(auth_client, user, other_user, show, movie):
    other_show = make_show(movie)

    body = {"seat_number": 3, "user": other_user.id, "status": "cancelled", "show": other_show.id, "id": 999}

    response = auth_client.post(f"/shows/{show.id}/book/", body, format="json")

    assert response.status_code == 201
    booking = Booking.objects.get()
    assert (booking.user, booking.show, booking.status) == (user, show, "booked")
    assert booking.id != 999


def test_booking_a_show_that_has_started_is_400(auth_client, movie):
    started = make_show(movie, starts_in=timedelta(minutes=-5))

    response = book(auth_client, started, 1)

    assert response.status_code == 400
    assert response.json()["code"] == "show_started"
    assert not Booking.objects.exists()


def test_booking_an_unknown_show_is_404(auth_client):
    response = auth_client.post("/shows/987654/book/", {"seat_number": 1}, format="json")

    assert response.status_code == 404
    assert response.json()["detail"]


def test_booking_needs_a_token(api_client, show):
    response = book(api_client, show)

    assert response.status_code == 401
    assert not Booking.objects.exists()


def test_cancel_frees_the_seat_and_it_can_be_booked_again(auth_client, other_client, show):
    booking_id = book(auth_client, show, 9).json()["id"]

    cancelled = auth_client.post(f"/bookings/{booking_id}/cancel/")
    rebooked = book(other_client, show, 9)

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_at"] is not None
    assert rebooked.status_code == 201
    assert list(Booking.objects.order_by("id").values_list("seat_number", "status")) == [
        (9, "cancelled"),
        (9, "booked"),
    ]


def test_a_seat_can_be_cancelled_and_rebooked_many_times(auth_client, show):
    for _ in range(3):
        booking_id = book(auth_client, show, 2).json()["id"]
        assert auth_client.post(f"/bookings/{booking_id}/cancel").status_code == 200

    assert Booking.objects.filter(seat_number=2, status="cancelled").count() == 3


def test_cancelling_twice_is_409(auth_client, show):
    booking_id = book(auth_client, show).json()["id"]
    auth_client.post(f"/bookings/{booking_id}/cancel/")

    response = auth_client.post(f"/bookings/{booking_id}/cancel/")

    assert response.status_code == 409
    assert response.json()["code"] == "not_active"


def test_another_users_booking_is_404_to_read_and_to_cancel(auth_client, other_client, show):
    booking_id = book(other_client, show).json()["id"]

    assert auth_client.get(f"/bookings/{booking_id}/").status_code == 404
    assert auth_client.post(f"/bookings/{booking_id}/cancel/").status_code == 404
    assert Booking.objects.get().status == "booked"


def test_cancel_of_an_unknown_booking_is_404(auth_client):
    assert auth_client.post("/bookings/123456/cancel/").status_code == 404


def test_cancel_after_the_show_started_is_400(auth_client, user, movie):
    started = make_show(movie, starts_in=timedelta(minutes=-1))
    booking = make_booking(user=user, show=started, seat_number=1)

    response = auth_client.post(f"/bookings/{booking.id}/cancel/")

    assert response.status_code == 400
    assert Booking.objects.get().status == "booked"


def test_cancel_needs_a_token(api_client, user, show):
    booking = make_booking(user=user, show=show, seat_number=1)

    assert api_client.post(f"/bookings/{booking.id}/cancel/").status_code == 401
    assert Booking.objects.get().status == "booked"


def test_booking_detail_shows_one_of_my_bookings(auth_client, show):
    booking_id = book(auth_client, show).json()["id"]

    response = auth_client.get(f"/bookings/{booking_id}")

    assert response.status_code == 200
    assert response.json()["id"] == booking_id


def test_my_bookings_lists_only_mine_newest_first(auth_client, user, other_user, show):
    older = make_booking(user=user, show=show, seat_number=1)
    newer = make_booking(user=user, show=show, seat_number=2)
    make_booking(user=other_user, show=show, seat_number=3)

    response = auth_client.get("/my-bookings/")

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [b["id"] for b in response.json()["results"]] == [newer.id, older.id]


def test_my_bookings_filters_by_status(auth_client, user, show):
    make_booking(user=user, show=show, seat_number=1)
    cancelled = make_booking(user=user, show=show, seat_number=2, status="cancelled")

    response = auth_client.get("/my-bookings", {"status": "cancelled"})

    assert [b["id"] for b in response.json()["results"]] == [cancelled.id]


def test_my_bookings_with_an_unknown_status_is_400(auth_client):
    response = auth_client.get("/my-bookings/", {"status": "lost"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_my_bookings_needs_a_token(api_client):
    assert api_client.get("/my-bookings/").status_code == 401


def test_my_bookings_pages_show_each_booking_as_its_own_detail_does(auth_client, user, other_user, movie):
    shows = [make_show(movie, starts_in=timedelta(days=d)) for d in (1, 2)]
    for n in range(5):
        make_booking(user=user, show=shows[n % 2], seat_number=n + 1, status="cancelled" if n == 3 else "booked")
    make_booking(user=other_user, show=shows[0], seat_number=9)

    first = auth_client.get("/my-bookings/", {"page_size": 3}).json()
    second = auth_client.get("/my-bookings/", {"page_size": 3, "page": 2}).json()

    assert first["count"] == second["count"] == 5
    listed = first["results"] + second["results"]
    assert [b["id"] for b in listed] == list(
        Booking.objects.filter(user=user).order_by("-created_at", "-id").values_list("id", flat=True)
    )
    for booking in listed:  # the detail is built from the ORM's rows
        assert booking == auth_client.get(f"/bookings/{booking['id']}/").json()
    assert second["next"] is None
    assert auth_client.get("/my-bookings/", {"page_size": 3, "page": 3}).status_code == 404
    assert auth_client.get("/my-bookings/", {"status": "cancelled"}).json()["count"] == 1


def test_my_bookings_runs_a_fixed_number_of_queries(auth_client, user, movie, django_assert_num_queries):
    for n in range(30):
        make_booking(user=user, show=make_show(movie, starts_in=timedelta(days=1, hours=n)), seat_number=1)

    # user (token), count, page with show and movie joined
    with django_assert_num_queries(3):
        response = auth_client.get("/my-bookings/", {"page_size": 30})
    assert len(response.json()["results"]) == 30


def test_seat_map_lists_free_and_booked_seats(api_client, user, movie):
    show = make_show(movie, total_seats=5)
    make_booking(user=user, show=show, seat_number=2)
    make_booking(user=user, show=show, seat_number=4)
    make_booking(user=user, show=show, seat_number=5, status="cancelled")

    response = api_client.get(f"/shows/{show.id}/seats/")

    assert response.status_code == 200
    body = response.json()
    assert (body["show"], body["total_seats"], body["available"], body["booked"]) == (show.id, 5, [1, 3, 5], [2, 4])
    assert [seat["status"] for seat in body["layout"][0]["seats"]] == [
        "available",
        "booked",
        "available",
        "booked",
        "available",
    ]


def test_seat_map_runs_two_queries_whatever_the_size(api_client, user, movie, django_assert_num_queries):
    show = make_show(movie, total_seats=300)
    for n in range(1, 301, 2):
        make_booking(user=user, show=show, seat_number=n)

    with django_assert_num_queries(2):
        response = api_client.get(f"/shows/{show.id}/seats")
    assert len(response.json()["booked"]) == 150


def test_seat_map_of_an_unknown_show_is_404(api_client):
    assert api_client.get("/shows/55555/seats/").status_code == 404


def test_booking_one_seat_runs_a_fixed_handful_of_statements_besides_transaction_control(auth_client, show):
    with CaptureQueriesContext(connection) as ctx:
        assert book(auth_client, show, 1).status_code == 201

    statements = [q["sql"] for q in ctx.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    # user (token), the confirmation e-mail's outbox row, the webhook endpoints listening (none here),
    # lock show with its movie and screen, insert. The lock wait's bound (lock_timeout) is set once
    # per connection on PostgreSQL, not per booking.
    assert len(statements) == 5, statements
    assert "outbox_message" in statements[1]
    assert "webhooks_endpoint" in statements[2]
    assert "catalog_show" in statements[3]
    if connection.vendor == "postgresql":
        assert "FOR NO KEY UPDATE" in statements[3]
    # Under the show's lock: one statement before the commit, the insert that checks the seat is free.
    assert statements[4].startswith('INSERT INTO "bookings_booking"')
    assert 'ON CONFLICT ("show_id", "seat_number") WHERE' in statements[4]
    # One transaction (a savepoint here, inside the test's own), none nested in it.
    assert sum(q["sql"].startswith("SAVEPOINT") for q in ctx.captured_queries) == 1


def test_shows_available_seats_follow_bookings_and_cancellations(auth_client, api_client, show):
    booking_id = book(auth_client, show, 1).json()["id"]
    assert api_client.get(f"/shows/{show.id}/").json()["available_seats"] == 49

    auth_client.post(f"/bookings/{booking_id}/cancel/")

    assert api_client.get(f"/shows/{show.id}/").json()["available_seats"] == 50


def test_created_at_is_now(auth_client, show):
    before = timezone.now()
    book(auth_client, show)
    assert Booking.objects.get().created_at >= before


def test_the_written_out_booking_answer_has_exactly_the_declared_fields(auth_client, show):
    """BookingSerializer.to_representation is written by hand for speed: it must match Meta.fields,
    which is what the schema documents."""
    from bookings.serializers import BookingSerializer

    body = book(auth_client, show, 1).json()
    generic = super(BookingSerializer, BookingSerializer()).to_representation(Booking.objects.get())

    assert list(body) == BookingSerializer.Meta.fields
    # email_queued is the booking answer's own (from the view), not the row's.
    assert body == {**generic, "email_queued": True}
