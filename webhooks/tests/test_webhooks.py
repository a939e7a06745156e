"""Webhooks against a real HTTP receiver (core/tests/realservers.py HTTPReceiver),
delivered in the process after the commit (no broker); retries with the time
controlled by the test. test_worker.py has the same with a real Celery worker."""

import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from standardwebhooks import Webhook

from catalog.tests.factories import make_show
from conftest import run_at_once
from core.tests.realservers import HTTPReceiver, self_signed_certificate
from outbox import services as outbox
from outbox.models import Message
from webhooks.models import Attempt, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def receiver():
    server = HTTPReceiver()
    yield server
    server.close()


def subscribe(url: str, *events: str) -> Endpoint:
    return Endpoint.objects.create(url=url, events=list(events or ["booking.created"]))


def book(client, show, seats=("A1", "A2")):
    return client.post(f"/shows/{show.id}/book/", {"seat_labels": list(seats)}, format="json")


def queued_event(endpoint: Endpoint, event_id: str) -> Message:
    """An event's message for ``endpoint``, queued but not handed on: the test delivers it."""
    return Message.objects.create(
        key=f"webhook:{event_id}:{endpoint.pk}",
        kind="webhook",
        recipient=str(endpoint.pk),
        data={"id": event_id, "type": "booking.created", "created_at": "2026-01-01T00:00:00Z", "data": {}},
    )


def verified(endpoint: Endpoint, request: dict) -> dict:
    """The event, as a receiver using the Standard Webhooks reference library reads it."""
    return Webhook(endpoint.secret).verify(request["body"], request["headers"])


def test_a_booking_delivers_exactly_one_signed_booking_created(auth_client, user, show, receiver, committed):
    endpoint = subscribe(receiver.url, "booking.created")
    with committed():
        purchase = book(auth_client, show).json()

    (request,) = receiver.requests
    event = verified(endpoint, request)
    assert event["type"] == "booking.created"
    assert event["id"] == request["headers"]["webhook-id"]
    assert event["data"] == {
        "reference": purchase["reference"],
        "show": show.pk,
        "customer": user.pk,
        "bookings": [b["id"] for b in purchase["bookings"]],
        "seat_numbers": [1, 2],
        "seat_labels": ["A1", "A2"],
        "total": "20.00",
        "currency": "EUR",
    }
    attempt = Attempt.objects.get()
    assert (attempt.status_code, attempt.event_type, attempt.succeeded) == (200, "booking.created", True)
    assert Message.objects.get(kind="webhook").status == "sent"


def test_a_tampered_body_or_another_secret_does_not_verify(auth_client, show, receiver, committed):
    from standardwebhooks.webhooks import WebhookVerificationError

    endpoint = subscribe(receiver.url)
    with committed():
        book(auth_client, show)
    (request,) = receiver.requests

    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request["body"].replace(b"20.00", b"0.01"), request["headers"])
    with pytest.raises(WebhookVerificationError):
        Webhook(Endpoint(url=receiver.url, events=[]).secret).verify(request["body"], request["headers"])


def test_events_go_only_to_endpoints_that_subscribe_and_are_active(auth_client, show, committed):
    cancels, inactive = HTTPReceiver(), HTTPReceiver()
    subscribe(cancels.url, "booking.cancelled")
    Endpoint.objects.create(url=inactive.url, events=["booking.created"], active=False)
    with committed():
        booking = book(auth_client, show, ["A3"]).json()["bookings"][0]
    with committed():
        auth_client.post(f"/bookings/{booking['id']}/cancel/")

    (request,) = cancels.requests
    assert json.loads(request["body"])["type"] == "booking.cancelled"
    assert json.loads(request["body"])["data"]["seat_label"] == "A3"
    assert inactive.requests == []
    cancels.close()
    inactive.close()


