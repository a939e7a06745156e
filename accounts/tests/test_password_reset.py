import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.cache import cache
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

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
    # The token is made when the e-mail is written: no outbox row ever holds it.
    assert uid_and_token(sent)["token"] not in str(list(Message.objects.values_list("data", flat=True)))


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


def test_a_token_for_one_account_does_not_work_with_another_accounts_uid(api_client, user, other_user, committed):
    with committed():
        ask(api_client, "alice@example.com")
    alice = uid_and_token(mail.outbox[0])
    bob_uid = urlsafe_base64_encode(force_bytes(other_user.pk))

    response = api_client.post(
        "/password-reset/confirm/", {"uid": bob_uid, "token": alice["token"], "new_password": NEW}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid_token")
    other_user.refresh_from_db()
    assert other_user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "email",
    [
        "alice@example.com\r\nBcc: everyone@example.com",
        "alice@example.com\nBcc: everyone@example.com",
        "a" * 250 + "@example.com",
        "alice@" + "a" * 300 + ".com",
        "\x00alice@example.com",
        ["alice@example.com"],
        {"email": "alice@example.com"},
        12345,
    ],
)
def test_hostile_addresses_are_400_and_send_nothing(api_client, user, committed, email):
    with committed():
        response = ask(api_client, email)

    assert response.status_code == 400
    assert mail.outbox == []
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("email", "status", "sent"),
    [
        ("joerg@exämple.com", 202, True),
        ("JOERG@EXÄMPLE.COM", 202, True),
        # The same domain spelled in IDNA is, to the database, another address: nothing sent, and no error.
        ("joerg@xn--exmple-cua.com", 202, False),
        ("jörg@exämple.com", 400, False),  # a non-ASCII local part is no address Django sends to
    ],
)
def test_non_ascii_addresses_are_answered_as_any_other(api_client, committed, email, status, sent):
    User.objects.create_user(username="joerg", email="joerg@exämple.com", password=PASSWORD)
    with committed():
        response = ask(api_client, email)

    assert response.status_code == status
    assert len(mail.outbox) == sent
    if sent:
        # The message can be put on the wire: the domain in IDNA.
        assert mail.outbox[0].message()["To"] == "joerg@xn--exmple-cua.com"


@pytest.mark.parametrize(
    "email", ["alice@example.com", "ALICE@EXAMPLE.COM", "Alice@Example.Com", " alice@example.com "]
)
def test_case_variants_of_an_address_reach_its_account_at_the_address_it_gave(api_client, committed, email):
    account = User.objects.create_user(username="alice", email="Alice@Example.com", password=PASSWORD)
    with committed():
        response = ask(api_client, email)

    assert response.status_code == 202
    (sent,) = mail.outbox
    assert sent.to == [account.email] == ["Alice@example.com"]  # the domain is kept in lower case


def test_a_reset_revokes_every_refresh_token_of_the_account(api_client, user, committed):
    sessions = [
        api_client.post("/login/", {"username": "alice", "password": PASSWORD}, format="json").json()["refresh"]
        for _ in range(3)
    ]
    with committed():
        ask(api_client, "alice@example.com")

    confirm = api_client.post(
        "/password-reset/confirm/", {**uid_and_token(mail.outbox[0]), "new_password": NEW}, format="json"
    )

    assert confirm.status_code == 204
    for refresh in sessions:
        assert api_client.post("/token/refresh/", {"refresh": refresh}, format="json").status_code == 401


def test_a_request_delivered_again_queues_each_reset_email_once(api_client, user):
    from accounts.services import password_reset_fan_out

    ask(api_client, "alice@example.com")
    request = Message.objects.get(kind="password_reset_request")

    password_reset_fan_out(request)
    password_reset_fan_out(request)  # a worker that died after queueing, before marking the request sent

    assert Message.objects.filter(kind="password_reset", recipient="alice@example.com").count() == 1
