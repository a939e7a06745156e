"""E-mail delivery against real parts the tests start and break themselves: an SMTP
server (aiosmtpd), a private redis-server as the Celery broker, and a real Celery
worker process. Each test asserts what the customer got (the messages the SMTP
server accepted: each exactly once) and what the outbox holds."""

import time

import icalendar
import pytest

from conftest import client_for
from core.tests.realservers import CeleryWorker, worker_environ
from outbox import registry, services
from outbox.models import Message

from .conftest import CLAIM_SECONDS, until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def customer(django_user_model):
    return client_for(django_user_model.objects.create_user(username="cleo", email="cleo@example.com", password="x"))


def book(client, show, seats=("A1", "A2")):
    return client.post(f"/shows/{show.id}/book/", {"seat_labels": list(seats)}, format="json")


def test_the_smtp_server_receives_the_confirmation_with_its_qr_codes_and_invite(smtp, customer, show, settings):
    settings.TIME_ZONE = "America/New_York"

    assert book(customer, show).status_code == 201

    (received,) = smtp.wait_for(1)
    assert received["To"] == "cleo@example.com"
    assert received["Message-ID"] == registry.message_id_header(Message.objects.get().key)
    html = received.get_body(preferencelist=("html",)).get_content()
    images = [part for part in received.walk() if part.get_content_type() == "image/png"]
    assert len(images) == 2
    for image in images:
        assert image.get_content().startswith(b"\x89PNG")
        assert f"cid:{image['Content-ID'].strip('<>')}" in html
    (invite,) = [part for part in received.walk() if part.get_content_type() == "text/calendar"]
    start = icalendar.Calendar.from_ical(invite.get_content()).walk("VEVENT")[0].decoded("dtstart")
    assert (str(start.tzinfo), start) == ("America/New_York", show.date_time.replace(microsecond=0))
    assert Message.objects.get().status == "sent"


def test_smtp_down_keeps_the_message_and_it_is_delivered_once_when_smtp_returns(smtp, customer, show):
    smtp.stop()

    assert book(customer, show).status_code == 201

    message = Message.objects.get()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "Connection refused" in message.last_error or "ConnectionRefused" in message.last_error
    smtp.start()
    until(lambda: smtp.messages, then=services.messages_sweep)
    time.sleep(1.5)  # past the next retry time: nothing is due any more
    services.messages_sweep()
    assert len(smtp.messages) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_a_slow_smtp_server_fails_the_attempt_in_bounded_time_and_the_retry_delivers(smtp, customer, show):
    smtp.stall = 30
    started = time.monotonic()

    assert book(customer, show).status_code == 201

    assert time.monotonic() - started < 10  # EMAIL_TIMEOUT (2 s), not the server's 30
    assert Message.objects.get().attempts == 1
    smtp.stall = 0
    until(lambda: smtp.messages, then=services.messages_sweep)
    assert len(smtp.wait_for(1)) == 1


def test_no_message_for_a_booking_that_rolled_back(smtp, customer, show):
    book(customer, show, seats=["A2"])
    smtp.wait_for(1)

    assert book(customer, show, seats=["A1", "A2"]).status_code == 409

    time.sleep(0.5)
    assert Message.objects.count() == 1
    assert len(smtp.messages) == 1


# A real Celery worker and a real Redis broker


@pytest.fixture
def worker(broker, smtp, settings):
    process = CeleryWorker(
        worker_environ(
            broker.url,
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            DJANGO_EMAIL_HOST="127.0.0.1",
            DJANGO_EMAIL_PORT=str(smtp.port),
            DJANGO_EMAIL_TIMEOUT="60",
            OUTBOX_RETRY_BASE_SECONDS="1",
            OUTBOX_CLAIM_SECONDS=str(CLAIM_SECONDS),
        ),
        beat=True,  # the sweep, which hands new messages to the worker
    )
    process.start()
    yield process
    process.close()


def test_a_celery_worker_delivers_the_confirmation(worker, smtp, customer, show):
    started = time.monotonic()
    assert book(customer, show).status_code == 201
    assert time.monotonic() - started < 2  # the request only wrote a row; the sweep hands it on

    (received,) = smtp.wait_for(1)
    assert "your tickets" in received["Subject"]
    until(lambda: Message.objects.get().status == "sent")
    assert "outbox.tasks.deliver" in worker.log.read_text()


def test_with_the_broker_down_the_booking_succeeds_and_the_email_follows_when_it_returns(
    worker, broker, smtp, customer, show
):
    broker.stop()
    started = time.monotonic()

    response = book(customer, show)

    assert response.status_code == 201
    assert time.monotonic() - started < 5
    assert Message.objects.get().status == "pending"
    time.sleep(1)
    assert smtp.messages == []
    broker.start()
    until(lambda: smtp.messages, timeout=60, then=services.messages_sweep)
    time.sleep(2)
    assert len(smtp.messages) == 1


def test_a_worker_killed_mid_delivery_delivers_once_after_restart(worker, smtp, customer, show):
    smtp.stall = 120
    assert book(customer, show).status_code == 201
    until(lambda: smtp.stalled)  # the worker is inside the delivery

    worker.kill()
    smtp.stall = 0
    worker.start()

    assert Message.objects.get().status == "pending"
    until(lambda: smtp.messages, timeout=60, then=services.messages_sweep)  # after the claim lapses
    time.sleep(CLAIM_SECONDS + 1)
    services.messages_sweep()
    time.sleep(1)
    assert len(smtp.messages) == 1
    message = Message.objects.get()
    # The killed attempt never finished: the one that counts is the one that sent.
    assert (message.status, message.attempts) == ("sent", 1)