def test_a_receiver_failing_twice_gets_the_event_three_times_with_backoff(
    auth_client, show, committed, clock, settings
):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 30
    receiver = HTTPReceiver(answers=[500, 500])
    subscribe(receiver.url)
    with committed():
        book(auth_client, show)
    message = Message.objects.get(kind="webhook")

    assert len(receiver.requests) == 1
    message.refresh_from_db()
    first_wait = (message.next_attempt_at - clock()).total_seconds()
    assert 24 <= first_wait <= 36  # 30 s, with 20 % jitter either way
    clock.advance(seconds=20)
    outbox.messages_sweep()
    assert len(receiver.requests) == 1  # not due yet
    clock.advance(seconds=20)
    with committed():
        outbox.messages_sweep()
    assert len(receiver.requests) == 2
    message.refresh_from_db()
    assert 48 <= (message.next_attempt_at - clock()).total_seconds() <= 72  # doubled
    clock.advance(seconds=75)
    outbox.messages_sweep()

    assert len(receiver.requests) == 3
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1  # one event, the same id
    assert [a.status_code for a in Attempt.objects.order_by("id")] == [500, 500, 200]
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 3)
    assert Endpoint.objects.get().consecutive_failures == 0
    receiver.close()


def test_a_receiver_answering_410_deactivates_its_endpoint(auth_client, show, committed):
    receiver = HTTPReceiver(answers=[410])
    endpoint = subscribe(receiver.url)
    with committed():
        book(auth_client, show, ["B1"])

    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.deactivated_reason) == (False, "The receiver answered 410 Gone.")
    assert Message.objects.get(kind="webhook").status == "failed"
    with committed():
        book(auth_client, show, ["B2"])
    assert len(receiver.requests) == 1
    receiver.close()


def test_many_failures_in_a_row_deactivate_an_endpoint_and_say_why(auth_client, show, committed, settings):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    receiver = HTTPReceiver(answers=[503] * 10)
    endpoint = subscribe(receiver.url)
    for seat in ("C1", "C2", "C3"):
        with committed():
            book(auth_client, show, [seat])

    endpoint.refresh_from_db()
    assert not endpoint.active
    assert endpoint.deactivated_reason == "3 deliveries in a row failed; the last one: answered 503."
    receiver.close()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_failures_at_the_same_moment_count_each_other(postgres, settings):
    from webhooks.delivery import DeliveryFailed, deliver

    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 2
    receiver = HTTPReceiver(answers=[503, 503], stall=0.5)  # both deliveries have read the endpoint by then
    endpoint = subscribe(receiver.url)
    messages = [queued_event(endpoint, f"evt_{n}") for n in range(2)]

    def delivery(message):
        def call():
            with pytest.raises(DeliveryFailed):
                deliver(message)

        return call

    run_at_once([delivery(message) for message in messages])

    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 2
    assert not endpoint.active
    assert endpoint.deactivated_reason == "2 deliveries in a row failed; the last one: answered 503."
    receiver.close()


def test_a_receiver_trickling_its_answer_gets_the_timeout_in_all_not_per_byte(settings):
    from webhooks.delivery import DeliveryFailed, deliver

    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    receiver = HTTPReceiver(trickle=0.2)  # each byte well within the timeout; the 45-byte answer 9 s
    endpoint = subscribe(receiver.url)
    message = queued_event(endpoint, "evt_slow")

    started = time.monotonic()
    with pytest.raises(DeliveryFailed, match="timed out"):
        deliver(message)

    assert time.monotonic() - started < 2.5
    attempt = Attempt.objects.get()
    assert "timed out" in attempt.error
    assert 1000 <= attempt.duration_ms < 2500
    receiver.close()


@pytest.mark.parametrize("trickle", [0, 0.2])
def test_an_https_receiver_gets_the_event_and_its_answer_the_same_timeout_in_all(
    settings, tmp_path, monkeypatch, trickle
):
    from webhooks.delivery import DeliveryFailed, deliver

    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    certificate = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # the receiver's certificate is trusted
    receiver = HTTPReceiver(trickle=trickle, tls=certificate)
    endpoint = subscribe(receiver.url)
    message = queued_event(endpoint, "evt_tls")

    started = time.monotonic()
    if trickle:
        with pytest.raises(DeliveryFailed, match="timed out"):
            deliver(message)
        assert time.monotonic() - started < 2.5
    else:
        deliver(message)
        assert Attempt.objects.get().status_code == 200
        assert receiver.requests[0]["headers"]["Host"] == f"localhost:{receiver.port}"
    receiver.close()


def test_a_rolled_back_booking_produces_no_event(auth_client, other_client, show, receiver, committed):
    subscribe(receiver.url)
    with committed():
        book(other_client, show, ["A2"])

    with committed():
        assert book(auth_client, show, ["A1", "A2"]).status_code == 409

    assert len(receiver.requests) == 1
    assert Message.objects.filter(kind="webhook").count() == 1


