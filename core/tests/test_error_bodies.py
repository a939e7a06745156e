"""One family of error bodies: detail and code on every one, typed extras where there are some."""

import pytest

from conftest import client_for

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["code"] == code
    return body


def test_401s_say_why(api_client, user):
    assert_error(api_client.get("/me/"), 401, "not_authenticated")
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_error(api_client.get("/me/"), 401, "token_not_valid")


def test_403_404_405_415(auth_client, show):
    assert_error(auth_client.post("/movies/", {"title": "x"}, format="json"), 403, "permission_denied")
    assert_error(auth_client.get("/bookings/999999/"), 404, "not_found")
    assert_error(auth_client.delete(f"/shows/{show.id}/book/"), 405, "method_not_allowed")
    response = auth_client.post(f"/shows/{show.id}/book/", "seat_number=1", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


def test_a_parse_error_is_400_with_a_code(auth_client, show):
    response = auth_client.post(f"/shows/{show.id}/book/", "{oops", content_type="application/json")

    assert_error(response, 400, "parse_error")


def test_field_errors_keep_their_field_beside_detail_and_code_as_lists_of_messages(auth_client, show):
    response = auth_client.post(f"/shows/{show.id}/book/", {"seat_numbers": [1, "x"]}, format="json")

    body = assert_error(response, 400, "invalid")
    # Nested errors (item 1 of the list) are flattened to messages that say where.
    assert body["seat_numbers"] == ["1: Each seat must be an integer from 1 to the show's total_seats."]


def test_a_throttled_request_says_when_to_come_back(settings, user, show):
    settings.THROTTLING = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "bookings": "1/minute"}
    client = client_for(user)
    client.post(f"/shows/{show.id}/book/", {"seat_number": 1}, format="json")

    body = assert_error(client.post(f"/shows/{show.id}/book/", {"seat_number": 2}, format="json"), 429, "throttled")

    assert 0 < body["retry_after"] <= 60


def test_a_parameter_given_twice_is_400_not_silently_the_last(api_client):
    response = api_client.get("/movies/?ordering=title&ordering=-release_date")

    body = assert_error(response, 400, "invalid")
    assert body["ordering"] == ["Give this parameter once."]


def test_ordering_takes_one_key(api_client):
    assert_error(api_client.get("/movies/?ordering=title,release_date"), 400, "invalid")
    assert api_client.get("/movies/?ordering=-release_date").status_code == 200
