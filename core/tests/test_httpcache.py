import pytest
from django.core.cache import cache

from catalog.tests.factories import make_movie, make_show
from conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)  # bumps happen on commit


@pytest.fixture(autouse=True)
def http_cache(settings):
    settings.HTTP_CACHE = True
    cache.clear()
    yield
    cache.clear()


def test_a_repeated_public_read_is_answered_from_the_cache_without_queries(
    api_client, movie, django_assert_num_queries
):
    first = api_client.get("/movies/")

    with django_assert_num_queries(0):
        second = api_client.get("/movies/")

    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Authorization" in second["Vary"]


def test_a_client_with_the_current_etag_gets_304(api_client, movie, django_assert_num_queries):
    etag = api_client.get(f"/movies/{movie.id}/")["ETag"]

    with django_assert_num_queries(0):
        response = api_client.get(f"/movies/{movie.id}/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""


def test_a_catalog_change_is_seen_at_once(api_client, staff_client, movie):
    api_client.get("/movies/")

    staff_client.patch(f"/movies/{movie.id}/", {"title": "Renamed"}, format="json")

    assert api_client.get("/movies/").json()["results"][0]["title"] == "Renamed"


def test_a_booking_refreshes_seat_counts_but_not_movies(api_client, user, show, django_assert_num_queries):
    before = api_client.get(f"/shows/{show.id}/").json()["available_seats"]
    api_client.get(f"/shows/{show.id}/seats/")
    api_client.get("/movies/")

    client_for(user).post(f"/shows/{show.id}/book/", {"seat_number": 1}, format="json")

    assert api_client.get(f"/shows/{show.id}/").json()["available_seats"] == before - 1
    assert api_client.get(f"/shows/{show.id}/seats/").json()["booked"] == [1]
    with django_assert_num_queries(0):
        api_client.get("/movies/")


def test_a_cancellation_refreshes_seat_counts(api_client, user, show):
    booker = client_for(user)
    booking = booker.post(f"/shows/{show.id}/book/", {"seat_number": 1}, format="json").json()
    assert api_client.get(f"/shows/{show.id}/").json()["available_seats"] == 49

    booker.post(f"/bookings/{booking['id']}/cancel/")

    assert api_client.get(f"/shows/{show.id}/").json()["available_seats"] == 50


def test_requests_with_a_token_are_never_served_from_the_shared_cache(api_client, staff_client, movie):
    api_client.get("/movies/")

    response = staff_client.get("/movies/")

    assert "ETag" not in response
    assert response.status_code == 200


def test_errors_are_not_cached(api_client):
    assert api_client.get("/movies/424242/").status_code == 404
    make_movie(title="Late")
    movie_id = api_client.get("/movies/").json()["results"][0]["id"]
    assert api_client.get(f"/movies/{movie_id}/").status_code == 200


def test_the_query_string_is_part_of_the_key(api_client, movie):
    make_show(movie)

    assert api_client.get("/shows/", {"movie": movie.id}).json()["count"] == 1
    assert api_client.get("/shows/", {"movie": movie.id + 1000}).status_code == 400


def test_answers_showing_seats_are_kept_only_a_few_seconds_because_holds_lapse_by_the_clock(
    api_client, movie, show, settings, monkeypatch
):
    settings.HTTP_CACHE_SECONDS, settings.HTTP_CACHE_SEATS_SECONDS = 300, 5
    kept: dict[str, float] = {}
    real_set = cache.set
    monkeypatch.setattr(
        cache, "set", lambda key, value, timeout=None: kept.setdefault(key, timeout) or real_set(key, value, timeout)
    )

    api_client.get("/movies/")
    api_client.get(f"/shows/{show.id}/seats/")
    api_client.get("/shows/")

    assert sorted(kept.values()) == [5, 5, 300]


def test_the_host_is_part_of_the_key_so_links_to_one_host_never_reach_another(api_client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    for n in range(25):
        make_movie(title=f"Film {n:02}")

    poisoned = api_client.get("/movies/", HTTP_HOST="localhost:8320")
    clean = api_client.get("/movies/")

    assert "localhost:8320" in poisoned.json()["next"]
    assert clean.json()["next"].startswith("http://testserver/")


def stored_entries() -> int:
    store: dict[str, object] = cache._cache  # type: ignore[attr-defined]  # the test settings' LocMemCache
    return len(store)


def test_unknown_query_parameters_and_searches_create_no_cache_entries(api_client, movie):
    before = stored_entries()
    for n in range(5):
        assert api_client.get(f"/movies/?poison={n}").status_code == 200
        assert api_client.get(f"/movies/?search=film{n}").status_code == 200
    assert stored_entries() == before

    api_client.get("/movies/?page=1")
    assert stored_entries() > before  # known parameters are cached
