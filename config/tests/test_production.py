import subprocess
import sys

import pytest
from django.test import Client

from bookings import services
from bookings.models import Booking
from config.settings import BASE_DIR
from config.tests.test_settings import TICKET_KEY, clean_environ, load_settings

STRONG_KEY = "pN3v-8Qz!r7Lw#2Xk9@Tb5^Yh1&Jm6*Fd4(Gs0)Hc8_Vx3+Ua7=Ee2~Oi9%Wq5"
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "DJANGO_ALLOWED_HOSTS": "tickets.example.com",
    "TICKET_SIGNING_KEY": TICKET_KEY,
}


def deploy_check(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=clean_environ(**PRODUCTION, **env),
        capture_output=True,
        text=True,
    )


def test_the_deploy_check_is_clean_with_only_the_secret_key_and_hosts_set():
    result = deploy_check()

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


def test_https_0_turns_off_redirect_hsts_and_secure_cookies_together():
    code = (
        "import config.settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    assert load_settings(code=code, **PRODUCTION).stdout.split() == ["True", "31536000", "True", "True"]
    assert load_settings(code=code, DJANGO_HTTPS="0", **PRODUCTION).stdout.split() == ["False", "0", "False", "False"]
    # And the deploy check says so, as it should for a site without TLS.
    assert "SECURE_SSL_REDIRECT" in deploy_check(DJANGO_HTTPS="0").stderr


def test_behind_a_proxy_the_forwarded_proto_is_trusted():
    code = "import config.settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"

    assert load_settings(code=code, **PRODUCTION).stdout.strip() == "None"
    assert "HTTP_X_FORWARDED_PROTO" in load_settings(code=code, DJANGO_TRUSTED_PROXIES="1", **PRODUCTION).stdout


def test_the_browsable_api_is_off_in_production():
    code = "import config.settings as s; print(s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"

    assert load_settings(code=code, **PRODUCTION).stdout.strip() == "['rest_framework.renderers.JSONRenderer']"


@pytest.mark.django_db
def test_docs_are_public_by_default(client):
    for url in ("/swagger/", "/redoc/", "/api/schema/"):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_with_public_docs_off_only_staff_see_them(client, settings, user, staff_user):
    settings.PUBLIC_DOCS = False

    assert client.get("/api/schema/").status_code == 403
    client.force_login(user)
    assert client.get("/swagger/").status_code == 403
    client.force_login(staff_user)
    for url in ("/swagger/", "/redoc/", "/api/schema/"):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_cors_allows_no_origin_by_default(client):
    response = client.options("/movies/", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")

    assert "access-control-allow-origin" not in response.headers


@pytest.mark.django_db
def test_cors_allows_the_configured_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]

    allowed = client.get("/movies/", HTTP_ORIGIN="https://app.example.com")
    other = client.get("/movies/", HTTP_ORIGIN="https://evil.example")

    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in other.headers


# Every error is JSON


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/no-such-page/", 404),
        ("get", "/shows/abc/", 404),
        ("get", "/shows/123456789012345678901234567890/", 404),
        ("delete", "/movies/", 405),
        ("put", "/shows/1/book/", 405),
        ("get", "/shows/1/book/", 405),
    ],
)
def test_errors_are_json(staff_client, method, url, status):
    response = getattr(staff_client, method)(url)

    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.django_db
def test_a_body_above_the_limit_is_413_json_and_changes_nothing(auth_client, show, settings):
    body = '{"seat_number": 1, "padding": "' + "x" * settings.MAX_REQUEST_BODY_BYTES + '"}'

    response = auth_client.post(f"/shows/{show.id}/book/", body, content_type="application/json")

    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_an_unexpected_error_is_a_json_500_without_details(auth_client, show, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "booking_create", broken)
    auth_client.raise_request_exception = False

    response = auth_client.post(f"/shows/{show.id}/book/", {"seat_number": 1}, format="json")

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "code": "server_error"}
    assert b"secret internals" not in response.content


@pytest.mark.django_db
def test_a_disallowed_host_is_a_json_400():
    response = Client(headers={"host": "evil.example"}).get("/movies/")

    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request.", "code": "bad_request"}
