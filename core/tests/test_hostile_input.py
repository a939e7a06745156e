"""What an attacker or a broken client sends: always a 4xx with a JSON message, never a 500."""

import pytest

from accounts.models import User
from bookings.models import Booking

pytestmark = pytest.mark.django_db


def assert_json_4xx(response, status):
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ('{"seat_number": 1', "application/json", 400),
        ("[1, 2", "application/json", 400),
        ('"just a string"', "application/json", 400),
        ("null", "application/json", 400),
        ("seat_number=1", "application/x-www-form-urlencoded", 415),
        ("seat_number: 1", "text/plain", 415),
        ("<seat>1</seat>", "application/xml", 415),
        ("\xff\xfe{", "application/json", 400),
    ],
)
def test_malformed_bodies_and_wrong_content_types(auth_client, show, body, content_type, status):
    response = auth_client.post(f"/shows/{show.id}/book/", body, content_type=content_type)

    assert_json_4xx(response, status)
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "username",
    ["x" * 5000, "robert'); DROP TABLE accounts_user;--", "ünïcödé ☃", "tab\there", "new\nline", "bell\x07", "nul\x00"],
)
def test_hostile_usernames_are_refused_at_signup(api_client, username):
    response = api_client.post("/signup/", {"username": username, "password": "a-long-secret-99"}, format="json")

    assert_json_4xx(response, 400)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("username", "status"),
    [
        # Strings are names nobody has: wrong credentials.
        ("x" * 5000, 401),
        ("' OR 1=1 --", 401),
        ("☃", 401),
        (12345, 401),  # DRF's CharField takes a number as its digits
        # What is not a name at all is refused before any account is looked up.
        ("\x00", 400),
        ({"$ne": None}, 400),
        (["alice"], 400),
        (None, 400),
    ],
)
def test_hostile_log_ins_are_4xx(api_client, user, username, status):
    response = api_client.post("/login/", {"username": username, "password": "whatever"}, format="json")

    assert_json_4xx(response, status)


@pytest.mark.parametrize(
    "term", ["' OR '1'='1", "%", "_", "\\", "ünïcödé ☃ 映画", "x" * 3000, "\u202e\u200b", "Robert'); DROP TABLE x;--"]
)
def test_hostile_search_terms_just_find_nothing(api_client, movie, term):
    response = api_client.get("/movies/", {"search": term})

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("query", ["search=a%00b", "date=2099-01-01%00", "page=1%00"])
def test_nul_characters_in_the_query_are_400(api_client, query):
    assert_json_4xx(api_client.get(f"/movies/?{query}"), 400)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/movies/?page=-1", 404),
        ("/movies/?page=0", 404),
        ("/movies/?page=99999999999999999999999", 404),
        ("/movies/?page=abc", 404),
        ("/shows/?movie=99999999999999999999999", 400),
        ("/shows/?movie=-1", 400),
        ("/shows/?date=2099-13-45", 400),
        ("/shows/?date_from=99999-01-01", 400),
        ("/my-bookings/?status=' OR 1=1", 400),
    ],
)
def test_hostile_query_parameters(auth_client, movie, url, status):
    assert_json_4xx(auth_client.get(url), status)


@pytest.mark.parametrize("page_size", ["100000", "-5", "0", "abc", "99999999999999999999"])
def test_any_page_size_gives_a_normal_page(api_client, movie, page_size):
    response = api_client.get("/movies/", {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


@pytest.mark.parametrize(
    "path",
    ["/shows/abc/", "/shows/-1/", "/shows/1.0/", "/shows/18446744073709551616/", "/movies/1e9/"],
)
def test_path_ids_that_are_not_small_integers_are_404(auth_client, path):
    assert_json_4xx(auth_client.get(path), 404)


def test_a_nul_in_the_path_is_400(auth_client):
    assert_json_4xx(auth_client.get("/bookings/%00/"), 400)


@pytest.mark.parametrize(
    "value",
    [2**63, 2**64, -(2**63) - 1, 10**100, 1e308, 1e-300, "١٢", "\u0661"],
)
def test_huge_and_strange_numbers_for_a_seat_are_400(auth_client, show, value):
    response = auth_client.post(f"/shows/{show.id}/book/", {"seat_number": value}, format="json")

    assert_json_4xx(response, 400)
    assert not Booking.objects.exists()


def test_infinity_and_nan_in_json_are_400(auth_client, show):
    for literal in ("Infinity", "NaN", "-Infinity"):
        response = auth_client.post(
            f"/shows/{show.id}/book/", f'{{"seat_number": {literal}}}', content_type="application/json"
        )
        assert_json_4xx(response, 400)


def test_a_deeply_nested_body_is_400(auth_client, show):
    body = '{"seat_numbers": ' + "[" * 5000 + "]" * 5000 + "}"

    response = auth_client.post(f"/shows/{show.id}/book/", body, content_type="application/json")

    assert_json_4xx(response, 400)


def test_staff_json_fields_with_nul_characters_are_400(staff_client, movie):
    response = staff_client.post("/screens/", {"name": "Hall", "layout": [{"row": "A\x00", "seats": 5}]}, format="json")
    nul_name = staff_client.post("/movies/", {"title": "x\x00y", "duration_minutes": 90}, format="json")

    assert_json_4xx(response, 400)
    assert_json_4xx(nul_name, 400)


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/movies/", {"title": "x", "duration_minutes": 90, "genres": ["\u0000"]}),
        ("/movies/", {"title": "x\u0000", "duration_minutes": 90}),
        ("/screens/", {"name": "Hall", "layout": [{"row": "A", "seats": 3, "tier": "vip\u0000"}]}),
        ("/signup/", {"username": "dora", "password": "x", "\u0000": 1}),
    ],
)
def test_a_nul_character_anywhere_in_a_body_is_400_for_staff_too(staff_client, url, body):
    staff_client.raise_request_exception = False

    response = staff_client.post(url, body, format="json")

    assert_json_4xx(response, 400)
    assert "NUL" in response.json()["detail"]


def test_a_chunked_body_is_411_not_a_misleading_400(auth_client, show):
    response = auth_client.post(
        f"/shows/{show.id}/book/",
        '{"seat_number": 1}',
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert_json_4xx(response, 411)
    assert "Content-Length" in response.json()["detail"]
    assert not Booking.objects.exists()
