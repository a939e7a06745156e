import io
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from threading import Barrier

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from catalog.tests.factories import make_movie, make_show

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db) -> User:
    return User.objects.create_user(username="alice", email="alice@example.com", password=PASSWORD)


@pytest.fixture
def other_user(db) -> User:
    return User.objects.create_user(username="bob", email="bob@example.com", password=PASSWORD)


@pytest.fixture
def staff_user(db) -> User:
    return User.objects.create_user(username="charlie", password=PASSWORD, is_staff=True)


def client_for(user: User) -> APIClient:
    """A client sending a real access token, as a logged-in app would."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def auth_client(user) -> APIClient:
    return client_for(user)


@pytest.fixture
def other_client(other_user) -> APIClient:
    return client_for(other_user)


@pytest.fixture
def staff_client(staff_user) -> APIClient:
    return client_for(staff_user)


@pytest.fixture
def admin_client_factory(db):
    """A browser session logged in to the admin as the given (staff) user."""

    def login(user: User) -> Client:
        user.is_superuser = True
        user.save()
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def movie(db):
    return make_movie()


@pytest.fixture
def show(movie):
    """A 50-seat show starting tomorrow."""
    return make_show(movie)


def run_at_once(calls) -> list:
    """Start every call at the same moment in its own thread and connection; return their results."""
    barrier = Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def post(client: APIClient, url: str, body=None, **headers):
    """A request as a thread runs it: a 500 comes back as a response, not as an exception."""
    client.raise_request_exception = False

    def call():
        return client.post(url, body, format="json", **headers)

    return call


@pytest.fixture
def events():
    """The lines the events handler writes, parsed: exactly what a log collector would read."""
    handler = logging.getLogger("events").handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(old)


class Clock:
    """A stand-in for django.utils.timezone.now that only moves when told to."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Control the time the services see (holds expire in minutes; tests do not wait)."""
    fake = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", fake)
    return fake


@pytest.fixture
def postgres(db) -> None:
    """Skip unless the suite runs on PostgreSQL; with REQUIRE_POSTGRES=1 (CI), fail instead."""
    if connection.vendor == "postgresql":
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail("REQUIRE_POSTGRES=1 but the test database is not PostgreSQL (set DATABASE_URL)")
    pytest.skip("needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make test")


@pytest.fixture
def redis_server():
    """A private redis-server on a free port, which the test may stop, pause and start again."""
    from core.tests.realservers import RedisServer

    server = RedisServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def broker(redis_server, settings):
    """A private redis-server as the Celery broker, which this process publishes to."""
    from core.tests.realservers import use_broker

    settings.CELERY_BROKER_URL = redis_server.url
    use_broker(redis_server.url)
    yield redis_server
    use_broker(None)


@pytest.fixture(autouse=True)
def responses_match_the_schema(monkeypatch):
    """Every API response a test receives is checked against docs/openapi.yaml (core/tests/conformance.py)."""
    from core.tests.conformance import check

    real_request = Client.request

    def request(self, **environ):
        response = real_request(self, **environ)
        if not environ.get("_skip_conformance"):
            check(
                environ.get("REQUEST_METHOD", "GET"),
                environ.get("PATH_INFO", ""),
                response.status_code,
                response.get("Content-Type", ""),
                response.content if not getattr(response, "streaming", False) else b"",
            )
        return response

    monkeypatch.setattr(Client, "request", request)
