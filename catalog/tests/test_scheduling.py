from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.tests.factories import make_booking
from catalog.models import Screen, Show
from catalog.tests.factories import at, make_movie, make_screen, make_show
from conftest import client_for, post, run_at_once

pytestmark = pytest.mark.django_db

DAY = "2099-06-01"


@pytest.fixture
def screen():
    return make_screen(40, name="Studio")


@pytest.fixture
def first(screen):
    """A 100-minute film at 18:00: with 15 minutes of cleaning the screen is free at 19:55."""
    return make_show(make_movie(title="First", duration_minutes=100), screen=screen, date_time=at(DAY, 18, 0))


def schedule(client, screen, movie, hour, minute, **extra):
    body = {"movie": movie.id, "screen": screen.id, "date_time": at(DAY, hour, minute).isoformat(), **extra}
    return client.post("/shows/", body, format="json")


def test_a_show_right_after_the_cleaning_buffer_is_allowed(staff_client, screen, first, movie):
    response = schedule(staff_client, screen, movie, 19, 55)

    assert response.status_code == 201, response.json()


def test_one_minute_less_is_refused_naming_the_conflicting_show(staff_client, screen, first, movie):
    response = schedule(staff_client, screen, movie, 19, 54)

    assert response.status_code == 400
    message = response.json()["date_time"][0]
    assert f"show {first.id} (First at {DAY} 18:00)" in message
    assert "19:55" in message
    assert Show.objects.count() == 1


def test_a_show_ending_into_the_next_one_is_refused_too(staff_client, screen, first):
    # 120 minutes + 15 from 15:46 ends at 18:01, one minute into First.
    long_movie = make_movie(title="Long", duration_minutes=120)

    assert schedule(staff_client, screen, long_movie, 15, 46).status_code == 400
    assert schedule(staff_client, screen, long_movie, 15, 45).status_code == 201


def test_the_buffer_comes_from_settings(staff_client, screen, first, movie, settings):
    settings.CLEANING_BUFFER_MINUTES = 30

    assert schedule(staff_client, screen, movie, 20, 5).status_code == 400
    assert schedule(staff_client, screen, movie, 20, 10).status_code == 201


def test_another_screen_at_the_same_time_is_fine(staff_client, first, movie):
    assert schedule(staff_client, make_screen(10), movie, 18, 0).status_code == 201


def test_a_show_cannot_be_scheduled_in_the_past(staff_client, screen, movie):
    body = {"movie": movie.id, "screen": screen.id, "date_time": (timezone.now() - timedelta(minutes=1)).isoformat()}

    response = staff_client.post("/shows/", body, format="json")

    assert response.status_code == 400
    assert "past" in response.json()["date_time"][0]


def test_moving_a_show_into_an_overlap_is_refused(staff_client, screen, first, movie):
    later = make_show(movie, screen=screen, date_time=at(DAY, 21, 0))

    response = staff_client.patch(f"/shows/{later.id}/", {"date_time": at(DAY, 19, 0).isoformat()}, format="json")

    assert response.status_code == 400
    assert Show.objects.get(pk=later.id).date_time == at(DAY, 21, 0)


def test_a_show_with_booked_seats_cannot_move_in_time_or_screen(staff_client, first, user):
    make_booking(user=user, show=first, seat_number=1)
    other_screen = make_screen(40)

    moved = staff_client.patch(f"/shows/{first.id}/", {"date_time": at(DAY, 12, 0).isoformat()}, format="json")
    rescreened = staff_client.patch(f"/shows/{first.id}/", {"screen": other_screen.id}, format="json")
    repriced = staff_client.patch(f"/shows/{first.id}/", {"price": "13.00"}, format="json")

    assert moved.status_code == rescreened.status_code == 409
    assert "cancel the bookings and wait for the holds to end before moving it" in moved.json()["detail"]
    assert repriced.status_code == 200
    first.refresh_from_db()
    assert (first.date_time, first.screen_id, first.price) == (at(DAY, 18, 0), first.screen_id, Decimal("13.00"))


def test_a_show_without_bookings_can_move(staff_client, first):
    response = staff_client.patch(f"/shows/{first.id}/", {"date_time": at(DAY, 10, 0).isoformat()}, format="json")

    assert response.status_code == 200
    assert Show.objects.get().date_time == at(DAY, 10, 0)


