import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from config.tests.test_settings import TICKET_KEY, load_settings
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username="alice", password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password}, format="json")


def test_token_lifetimes_default_to_15_minutes_and_7_days(settings):
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds() == 15 * 60
    assert settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].days == 7
    assert settings.SIMPLE_JWT["ROTATE_REFRESH_TOKENS"] is True
    assert settings.SIMPLE_JWT["BLACKLIST_AFTER_ROTATION"] is True


def test_token_lifetimes_come_from_the_environment():
    code = (
        "import config.settings as s; j = s.SIMPLE_JWT; print(j['ACCESS_TOKEN_LIFETIME'], j['REFRESH_TOKEN_LIFETIME'])"
    )
    result = load_settings(code=code, DJANGO_DEBUG="1", JWT_ACCESS_MINUTES="5", JWT_REFRESH_DAYS="2")

    assert result.stdout.strip() == "0:05:00 2 days, 0:00:00"


KEY = (
    "import config.settings as s; print(s.SIMPLE_JWT['SIGNING_KEY'] == s.SECRET_KEY, len(s.SIMPLE_JWT['SIGNING_KEY']))"
)
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "s" * 60,
    "DJANGO_ALLOWED_HOSTS": "x",
    "TICKET_SIGNING_KEY": TICKET_KEY,
}


def test_the_jwt_signing_key_is_derived_from_the_secret_key_never_the_secret_key_itself():
    assert load_settings(code=KEY, DJANGO_DEBUG="1").stdout.split() == ["False", "64"]
    assert load_settings(code=KEY, **PRODUCTION).stdout.split() == ["False", "64"]


def test_a_dedicated_jwt_signing_key_is_used_when_given():
    code = "import config.settings as s; print(s.SIMPLE_JWT['SIGNING_KEY'])"

    result = load_settings(code=code, DJANGO_JWT_SIGNING_KEY="k" * 64, **PRODUCTION)

    assert result.stdout.strip() == "k" * 64


def test_a_deactivated_user_can_not_log_in_refresh_or_use_an_old_access_token(api_client, user):
    tokens = login(api_client).json()
    user.is_active = False
    user.save()

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.get("/me/").status_code == 401
    api_client.credentials()
    assert login(api_client).status_code == 401
    assert api_client.post("/token/refresh/", {"refresh": tokens["refresh"]}, format="json").status_code == 401


def change_password(client, old=PASSWORD, new="a-brand-new-secret-42"):
    return client.post("/me/password/", {"old_password": old, "new_password": new}, format="json")


def test_changing_the_password_revokes_every_refresh_token(api_client, auth_client, user):
    first = login(api_client).json()["refresh"]
    second = str(RefreshToken.for_user(user))

    response = change_password(auth_client)

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    for old in (first, second):
        assert api_client.post("/token/refresh/", {"refresh": old}, format="json").status_code == 401
    assert api_client.post("/token/refresh/", {"refresh": response.json()["refresh"]}, format="json").status_code == 200
    assert login(api_client).status_code == 401
    assert login(api_client, password="a-brand-new-secret-42").status_code == 200


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [("wrong-password", "a-brand-new-secret-42", "old_password"), (PASSWORD, "123", "new_password")],
)
def test_a_wrong_old_password_or_a_weak_new_one_is_400_and_changes_nothing(auth_client, user, old, new, field):
    response = change_password(auth_client, old=old, new=new)

    assert response.status_code == 400
    assert field in response.json()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_changing_the_password_needs_a_token(api_client):
    assert change_password(api_client).status_code == 401


def bearer(client, token) -> None:
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_seen_before_is_still_refused_once_it_expires(api_client, user):
    import time
    from datetime import timedelta

    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(user)
    # exp is in whole seconds, rounded down: a lifetime of 3 s leaves at least 2.
    token.set_exp(lifetime=timedelta(seconds=3))
    bearer(api_client, token)

    assert api_client.get("/me/").status_code == 200
    assert api_client.get("/me/").status_code == 200  # known now: only its expiry is checked
    time.sleep(3.2)
    response = api_client.get("/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_only_verified_tokens_are_kept_and_the_oldest_go_first(api_client, user, monkeypatch):
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.auth import verified_tokens

    monkeypatch.setattr(verified_tokens, "size", 2)
    verified_tokens.clear()
    tokens = [str(AccessToken.for_user(user)) for _ in range(3)]
    for token in tokens:
        bearer(api_client, token)
        assert api_client.get("/me/").status_code == 200
    forged = tokens[0][:-4] + ("AAAA" if not tokens[0].endswith("AAAA") else "BBBB")
    bearer(api_client, forged)
    assert api_client.get("/me/").status_code == 401

    assert [verified_tokens.get(t.encode()) is not None for t in tokens] == [False, True, True]
    assert verified_tokens.get(forged.encode()) is None
