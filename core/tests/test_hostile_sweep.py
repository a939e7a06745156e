"""Every operation of the API, sent what an attacker or a broken client sends, against gunicorn in
production mode (DEBUG off, only the required variables set): never a 5xx, always JSON, and a
refused write changes nothing.

The operations come from the committed schema (docs/openapi.yaml), so a new endpoint is swept
without anyone adding it here. Each is sent by every kind of caller (nobody, a customer, door
staff, staff) with real ids in its path, and then:
- each field of its body, one at a time, of every wrong type, huge, negative, NUL, 10,000 characters;
- whole bodies that are no JSON object: broken, nested 100,000 deep, 1 MB, wrong Content-Type;
- path ids that are no id; each query parameter hostile; hostile ``?format=``.
"""

from __future__ import annotations

import http.client
import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from bookings import services
from bookings.tests.factories import make_booking
from catalog.models import Genre
from catalog.tests.factories import make_movie, make_show
from conftest import PASSWORD
from core.tests.realservers import ProductionServer
from orders.services import order_create
from tickets.tests.conftest import door_staff_group
from webhooks.models import Endpoint

SCHEMA = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs/openapi.yaml").read_text())

FIELD_VALUES: list[Any] = [
    None,
    "",
    "\x00",
    "x" * 10_000,
    "☃\u202e\ufeff",
    -1,
    0,
    2**31,
    2**64,
    10**30,
    1.5,
    True,
    [],
    {},
    [[[[[]]]]],
    {"$ne": None},
    ["\x00"],
    "2024-13-45T25:61:00Z",
]
# Bodies that are no JSON object, written out: JSON's encoder would refuse some of them.
RAW_BODIES: list[bytes] = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"a string"',
    b"12",
    b"NaN",
    b'{"x": 1e400}',
    b'{"x": Infinity}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    b'{"padding": "' + b"x" * 1_000_000 + b'"}',
    b"\xff\xfe{\x00",
    b'\xef\xbb\xbf{"a": 1}',
]
CONTENT_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/json; charset=utf-16",
]
BAD_IDS = ["0", "-1", "99999999999999999999999", "abc", "%00", "1.5", "%ff", "1%20OR%201=1"]
BAD_QUERY = ["%00", "x" * 3000, "-1", "99999999999999999999", "2024-13-45", "[]", "%ff", "true%00"]
BAD_FORMATS = ["api", "xml", "html", "png", "svg", "%00", "x" * 1000, "..%2f..%2fetc%2fpasswd"]
# Whose rows a refused write must leave as they were.
WATCHED = [
    "accounts.User",
    "catalog.Movie",
    "catalog.Screen",
    "catalog.Show",
    "catalog.Genre",
    "bookings.Booking",
    "bookings.Hold",
    "tickets.CheckIn",
    "orders.Order",
    "orders.Payment",
    "webhooks.Endpoint",
    "outbox.Message",
]
IGNORED_COLUMNS = {"last_login"}


def resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def operations() -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, item in SCHEMA["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def snapshot() -> dict[str, list]:
    """Every row of the watched tables, with the columns a log-in touches left out."""
    state = {}
    for label in WATCHED:
        model = apps.get_model(label)
        columns = [f.attname for f in model._meta.concrete_fields if f.attname not in IGNORED_COLUMNS]
        state[label] = list(model.objects.order_by("pk").values_list(*columns))
    return state


class Sweep:
    def __init__(self, server: ProductionServer) -> None:
        self.server = server
        self.tried = 0
        self.failures: list[str] = []

    def send(self, method: str, path: str, *, token: str, body: bytes | None = None, content_type: str = "") -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        headers = {"Host": "127.0.0.1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
        before = snapshot() if method != "GET" else None
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            status, kind, content = response.status, response.getheader("Content-Type", ""), response.read()
        except (BrokenPipeError, ConnectionResetError):
            # The server answers an oversized body's headers with a 413 and
            # closes without reading the rest; a client still sending then
            # sees the connection reset (whether the 413 arrives first is
            # timing). Only then is a reset a refusal.
            if len(body or b"") <= settings.MAX_REQUEST_BODY_BYTES:
                raise
            status, kind, content = 413, "application/json", b"(connection closed while the body was sent)"
        finally:
            connection.close()
        self.tried += 1
        what = f"{method} {path[:120]} {(body or b'')[:80]!r} {content_type}: {status} {content[:200]!r}"
        if status >= 500:
            self.failures.append(what)
        elif status != 204 and not (
            kind.startswith(("application/json", "image/")) or (status == 200 and kind.startswith("text/csv"))
        ):  # a picture, or an export's CSV; every refusal is JSON
            self.failures.append(f"not JSON ({kind}): {what}")
        elif before is not None and 400 <= status < 500 and snapshot() != before:
            self.failures.append(f"a refused write changed rows: {what}")
        return status


@pytest.fixture
def world(transactional_db):
    """Real rows for every path id, and a token for each kind of caller."""
    customer = User.objects.create_user(username="alice", email="alice@example.com", password=PASSWORD)
    door = User.objects.create_user(username="dora", password=PASSWORD)
    door.groups.add(door_staff_group())
    staff = User.objects.create_user(username="charlie", password=PASSWORD, is_staff=True)
    show = make_show(make_movie(), starts_in=timedelta(minutes=30))
    booking = make_booking(user=customer, show=show, seat_number=7)
    hold = services.hold_create(user=customer, show_id=show.pk, seat_numbers=[20, 21])
    order = order_create(user=customer, hold_id=hold.pk)
    tokens = {
        "nobody": "",
        **{user.username: str(RefreshToken.for_user(user).access_token) for user in [customer, door, staff]},
    }
    endpoint = Endpoint.objects.create(url="https://hooks.example.com/in", events=["booking.created"])
    genre = Genre.objects.create(name="Drama", slug="drama")
    ids = {
        "/bookings/{id}/": booking.pk,
        "/check-ins/{id}/": 1,
        "/genres/{slug}/": genre.slug,
        "/holds/{id}/": hold.pk,
        "/movies/{id}/": show.movie_id,
        "/orders/{id}/": order.pk,
        "/purchases/{reference}/": booking.reference,
        "/screens/{id}/": show.screen_id,
        "/shows/{id}/": show.pk,
        "/webhooks/{id}/": endpoint.pk,
    }
    return tokens, ids, show


def real_path(path: str, ids: dict) -> str:
    for prefix, value in ids.items():
        parameter = prefix.rsplit("/", 2)[1]
        if path.startswith(prefix.split(parameter)[0] + parameter):
            return path.replace(parameter, quote(str(value)), 1)
    return path


def test_no_hostile_request_to_any_operation_gives_a_5xx_or_changes_what_it_refused(world, redis_server, request):
    tokens, ids, show = world
    server = ProductionServer(broker_url=redis_server.url)
    request.addfinalizer(server.close)
    sweep = Sweep(server)
    base = {
        "/check-ins/": {"code": "X", "show": show.pk, "device": "door-1"},
        "/login/": {"username": "alice", "password": "wrong"},
        "/shows/{id}/book/": {"seat_number": 30},
        "/shows/{id}/holds/": {"seat_numbers": [31]},
        "/signup/": {"username": "mallory", "password": "a-long-passphrase-7"},
        "/password-reset/confirm/": {"uid": "MQ", "token": "x", "new_password": "a-long-passphrase-7"},
    }
    for method, path, operation in operations():
        has_id = "{" in path
        for token in tokens.values():
            # Path ids that are no id, whatever the method.
            for bad in BAD_IDS if has_id else []:
                sweep.send(method, path.replace(path[path.index("{") : path.index("}") + 1], bad), token=token)
            target = real_path(path, ids)
            if method == "GET":
                for name in [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"] + ["format"]:
                    for value in BAD_FORMATS if name == "format" else BAD_QUERY:
                        sweep.send(method, f"{target}?{name}={value}", token=token)
                continue
            if "requestBody" not in operation:
                continue  # cancel, confirm, extend, ping, delete: with a real id they would simply do it
            fields = resolve(operation["requestBody"]["content"]["application/json"]["schema"]).get("properties", {})
            valid = base.get(path, {})
            for field in fields:
                for value in FIELD_VALUES:
                    body = json.dumps({**valid, field: value}).encode()
                    sweep.send(method, target, token=token, body=body)
            for raw in RAW_BODIES:
                sweep.send(method, target, token=token, body=raw)
            for content_type in CONTENT_TYPES:
                sweep.send(method, target, token=token, body=json.dumps(valid).encode(), content_type=content_type)

    print(f"hostile sweep: {sweep.tried} requests, {len(sweep.failures)} failures")
    assert sweep.tried > 5000
    assert sweep.failures == []
