import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.models import User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def signup(client, **body):
    return client.post("/signup/", {"username": "dora", "password": PASSWORD, **body}, format="json")


def login(client, username="alice", password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password}, format="json")


def test_signup_creates_a_user_and_returns_it_without_the_password(api_client):
    response = signup(api_client, email="dora@example.com", password2=PASSWORD)

    assert response.status_code == 201
    user = User.objects.get(username="dora")
    assert response.json() == {"id": user.id, "username": "dora", "email": "dora@example.com"}
    assert user.check_password(PASSWORD)
    assert not user.is_staff


def test_signup_works_without_trailing_slash_and_without_email(api_client):
    response = api_client.post("/signup", {"username": "dora", "password": PASSWORD}, format="json")

    assert response.status_code == 201
    assert response.json()["email"] is None  # no address: null, never "" (docs/api-changelog.md)
    assert User.objects.get(username="dora").email == ""


def test_signup_with_a_taken_username_is_400_whatever_the_case(api_client, user):
    response = signup(api_client, username="ALICE")

    assert response.status_code == 400
    assert "username" in response.json()
    assert User.objects.count() == 1


def test_signup_with_mismatched_password2_is_400(api_client):
    response = signup(api_client, password2="something-else-9")

    assert response.status_code == 400
    assert "password2" in response.json()
    assert not User.objects.filter(username="dora").exists()


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "qwertyuiop"])
def test_signup_rejects_weak_passwords(api_client, password):
    response = signup(api_client, password=password)

    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.filter(username="dora").exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "dora"}, {"password": PASSWORD}, {"username": "", "password": PASSWORD}],
)
def test_signup_with_missing_fields_is_400(api_client, body):
    response = api_client.post("/signup/", body, format="json")

    assert response.status_code == 400
    assert User.objects.count() == 0


def test_signup_cannot_make_itself_staff(api_client):
    response = signup(api_client, is_staff=True, is_superuser=True)

    assert response.status_code == 201
    user = User.objects.get(username="dora")
    assert not user.is_staff
    assert not user.is_superuser


def test_login_returns_tokens_and_the_user(api_client, user):
    response = login(api_client)

    assert response.status_code == 200
    body = response.json()
    assert body["access"]
    assert body["refresh"]
    assert body["user"] == {"id": user.id, "username": "alice", "email": "alice@example.com"}


def test_login_ignores_username_case(api_client, user):
    assert login(api_client, username="Alice").status_code == 200


@pytest.mark.parametrize(("username", "password"), [("alice", "wrong-password"), ("nobody", PASSWORD)])
def test_login_with_wrong_credentials_is_401(api_client, user, username, password):
    response = login(api_client, username=username, password=password)

    assert response.status_code == 401
    assert "detail" in response.json()


def test_access_token_from_login_opens_me(api_client, user):
    access = login(api_client).json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    response = api_client.get("/me/")

    assert response.status_code == 200
    assert response.json() == {"id": user.id, "username": "alice", "email": "alice@example.com", "is_staff": False}


def test_me_shows_staff_flag(staff_client):
    assert staff_client.get("/me").json()["is_staff"] is True


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Token abc"])
def test_me_without_a_valid_token_is_401(api_client, user, header):
    if header:
        api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get("/me/")

    assert response.status_code == 401
    assert "detail" in response.json()


def test_refresh_rotates_and_blacklists_the_used_token(api_client, user):
    refresh = login(api_client).json()["refresh"]

    first = api_client.post("/token/refresh/", {"refresh": refresh}, format="json")
    again = api_client.post("/token/refresh", {"refresh": refresh}, format="json")

    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}
    assert first.json()["refresh"] != refresh
    assert again.status_code == 401
    # The spent token came back: its successor is revoked too (accounts/tokens.py).
    assert BlacklistedToken.objects.count() == 2
    assert api_client.post("/token/refresh/", {"refresh": first.json()["refresh"]}, format="json").status_code == 401


def test_logout_blacklists_the_refresh_token(api_client, user):
    refresh = login(api_client).json()["refresh"]

    response = api_client.post("/logout/", {"refresh": refresh}, format="json")
    reuse = api_client.post("/token/refresh/", {"refresh": refresh}, format="json")
    logout_again = api_client.post("/logout", {"refresh": refresh}, format="json")

    assert response.status_code == 204
    assert reuse.status_code == 401
    assert logout_again.status_code == 401


@pytest.mark.parametrize(("body", "status"), [({}, 400), ({"refresh": ""}, 400), ({"refresh": "garbage"}, 401)])
def test_logout_without_a_token_is_400_and_with_a_bad_one_401(api_client, body, status):
    response = api_client.post("/logout/", body, format="json")

    assert response.status_code == status
    assert response.json()