def test_the_older_screen_name_form_still_schedules_shows(staff_client, movie):
    body = {"movie": movie.id, "screen_name": "Hall 9", "date_time": at(DAY, 20).isoformat(), "total_seats": 45}

    created = staff_client.post("/shows/", body, format="json")
    again = staff_client.post("/shows/", {**body, "date_time": at(DAY, 23).isoformat()}, format="json")
    wrong_size = staff_client.post("/shows/", {**body, "total_seats": 50}, format="json")
    unknown = staff_client.post("/shows/", {**body, "screen_name": "Hall 10", "total_seats": None}, format="json")

    assert created.status_code == again.status_code == 201
    assert created.json()["screen_name"] == "Hall 9"
    assert created.json()["total_seats"] == 45
    assert created.json()["price"] == "10.00"
    assert Screen.objects.get().layout == [
        {"row": "A", "seats": 20},
        {"row": "B", "seats": 20},
        {"row": "C", "seats": 5},
    ]
    assert wrong_size.status_code == 400
    assert unknown.status_code == 400
    assert Show.objects.count() == 2


def test_a_refused_show_leaves_no_screen_behind(staff_client, first, movie):
    body = {"movie": movie.id, "screen_name": "New hall", "total_seats": 30, "date_time": "2000-01-01T20:00:00Z"}

    assert staff_client.post("/shows/", body, format="json").status_code == 400
    assert not Screen.objects.filter(name="New hall").exists()


def test_tier_prices_must_name_tiers_of_the_screen(staff_client, movie):
    screen = make_screen(layout=[{"row": "A", "seats": 5}, {"row": "B", "seats": 5, "tier": "premium"}])
    body = {"movie": movie.id, "screen": screen.id, "date_time": at(DAY, 20).isoformat(), "price": "9.00"}

    unknown = staff_client.post("/shows/", {**body, "tier_prices": {"vip": "20"}}, format="json")
    negative = staff_client.post("/shows/", {**body, "tier_prices": {"premium": "-1"}}, format="json")
    not_a_number = staff_client.post("/shows/", {**body, "tier_prices": {"premium": "cheap"}}, format="json")
    good = staff_client.post("/shows/", {**body, "tier_prices": {"premium": 12.5}}, format="json")

    assert unknown.status_code == negative.status_code == not_a_number.status_code == 400
    assert "vip" in unknown.json()["tier_prices"][0]
    assert good.status_code == 201
    assert good.json()["tier_prices"] == {"premium": "12.50"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_two_staff_scheduling_the_same_slot_at_once_get_one_show(staff_user):
    screen, movie = make_screen(40), make_movie()
    body = {"movie": movie.id, "screen": screen.id, "date_time": at(DAY, 20).isoformat()}

    responses = run_at_once([post(client_for(staff_user), "/shows/", body) for _ in range(6)])

    assert sorted(r.status_code for r in responses) == [201] + [400] * 5
    assert Show.objects.count() == 1


def test_making_a_movie_longer_than_its_slot_is_409_naming_the_show_in_the_way(staff_client, screen, first):
    second = make_show(make_movie(title="Second"), screen=screen, date_time=at(DAY, 20, 0))

    response = staff_client.patch(f"/movies/{first.movie_id}/", {"duration_minutes": 600}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "schedule_conflict"
    assert (body["show"], body["conflicting_show"]) == (first.pk, second.pk)
    assert f"show {second.pk} (Second at {DAY} 20:00)" in body["detail"]
    assert Show.objects.get(pk=first.pk).movie.duration_minutes == 100


def test_a_movie_made_longer_within_its_slot_or_shorter_is_saved(staff_client, screen, first):
    make_show(make_movie(title="Second"), screen=screen, date_time=at(DAY, 20, 0))

    assert staff_client.patch(f"/movies/{first.movie_id}/", {"duration_minutes": 105}, format="json").status_code == 200
    assert staff_client.patch(f"/movies/{first.movie_id}/", {"duration_minutes": 60}, format="json").status_code == 200


def test_the_admin_refuses_a_duration_that_makes_shows_overlap(admin_client_factory, staff_user, screen, first):
    make_show(make_movie(title="Second"), screen=screen, date_time=at(DAY, 20, 0))
    admin = admin_client_factory(staff_user)
    movie = first.movie

    page = admin.post(
        f"/admin/catalog/movie/{movie.pk}/change/",
        {
            "title": movie.title,
            "description": movie.description,
            "duration_minutes": 600,
            "shows-TOTAL_FORMS": 0,
            "shows-INITIAL_FORMS": 0,
        },
    )

    assert page.status_code == 200
    assert "would run into show" in page.content.decode()
    movie.refresh_from_db()
    assert movie.duration_minutes == 100


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59Z", "2200-01-01T00:00:00Z"])
def test_a_date_beyond_the_schedule_horizon_is_400_not_an_overflow(staff_client, screen, movie, when, settings):
    settings.SCHEDULE_HORIZON_DAYS = 730
    created = staff_client.post("/shows/", {"movie": movie.id, "screen": screen.id, "date_time": when}, format="json")
    show = make_show(movie, screen=screen)
    moved = staff_client.patch(f"/shows/{show.id}/", {"date_time": when}, format="json")

    for response in (created, moved):
        assert response.status_code == 400
        assert "730 days ahead" in response.json()["date_time"][0]