def test_in_production_a_url_resolving_inside_the_network_is_refused_when_saved_and_when_delivering(
    auth_client, show, receiver, committed, settings, staff_client
):
    subscribe(receiver.url)  # saved while allowed (development)
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    settings.WEBHOOKS_REQUIRE_HTTPS = True

    saved = staff_client.post("/webhooks/", {"url": "https://localhost/hook", "events": ["ping"]}, format="json")
    with committed():
        book(auth_client, show)

    assert saved.status_code == 400
    assert "inside a network" in saved.json()["url"][0]
    assert receiver.requests == []
    attempt = Attempt.objects.get()
    assert "must be https" in attempt.error
    settings.WEBHOOKS_REQUIRE_HTTPS = False
    with committed():
        outbox.message_send_again(message_id=attempt.message_id)
    assert receiver.requests == []
    assert "resolves to 127.0.0.1, an address inside a network" in Attempt.objects.order_by("-id")[0].error
    assert Message.objects.get(kind="webhook").status == "failed"


def test_every_kind_of_event_is_emitted_with_its_data(auth_client, staff_client, movie, receiver, committed):
    subscribe(receiver.url, "show.created", "show.changed", "show.deleted", "hold.confirmed", "show.sold_out")
    subscribe(receiver.url, "checkin.created")
    with committed():
        show = staff_client.post(
            "/shows/",
            {
                "movie": movie.pk,
                "screen_name": "Tiny",
                "total_seats": 2,
                "date_time": (timezone.now() + timedelta(minutes=30)).isoformat(),
                "price": "9.00",
            },
            format="json",
        ).json()
    with committed():
        staff_client.patch(f"/shows/{show['id']}/", {"price": "8.00"}, format="json")
    hold = auth_client.post(f"/shows/{show['id']}/holds/", {"seat_numbers": [1, 2]}, format="json").json()
    with committed():
        auth_client.post(f"/holds/{hold['id']}/confirm/")
    door = staff_client
    from bookings.models import Booking

    ticket = Booking.objects.filter(show_id=show["id"]).order_by("id")[0]
    with committed():
        door.post("/check-ins/", {"code": ticket.code}, format="json")
    other = make_show(movie, starts_in=timedelta(days=30))
    with committed():
        staff_client.delete(f"/shows/{other.pk}/")

    events = [json.loads(r["body"]) for r in receiver.requests]
    assert [e["type"] for e in events] == [
        "show.created",
        "show.changed",
        "hold.confirmed",
        "show.sold_out",
        "checkin.created",
        "show.deleted",
    ]
    assert events[1]["data"]["price"] == "8.00"
    assert events[2]["data"]["hold"] == hold["id"]
    assert events[3]["data"] == {"show": show["id"], "capacity": 2}
    assert events[4]["data"]["ticket"] == ticket.pk
    assert events[5]["data"]["show"] == other.pk


def test_staff_manage_endpoints_and_see_the_secret_once(staff_client, receiver):
    created = staff_client.post(
        "/webhooks/",
        {"url": receiver.url, "events": ["booking.created", "show.sold_out"], "description": "CRM"},
        format="json",
    )

    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["secret"] == Endpoint.objects.get().secret
    listed = staff_client.get("/webhooks/").json()["results"][0]
    assert "secret" not in listed
    assert "secret" not in staff_client.get(f"/webhooks/{body['id']}/").json()
    assert staff_client.post("/webhooks/", {"url": receiver.url, "events": ["nope"]}, format="json").status_code == 400
    assert staff_client.post("/webhooks/", {"url": receiver.url, "events": []}, format="json").status_code == 400
    assert staff_client.post("/webhooks/", {"url": "ftp://x/", "events": ["ping"]}, format="json").status_code == 400


def test_customers_can_not_see_or_manage_webhooks(auth_client):
    assert auth_client.get("/webhooks/").status_code == 403
    assert (
        auth_client.post("/webhooks/", {"url": "https://example.com/", "events": ["ping"]}, format="json").status_code
        == 403
    )


