import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.cache import cache

from accounts.models import User
from conftest import PASSWORD
from outbox.models import Message

pytestmark = pytest.mark.django_db

NEW = "a-brand-new-secret-42"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def ask(client, email):
    return client.post("/password-reset/", {"email": email}, format="json")


def uid_and_token(message) -> dict:
    found = {name: re.search(rf"{name}:\s+(\S+)", message.body) for name in ("uid", "token")}
    assert all(found.values()), message.body
    return {name: match.group(1) for name, match in found.items() if match}


def test_a_reset_is_asked_with_the_same_answer_for_known_and_unknown_addresses(api_client, user, committed):
    with committed():
        known = ask(api_client, "ALICE@example.com")
        unknown = ask(api_client, "nobody@example.com")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    (sent,) = mail.outbox
    assert sent.to == ["alice@example.com"]
    assert "reset your password" in sent.subject
    # The token is made when the e-mail is written: the outbox row never holds it.
    assert uid_and_token(sent)["token"] not in str(Message.objects.get().data)


def test_the_emailed_token_sets_a_new_password_once_and_revokes_refresh_tokens(api_client, user, committed):
    login = api_client.post("/login/", {"username": "alice", "password": PASSWORD}, format="json").json()
    with committed():
        ask(api_client, "alice@example.com")
    reset = {**uid_and_token(mail.outbox[0]), "new_password": NEW}

    assert api_client.post("/password-reset/confirm/", reset, format="json").status_code == 204

    user.refresh_from_db()
    assert user.check_password(NEW)
    assert api_client.post("/token/refresh/", {"refresh": login["refresh"]}, format="json").status_code == 401
    again = api_client.post("/password-reset/confirm/", {**reset, "new_password": "yet-another-one-77"}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_token"
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_an_expired_token_is_refused(api_client, user, committed, monkeypatch, settings):
    with committed():
        ask(api_client, "alice@example.com")
    reset = {**uid_and_token(mail.outbox[0]), "new_password": NEW}
    later = default_token_generator._now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)

    response = api_client.post("/password-reset/confirm/", reset, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_token")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "body",
    [
        {"uid": "!!", "token": "x", "new_password": NEW},
        {"uid": "OTk5OTk", "token": "x", "new_password": NEW},
        {"uid": "", "token": "", "new_password": NEW},
        {"token": "x", "new_password": NEW},
    ],
)
def test_malformed_or_unknown_resets_are_400(api_client, body):
    assert api_client.post("/password-reset/confirm/", body, format="json").status_code == 400


def test_a_weak_new_password_is_refused_and_the_token_still_works(api_client, user, committed):
    with committed():
        ask(api_client, "alice@example.com")
    reset = uid_and_token(mail.outbox[0])

    weak = api_client.post("/password-reset/confirm/", {**reset, "new_password": "123"}, format="json")

    assert weak.status_code == 400
    assert "new_password" in weak.json()
    assert api_client.post("/password-reset/confirm/", {**reset, "new_password": NEW}, format="json").status_code == 204


def test_accounts_without_a_password_or_inactive_get_no_email(api_client, committed):
    User.objects.create_user(username="sso", email="sso@example.com")  # no usable password
    User.objects.create_user(username="gone", email="gone@example.com", password=PASSWORD, is_active=False)
    with committed():
        ask(api_client, "sso@example.com")
        ask(api_client, "gone@example.com")

    assert mail.outbox == []


def test_an_invalid_address_is_a_400(api_client):
    assert ask(api_client, "not an address").status_code == 400


def test_resets_are_limited_per_address_and_per_ip(api_client, user, settings):
    settings.THROTTLING = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "password_reset": "4/hour", "password_reset_email": "2/hour"}
    cache.clear()
    assert ask(api_client, "alice@example.com").status_code == 202
    assert ask(api_client, "Alice@Example.com").status_code == 202
    assert ask(api_client, "alice@example.com").status_code == 429  # the address's third
    assert ask(api_client, "bob@example.com").status_code == 202
    assert ask(api_client, "carol@example.com").status_code == 429  # a new address, but the IP's fifth
    cache.clear()
