"""Refresh tokens: rotation, reuse detection by family, and accounts that are gone."""

import pytest
from rest_framework.test import APIClient

from conftest import PASSWORD, post, run_at_once

pytestmark = pytest.mark.django_db


def login(client):
    return client.post("/login/", {"username": "alice", "password": PASSWORD}, format="json").json()


def refresh(client, token):
    return client.post("/token/refresh/", {"refresh": token}, format="json")


def test_a_chain_of_refreshes_works_while_each_token_is_used_once(api_client, user):
    token = login(api_client)["refresh"]
    for _ in range(3):
        answer = refresh(api_client, token)
        assert answer.status_code == 200
        token = answer.json()["refresh"]

    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['access']}")
    assert me.get("/me/").status_code == 200


def test_a_spent_token_presented_again_revokes_its_whole_family_but_not_other_logins(api_client, user):
    stolen = login(api_client)["refresh"]
    other_device = login(api_client)["refresh"]
    latest = refresh(api_client, refresh(api_client, stolen).json()["refresh"]).json()["refresh"]

    reuse = refresh(api_client, stolen)

    assert reuse.status_code == 401
    assert refresh(api_client, latest).status_code == 401  # the descendant is revoked
    assert refresh(api_client, other_device).status_code == 200  # another log-in is another family


def test_a_refresh_token_of_a_deleted_user_is_401(api_client, user):
    token = login(api_client)["refresh"]
    user.delete()

    response = refresh(api_client, token)

    assert response.status_code == 401


def test_a_refresh_token_of_a_deactivated_user_is_401(api_client, user):
    token = login(api_client)["refresh"]
    user.is_active = False
    user.save()

    assert refresh(api_client, token).status_code == 401


@pytest.mark.parametrize(("token", "status"), [("", 400), ("not-a-jwt", 401), ("a.b.c", 401)])
def test_a_missing_token_is_400_and_a_malformed_one_401(api_client, token, status):
    assert refresh(api_client, token).status_code == status


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_refreshes_with_one_token_give_exactly_one_new_pair(user):
    token = login(APIClient())["refresh"]

    answers = run_at_once([post(APIClient(), "/token/refresh/", {"refresh": token}) for _ in range(10)])

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [401] * 9
    # The nine that came second were reuse: the one new token is revoked with its family.
    winner = next(a for a in answers if a.status_code == 200).json()["refresh"]
    assert refresh(APIClient(), winner).status_code == 401
