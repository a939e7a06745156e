"""The outbox with Django's in-memory mail backend and no broker: delivery in the process after commit."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from bookings.models import Booking
from conftest import client_for
from outbox import registry, services
from outbox.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the delivery) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def reset_message(user, key: str) -> Message:
    message = services.message_enqueue(kind="password_reset", key=key, recipient=user.email, data={"user": user.pk})
    assert message is not None
    return message


def book(client, show, **body):
    return client.post(f"/shows/{show.id}/book/", body or {"seat_labels": ["A1", "A2"]}, format="json")


def parts(message):
    return [part for part in message.message().walk() if not part.is_multipart()]


def test_a_booking_is_confirmed_by_email_with_qr_codes_and_a_calendar_invite(auth_client, show, committed, settings):
    settings.CINEMA_NAME = "Kino Kosmos"
    with committed():
        response = book(auth_client, show)

    assert response.status_code == 201
    assert response.json()["email_queued"] is True
    (sent,) = mail.outbox
    assert sent.to == ["alice@example.com"]
    assert sent.subject.startswith("Kino Kosmos: your tickets for Metropolis")
    tickets = Booking.objects.order_by("seat_number")
    assert "Seat A1" in sent.body
    assert "Seat A2" in sent.body
    assert all(f"{t.code[:6]}-{t.code[6:12]}-{t.code[12:]}" in sent.body for t in tickets)
    assert "Total 20.00 EUR" in sent.body
    html = sent.alternatives[0].content  # type: ignore[attr-defined]  # an EmailMultiAlternatives
    images = [p for p in parts(sent) if p.get_content_type() == "image/png"]
    assert len(images) == 2
    for image in images:
        assert image.get_payload(decode=True).startswith(b"\x89PNG")
        assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html
    (invite,) = [p for p in parts(sent) if p.get_content_type() == "text/calendar"]
    event = icalendar.Calendar.from_ical(invite.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("dtstart") == show.date_time.replace(microsecond=0)  # iCalendar counts seconds
    assert event["summary"] == "Metropolis"
    assert sent.extra_headers["Message-ID"] == registry.message_id_header(f"booking_confirmed:{tickets[0].reference}")
    assert Message.objects.get().status == "sent"


def test_the_invite_and_the_email_use_the_cinemas_time_zone(auth_client, show, committed, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    with committed():
        book(auth_client, show)

    (sent,) = mail.outbox
    (invite,) = [p for p in parts(sent) if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(invite.get_payload(decode=True))
    start = calendar.walk("VEVENT")[0].decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Berlin"
    assert start == show.date_time.replace(microsecond=0)
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Berlin"
    assert timezone.localtime(show.date_time, start.tzinfo).strftime("%H:%M") in sent.body


def test_a_customer_without_an_address_gets_no_email_and_is_told(show, committed, django_user_model):
    client = client_for(django_user_model.objects.create_user(username="nomail", password="x"))
    with committed():
        response = book(client, show, seat_number=3)

    assert response.json()["email_queued"] is False
    assert mail.outbox == []
    assert not Message.objects.exists()


def test_a_refused_booking_sends_nothing(auth_client, other_client, show, committed):
    with committed():
        book(other_client, show, seat_number=3)
    mail.outbox.clear()

    with committed():
        assert book(auth_client, show, seat_numbers=[2, 3]).status_code == 409

    assert mail.outbox == []
    assert Message.objects.count() == 1  # the other customer's


def test_a_confirmed_hold_is_confirmed_by_email(auth_client, show, committed):
    hold = auth_client.post(f"/shows/{show.id}/holds/", {"seat_labels": ["B1"]}, format="json").json()
    assert mail.outbox == []

    with committed():
        body = auth_client.post(f"/holds/{hold['id']}/confirm/").json()

    assert body["email_queued"] is True
    (sent,) = mail.outbox
    assert "Seat B1" in sent.body


def test_a_cancellation_is_told_by_email(auth_client, show, committed):
    booking = book(auth_client, show, seat_number=4).json()
    with committed():
        auth_client.post(f"/bookings/{booking['id']}/cancel/")

    (sent,) = mail.outbox
    assert "cancelled" in sent.subject
    assert "seat A4" in sent.body
    assert sent.alternatives[0].mimetype == "text/html"  # type: ignore[attr-defined]


def test_a_delivery_that_fails_is_retried_with_backoff_then_marked_failed(user, settings, clock):
    settings.OUTBOX_MAX_ATTEMPTS, settings.OUTBOX_RETRY_BASE_SECONDS = 3, 10

    def broken(message):
        raise ZeroDivisionError("a handler's bug")

    registry.register("broken", broken)
    message = services.message_enqueue(kind="broken", key="broken:1", recipient=user.email, data={})
    assert message is not None

    assert services.message_deliver(message_id=message.pk) == 10.0
    assert services.message_deliver(message_id=message.pk) is None  # not due yet
    clock.advance(seconds=10)
    assert services.message_deliver(message_id=message.pk) == 20.0
    clock.advance(seconds=20)
    assert services.message_deliver(message_id=message.pk) is None

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 3)
    assert "ZeroDivisionError" in message.last_error


def test_a_claimed_message_is_not_delivered_twice(user, clock):
    message = reset_message(user, "k:1")
    Message.objects.filter(pk=message.pk).update(claimed_until=clock() + timedelta(seconds=60))

    assert services.message_deliver(message_id=message.pk) is None
    assert services.messages_sweep() == 0
    assert mail.outbox == []
    clock.advance(seconds=61)  # the delivery that claimed it died: the claim lapses
    assert services.messages_sweep() == 1
    assert len(mail.outbox) == 1
    assert services.messages_sweep() == 0
    assert len(mail.outbox) == 1


def test_one_key_is_one_message(user):
    from django.db import IntegrityError, transaction

    reset_message(user, "same")
    with pytest.raises(IntegrityError), transaction.atomic():
        reset_message(user, "same")


def test_a_message_whose_booking_was_cancelled_before_delivery_is_not_sent(auth_client, show):
    booking = book(auth_client, show, seat_number=5).json()  # not committed: not delivered yet
    auth_client.post(f"/bookings/{booking['id']}/cancel/")
    confirmation = Message.objects.get(kind="booking_confirmed")

    services.message_deliver(message_id=confirmation.pk)

    confirmation.refresh_from_db()
    assert confirmation.status == "sent"  # done: there was nothing left to confirm
    assert mail.outbox == []


def test_staff_send_a_failed_message_again_from_the_admin(admin_client_factory, staff_user, user, committed):
    message = reset_message(user, "k:2")
    Message.objects.filter(pk=message.pk).update(status="failed", attempts=8)
    admin = admin_client_factory(staff_user)

    assert admin.get("/admin/outbox/message/").status_code == 200
    assert admin.get(f"/admin/outbox/message/{message.pk}/change/").status_code == 200
    with committed():
        page = admin.post(
            "/admin/outbox/message/", {"action": "send_again", "_selected_action": [message.pk]}, follow=True
        )

    assert "1 message(s) queued again." in page.content.decode()
    message.refresh_from_db()
    assert message.status == "sent"
    assert len(mail.outbox) == 1


def test_the_sweep_command_reports_what_it_handed_on(user, capsys):
    from django.core.management import call_command

    reset_message(user, "k:3")
    call_command("outbox_sweep")

    assert "1 message(s) handed on." in capsys.readouterr().out
    assert len(mail.outbox) == 1