def test_a_ping_is_delivered_and_logged_and_turning_an_endpoint_on_resets_it(staff_client, receiver, committed):
    endpoint = Endpoint.objects.create(
        url=receiver.url, events=["booking.created"], active=False, consecutive_failures=9, deactivated_reason="x"
    )
    staff_client.patch(f"/webhooks/{endpoint.pk}/", {"active": True}, format="json")
    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.deactivated_reason) == (0, "")

    with committed():
        ping = staff_client.post(f"/webhooks/{endpoint.pk}/ping/")

    assert ping.status_code == 202
    (request,) = receiver.requests
    assert verified(endpoint, request) == {**json.loads(request["body"])}
    assert json.loads(request["body"])["id"] == ping.json()["event"]
    attempts = staff_client.get(f"/webhooks/{endpoint.pk}/attempts/").json()
    assert attempts["results"][0]["status_code"] == 200


def test_staff_send_an_event_again_from_the_admin_and_old_attempts_are_purged(
    admin_client_factory, staff_user, auth_client, show, receiver, committed, settings, capsys
):
    subscribe(receiver.url)
    with committed():
        book(auth_client, show)
    admin = admin_client_factory(staff_user)
    attempt = Attempt.objects.get()

    assert admin.get("/admin/webhooks/endpoint/").status_code == 200
    assert admin.get("/admin/webhooks/attempt/").status_code == 200
    with committed():
        admin.post("/admin/webhooks/attempt/", {"action": "send_again", "_selected_action": [attempt.pk]})
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["headers"]["webhook-id"] == receiver.requests[1]["headers"]["webhook-id"]

    Attempt.objects.filter(pk=attempt.pk).update(
        created_at=timezone.now() - timedelta(days=settings.WEBHOOKS_ATTEMPT_RETENTION_DAYS + 1)
    )
    call_command("purge_webhook_attempts")
    assert "Deleted 1 attempt(s)" in capsys.readouterr().out
    assert Attempt.objects.count() == 1


def test_the_admin_shows_a_new_endpoints_secret_once(admin_client_factory, staff_user, receiver):
    admin = admin_client_factory(staff_user)
    page = admin.post(
        "/admin/webhooks/endpoint/add/",
        {"url": receiver.url, "description": "Signage", "events": ["show.sold_out", "booking.created"], "active": "on"},
        follow=True,
    )

    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["booking.created", "show.sold_out"]
    assert endpoint.secret in page.content.decode()
    assert endpoint.secret not in admin.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/").content.decode()


@pytest.mark.parametrize(
    ("url", "events", "error"),
    [
        ("https://nowhere.invalid/", ["ping"], "Select a valid choice"),
        ("https://nowhere.invalid/", ["booking.created"], "The host name does not resolve"),
        ("https://example.com:99999/", ["booking.created"], "port is not valid"),
        ("https://example.com/", [], "This field is required"),
    ],
)
def test_the_admin_refuses_what_deliveries_could_not_use_on_the_form(
    admin_client_factory, staff_user, url, events, error
):
    admin = admin_client_factory(staff_user)
    page = admin.post("/admin/webhooks/endpoint/add/", {"url": url, "events": events, "active": "on"})

    assert page.status_code == 200
    assert error in page.content.decode()
    assert not Endpoint.objects.exists()


def test_the_documented_receiver_code_verifies_a_real_delivery_and_refuses_a_forgery(
    auth_client, show, receiver, committed
):
    from scripts.webhook_receiver import InvalidSignature, verify

    endpoint = subscribe(receiver.url)
    with committed():
        book(auth_client, show)
    (request,) = receiver.requests

    assert verify(endpoint.secret, request["headers"], request["body"])["type"] == "booking.created"
    with pytest.raises(InvalidSignature, match="no signature matches"):
        verify(endpoint.secret, request["headers"], request["body"] + b" ")
    with pytest.raises(InvalidSignature, match="too old"):
        verify(
            endpoint.secret, request["headers"], request["body"], now=int(request["headers"]["webhook-timestamp"]) + 301
        )


@pytest.mark.parametrize(
    "url", ["https://" + "a" * 64 + ".example.com/", "https://example.com:99999/", "https://nowhere.invalid/"]
)
def test_urls_that_can_not_be_called_are_a_400(staff_client, url):
    response = staff_client.post("/webhooks/", {"url": url, "events": ["ping"]}, format="json")

    assert response.status_code == 400
    assert "url" in response.json()
