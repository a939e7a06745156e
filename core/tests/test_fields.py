"""Optional URLs and e-mail addresses: null when there is none, and null or "" accepted for none;
written-out answers' datetimes as DRF shows them."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from accounts.models import User
from catalog.models import Movie
from conftest import PASSWORD
from core.fields import iso_datetime

pytestmark = pytest.mark.django_db


def test_a_movie_without_a_poster_shows_null(api_client, movie):
    assert api_client.get(f"/movies/{movie.id}/").json()["poster_url"] is None


@pytest.mark.parametrize("none", [None, ""])
def test_staff_clear_a_poster_with_null_or_an_empty_string(staff_client, movie, none):
    movie.poster_url = "https://example.com/p.jpg"
    movie.save()

    response = staff_client.patch(f"/movies/{movie.id}/", {"poster_url": none}, format="json")

    assert response.status_code == 200
    assert response.json()["poster_url"] is None
    assert Movie.objects.get(pk=movie.pk).poster_url == ""


def test_a_poster_url_is_still_checked(staff_client, movie):
    response = staff_client.patch(f"/movies/{movie.id}/", {"poster_url": "not a url"}, format="json")

    assert response.status_code == 400
    assert "poster_url" in response.json()


@pytest.mark.parametrize("email", [None, ""])
def test_signup_with_a_null_or_empty_email_stores_none_and_shows_null(api_client, email):
    response = api_client.post("/signup/", {"username": "dora", "password": PASSWORD, "email": email}, format="json")

    assert response.status_code == 201
    assert response.json()["email"] is None
    assert User.objects.get().email == ""


def test_me_shows_the_address_when_there_is_one(auth_client):
    assert auth_client.get("/me/").json()["email"] == "alice@example.com"


@pytest.mark.parametrize("zone_name", ["UTC", "America/New_York", "Asia/Kolkata"])
@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 29, 20, 15, tzinfo=UTC),
        datetime(2026, 7, 1, 23, 59, 59, 123456, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    ],
)
def test_iso_datetime_is_drf_s_datetime_field_output(settings, zone_name, value):
    settings.TIME_ZONE = zone_name

    assert iso_datetime(value, timezone.get_current_timezone()) == serializers.DateTimeField().to_representation(value)
