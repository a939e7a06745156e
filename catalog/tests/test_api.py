from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking
from bookings.tests.factories import make_booking
from catalog.models import Genre, Movie, Show

from .factories import at, make_movie, make_show

pytestmark = pytest.mark.django_db


def test_movie_list_is_paginated_and_public(api_client):
    for n in range(3):
        make_movie(title=f"Film {n}")

    response = api_client.get("/movies/", {"page_size": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None
    assert set(body["results"][0]) == {
        "id",
        "title",
        "description",
        "duration_minutes",
        "genres",
        "release_date",
        "language",
        "certificate",
        "poster_url",
    }


def test_page_size_is_capped_at_100(api_client):
    Movie.objects.bulk_create([Movie(title=f"Film {n:03}", duration_minutes=90) for n in range(105)])

    response = api_client.get("/movies", {"page_size": 100000})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 100


@pytest.mark.parametrize("page", ["0", "-1", "999", "abc"])
def test_a_page_that_does_not_exist_is_404_json(api_client, movie, page):
    response = api_client.get("/movies/", {"page": page})

    assert response.status_code == 404
    assert "detail" in response.json()


def test_movie_search_matches_title_case_insensitively(api_client):
    make_movie(title="The Matrix")
    make_movie(title="Amélie")

    response = api_client.get("/movies/", {"search": "matrix"})

    assert [m["title"] for m in response.json()["results"]] == ["The Matrix"]


def test_movie_detail_and_unknown_movie(api_client, movie):
    assert api_client.get(f"/movies/{movie.id}/").json()["title"] == "Metropolis"
    assert api_client.get(f"/movies/{movie.id}").status_code == 200
    assert api_client.get("/movies/999999/").status_code == 404


@pytest.mark.parametrize("movie_id", ["abc", "1.5", "99999999999999999999999"])
def test_movie_ids_that_are_not_small_integers_are_404(api_client, movie_id):
    assert api_client.get(f"/movies/{movie_id}/").status_code == 404


def test_movie_shows_lists_upcoming_shows_of_that_movie_only(api_client, movie):
    upcoming = make_show(movie, starts_in=timedelta(days=2))
    make_show(movie, starts_in=timedelta(hours=-1))
    make_show(make_movie(title="Other"))

    response = api_client.get(f"/movies/{movie.id}/shows/")

    assert response.status_code == 200
    assert [s["id"] for s in response.json()["results"]] == [upcoming.id]


def test_movie_shows_filters_by_date(api_client, movie):
    make_show(movie, date_time=at("2099-03-01", 18))
    second_day = make_show(movie, date_time=at("2099-03-02", 18))

    response = api_client.get(f"/movies/{movie.id}/shows", {"date": "2099-03-02"})

    assert [s["id"] for s in response.json()["results"]] == [second_day.id]


def test_movie_shows_with_a_bad_date_is_400(api_client, movie):
    response = api_client.get(f"/movies/{movie.id}/shows/", {"date": "tomorrow"})

    assert response.status_code == 400
    assert "date" in response.json()


def test_shows_of_an_unknown_movie_is_404(api_client):
    assert api_client.get("/movies/424242/shows/").status_code == 404


def test_show_list_has_the_documented_fields_and_counts_free_seats(api_client, show, user):
    make_booking(user=user, show=show, seat_number=1)
    make_booking(user=user, show=show, seat_number=2, status=Booking.Status.CANCELLED)

    response = api_client.get("/shows/")

    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item == {
        "id": show.id,
        "movie": show.movie_id,
        "movie_title": "Metropolis",
        "screen": show.screen_id,
        "screen_name": show.screen.name,
        "date_time": item["date_time"],
        "total_seats": 50,
        "available_seats": 49,
        "price": "10.00",
        "tier_prices": {},
        "ticket_prices": {},
        "ticket_types": [{"ticket_type": "adult", "prices": {"standard": "10.00"}}],
        "currency": "EUR",
    }
    assert item["date_time"].endswith("Z") or "+" in item["date_time"]


def test_show_list_is_upcoming_soonest_first_but_old_shows_stay_reachable(api_client, movie):
    later = make_show(movie, starts_in=timedelta(days=3))
    sooner = make_show(movie, starts_in=timedelta(days=1))
    past = make_show(movie, starts_in=timedelta(days=-1))

    response = api_client.get("/shows/")

    assert [s["id"] for s in response.json()["results"]] == [sooner.id, later.id]
    assert api_client.get(f"/shows/{past.id}/").status_code == 200


def test_show_list_filters_by_date(api_client, movie):
    make_show(movie, date_time=at("2099-03-01"))
    wanted = make_show(movie, date_time=at("2099-03-02"))

    response = api_client.get("/shows/", {"date": "2099-03-02"})

    assert [s["id"] for s in response.json()["results"]] == [wanted.id]


@pytest.mark.parametrize(
    ("url", "queries"),
    [("/movies/", 3), ("/shows/", 2), ("/screens/", 2), ("/genres/", 1)],  # count, page (, genres of the page)
)
def test_list_endpoints_run_a_fixed_number_of_queries(api_client, movie, user, url, queries):
    def queries_for(page_size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get(url, {"page_size": page_size}).status_code == 200
        return len(ctx.captured_queries)

    for n in range(30):
        film = make_movie(title=f"Film {n}")
        film.genres.add(Genre.objects.create(name=f"Genre {n}", slug=f"genre-{n}"))
        show = make_show(film, starts_in=timedelta(days=1, minutes=n))
        make_booking(user=user, show=show, seat_number=1)

    assert queries_for(2) == queries_for(30) == queries


def test_movie_shows_runs_a_fixed_number_of_queries(api_client, movie, django_assert_num_queries):
    for n in range(25):
        make_show(movie, starts_in=timedelta(days=1, minutes=n))

    # movie lookup, count, page
    with django_assert_num_queries(3):
        response = api_client.get(f"/movies/{movie.id}/shows/", {"page_size": 25})
    assert len(response.json()["results"]) == 25


# Staff writes


MOVIE_BODY = {"title": "Nosferatu", "description": "A symphony of horror.", "duration_minutes": 94}


def test_staff_can_create_update_and_delete_a_movie(staff_client):
    created = staff_client.post("/movies/", MOVIE_BODY, format="json")
    movie_id = created.json()["id"]
    patched = staff_client.patch(f"/movies/{movie_id}", {"duration_minutes": 95}, format="json")
    deleted = staff_client.delete(f"/movies/{movie_id}/")

    assert created.status_code == 201
    assert patched.status_code == 200
    assert patched.json()["duration_minutes"] == 95
    assert deleted.status_code == 204
    assert not Movie.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**MOVIE_BODY, "duration_minutes": 0}, "duration_minutes"),
        ({**MOVIE_BODY, "duration_minutes": "long"}, "duration_minutes"),
        ({**MOVIE_BODY, "title": ""}, "title"),
        ({**MOVIE_BODY, "title": "x" * 201}, "title"),
        ({"title": "No duration"}, "duration_minutes"),
    ],
)
def test_invalid_movie_is_400_per_field(staff_client, body, field):
    response = staff_client.post("/movies/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Movie.objects.exists()


def test_anonymous_catalog_write_is_401_and_customer_write_is_403(api_client, auth_client, movie):
    assert api_client.post("/movies/", MOVIE_BODY, format="json").status_code == 401
    assert auth_client.post("/movies/", MOVIE_BODY, format="json").status_code == 403
    assert auth_client.delete(f"/movies/{movie.id}/").status_code == 403
    show_body = {"movie": movie.id, "screen_name": "1", "date_time": "2099-01-01T20:00:00Z", "total_seats": 10}
    assert api_client.post("/shows/", show_body, format="json").status_code == 401
    assert auth_client.post("/shows/", show_body, format="json").status_code == 403
    assert Movie.objects.count() == 1
    assert not Show.objects.exists()


def test_staff_can_schedule_a_show(staff_client, movie):
    body = {"movie": movie.id, "screen_name": "Screen 3", "date_time": "2099-01-01T20:00:00Z", "total_seats": 80}

    response = staff_client.post("/shows/", body, format="json")

    assert response.status_code == 201
    assert response.json()["available_seats"] == 80
    assert response.json()["movie_title"] == "Metropolis"
    assert Show.objects.get().total_seats == 80


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"total_seats": 0}, "total_seats"),
        ({"total_seats": 5001}, "total_seats"),
        ({"movie": 999999}, "movie"),
        ({"date_time": "soon"}, "date_time"),
    ],
)
def test_invalid_show_is_400(staff_client, movie, change, field):
    body = {"movie": movie.id, "screen_name": "1", "date_time": "2099-01-01T20:00:00Z", "total_seats": 10, **change}

    response = staff_client.post("/shows/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Show.objects.exists()


def test_total_seats_comes_from_the_screen_and_cannot_be_patched_apart(staff_client, show):
    refused = staff_client.patch(f"/shows/{show.id}/", {"total_seats": 39}, format="json")
    same = staff_client.patch(f"/shows/{show.id}/", {"total_seats": 50}, format="json")

    assert refused.status_code == 400
    assert "total_seats" in refused.json()
    assert same.status_code == 200
    assert Show.objects.get().screen.capacity == 50


def test_deleting_a_show_or_movie_with_bookings_is_409_and_keeps_everything(staff_client, show, user):
    make_booking(user=user, show=show, seat_number=1, status=Booking.Status.CANCELLED)

    show_response = staff_client.delete(f"/shows/{show.id}/")
    movie_response = staff_client.delete(f"/movies/{show.movie_id}/")

    assert show_response.status_code == 409
    assert movie_response.status_code == 409
    assert show_response.json()["code"] == "has_bookings"
    assert Show.objects.count() == 1
    assert Booking.objects.count() == 1


def test_deleting_a_show_without_bookings_works(staff_client, show):
    assert staff_client.delete(f"/shows/{show.id}").status_code == 204
    assert not Show.objects.exists()
