from datetime import date, timedelta
from decimal import Decimal

import pytest

from bookings.tests.factories import make_booking
from catalog.models import Genre
from catalog.tests.factories import at, make_movie, make_screen, make_show

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


@pytest.fixture
def programme(movie, user):
    """Two movies, two screens, three days; one show sold out."""
    other = make_movie(title="Other")
    big, small = make_screen(40), make_screen(2)
    shows = {
        "mon": make_show(movie, screen=big, date_time=at("2099-03-02", 18), price=Decimal("12.00")),
        "tue": make_show(other, screen=big, date_time=at("2099-03-03", 18), price=Decimal("8.00")),
        "wed": make_show(movie, screen=small, date_time=at("2099-03-04", 18), price=Decimal("10.00")),
    }
    make_booking(user=user, show=shows["wed"], seat_number=1)
    make_booking(user=user, show=shows["wed"], seat_number=2)
    return {**shows, "other": other, "big": big, "small": small}


def test_shows_filter_by_movie_and_screen(api_client, movie, programme):
    p = programme
    assert ids(api_client.get("/shows/", {"movie": movie.id})) == [p["mon"].id, p["wed"].id]
    assert ids(api_client.get("/shows/", {"screen": p["big"].id})) == [p["mon"].id, p["tue"].id]
    assert ids(api_client.get("/shows/", {"movie": movie.id, "screen": p["big"].id})) == [p["mon"].id]


def test_shows_filter_by_a_range_of_days(api_client, programme):
    p = programme
    assert ids(api_client.get("/shows/", {"date_from": "2099-03-03"})) == [p["tue"].id, p["wed"].id]
    assert ids(api_client.get("/shows/", {"date_to": "2099-03-03"})) == [p["mon"].id, p["tue"].id]
    assert ids(api_client.get("/shows/", {"date_from": "2099-03-03", "date_to": "2099-03-03"})) == [p["tue"].id]


def test_the_date_is_a_day_in_the_cinemas_time_zone(api_client, movie, settings):
    settings.TIME_ZONE = "America/New_York"
    late = make_show(movie, date_time=at("2099-03-02", 23, 30))  # 04:30 UTC on the 3rd

    assert ids(api_client.get("/shows/", {"date": "2099-03-02"})) == [late.id]
    assert ids(api_client.get("/shows/", {"date": "2099-03-03"})) == []


def test_shows_filter_by_free_seats(api_client, programme):
    p = programme
    assert ids(api_client.get("/shows/", {"available": "true"})) == [p["mon"].id, p["tue"].id]
    assert ids(api_client.get("/shows/", {"available": "false"})) == [p["wed"].id]


def test_shows_order_by_price_or_date(api_client, programme):
    p = programme
    assert ids(api_client.get("/shows/", {"ordering": "price"})) == [p["tue"].id, p["wed"].id, p["mon"].id]
    assert ids(api_client.get("/shows/", {"ordering": "-price"})) == [p["mon"].id, p["wed"].id, p["tue"].id]
    assert ids(api_client.get("/shows/", {"ordering": "-date_time"})) == [p["wed"].id, p["tue"].id, p["mon"].id]


@pytest.mark.parametrize(
    "params",
    [{"movie": "999999"}, {"screen": "x"}, {"date_from": "tomorrow"}, {"available": "maybe"}, {"ordering": "title"}],
)
def test_bad_show_filters_are_400(api_client, programme, params):
    response = api_client.get("/shows/", params)

    assert response.status_code == 400
    assert set(params) <= set(response.json())


def test_movie_shows_take_the_same_filters(api_client, movie, programme):
    response = api_client.get(f"/movies/{movie.id}/shows/", {"available": "true"})

    assert ids(response) == [programme["mon"].id]


@pytest.fixture
def films():
    drama = Genre.objects.create(name="Drama", slug="drama")
    comedy = Genre.objects.create(name="Comedy", slug="comedy")
    sad = make_movie(title="Sad", release_date=date(2020, 1, 1), description="tears in the rain")
    sad.genres.add(drama)
    funny = make_movie(title="Funny", release_date=date(2022, 1, 1), description="a pie in the face")
    funny.genres.add(comedy, drama)
    old = make_movie(title="Archive", release_date=date(1950, 1, 1))
    make_show(sad, starts_in=timedelta(days=2))
    make_show(old, starts_in=timedelta(days=-2))
    return {"sad": sad, "funny": funny, "old": old}


def test_movies_filter_by_genre(api_client, films):
    assert ids(api_client.get("/movies/", {"genre": "drama"})) == [films["funny"].id, films["sad"].id]
    assert ids(api_client.get("/movies/", {"genre": "comedy"})) == [films["funny"].id]
    assert api_client.get("/movies/", {"genre": "western"}).status_code == 400
    assert api_client.get("/movies/", {"now_showing": "yes"}).status_code == 400


def test_movies_now_showing_have_upcoming_shows(api_client, films):
    assert ids(api_client.get("/movies/", {"now_showing": "true"})) == [films["sad"].id]
    assert ids(api_client.get("/movies/", {"now_showing": "false"})) == [films["old"].id, films["funny"].id]


def test_movie_search_covers_title_and_description(api_client, films):
    assert ids(api_client.get("/movies/", {"search": "PIE"})) == [films["funny"].id]
    assert ids(api_client.get("/movies/", {"search": "sad"})) == [films["sad"].id]


def test_movies_order_by_title_or_release_date(api_client, films):
    f = films
    assert ids(api_client.get("/movies/")) == [f["old"].id, f["funny"].id, f["sad"].id]
    assert ids(api_client.get("/movies/", {"ordering": "release_date"})) == [f["old"].id, f["sad"].id, f["funny"].id]
    assert ids(api_client.get("/movies/", {"ordering": "-release_date"})) == [f["funny"].id, f["sad"].id, f["old"].id]


def test_a_movie_lists_its_genre_slugs_and_genres_are_listed(api_client, films):
    assert api_client.get(f"/movies/{films['funny'].id}/").json()["genres"] == ["comedy", "drama"]
    assert api_client.get("/genres/").json() == [
        {"slug": "comedy", "name": "Comedy"},
        {"slug": "drama", "name": "Drama"},
    ]


def test_staff_set_genres_by_slug(staff_client, films):
    response = staff_client.post(
        "/movies/", {"title": "New", "duration_minutes": 90, "genres": ["comedy", "nope"]}, format="json"
    )
    assert response.status_code == 400
    assert "genres" in response.json()
