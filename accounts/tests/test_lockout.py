"""The log-in lockout: per canonical name and per address, shared by the API and the admin, atomic."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import PASSWORD, post, run_at_once

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def login(client, username="alice", password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, format="json", **extra)


def assert_locked_out(response):
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert int(response["Retry-After"]) > 0


def test_five_failed_logins_lock_that_username_even_for_the_right_password(api_client, user, other_user):
    for _ in range(5):
        assert login(api_client, password="wrong").status_code == 401

    assert_locked_out(login(api_client))
    assert login(api_client, username="bob", REMOTE_ADDR="10.0.0.9").status_code == 200  # others are not affected


def test_the_name_is_locked_whatever_the_spelling_and_the_address(api_client, user):
    for n, spelling in enumerate(["ALICE", "ａｌｉｃｅ", "Alice", "Ａlice", "alice"]):
        assert login(api_client, username=spelling, password="wrong", REMOTE_ADDR=f"10.0.0.{n}").status_code == 401

    assert_locked_out(login(api_client, username="alice", REMOTE_ADDR="10.9.9.9"))


def test_an_address_guessing_many_names_is_locked_out(api_client, user):
    for n in range(5):
        login(api_client, username=f"guess{n}", password="x", REMOTE_ADDR="10.0.0.1")

    assert_locked_out(login(api_client, REMOTE_ADDR="10.0.0.1"))
    assert login(api_client, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_a_successful_login_clears_the_failures(api_client, user):
    for _ in range(4):
        login(api_client, password="wrong")
    assert login(api_client).status_code == 200

    for _ in range(4):
        assert login(api_client, password="wrong").status_code == 401
    assert login(api_client).status_code == 200


def test_the_admin_login_is_locked_by_failures_at_the_api(api_client, staff_user):
    for _ in range(5):
        login(api_client, username="charlie", password="wrong")

    browser = Client()
    response = browser.post("/admin/login/?next=/admin/", {"username": "charlie", "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_failures_at_the_admin_lock_the_api_login(api_client, staff_user):
    browser = Client()
    for _ in range(5):
        browser.post("/admin/login/?next=/admin/", {"username": "charlie", "password": "wrong"})

    assert_locked_out(login(api_client, username="charlie"))
    assert AccessAttempt.objects.filter(username="charlie").exists()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_25_simultaneous_wrong_passwords_get_exactly_5_password_checks(postgres, user):
    answers = run_at_once([post(APIClient(), "/login/", {"username": "alice", "password": "wrong"}) for _ in range(25)])

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [401] * 5 + [429] * 20


def test_staff_clean_up_expired_attempts_in_the_admin(api_client, user, other_user, staff_user, admin_client_factory):
    for _ in range(2):
        login(api_client, password="wrong")
    login(api_client, username="bob", password="wrong")
    admin = admin_client_factory(staff_user)  # a log-in: it would clean up what had expired by then
    # Past the 5-minute cool-off: alice's failures have expired.
    AccessAttempt.objects.filter(username="alice").update(attempt_time=timezone.now() - timedelta(minutes=10))

    page = admin.post(
        "/admin/axes/accessattempt/",
        {
            "action": "cleanup_expired_attempts",
            "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )

    assert page.status_code == 200
    assert "Cleaned up 1 expired access attempts." in page.content.decode()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["bob"]
