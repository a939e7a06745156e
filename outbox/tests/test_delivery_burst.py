"""Confirmations through a real Celery worker (with beat) to a real SMTP server, under a burst
of bookings and through a long SMTP outage: each booking's e-mail arrives exactly once."""

import time

import pytest

from catalog.tests.factories import make_show
from conftest import client_for, post, run_at_once
from core.tests.realservers import CeleryWorker, worker_environ
from outbox.models import Message

from .conftest import CLAIM_SECONDS, until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quick_worker(broker, smtp, settings):
    """A worker and beat retrying at 3, 6 then every 8 s: five attempts in a 30 s outage, the
    sixth, after it, delivers (eight are allowed, as by default)."""
    process = CeleryWorker(
        worker_environ(
            broker.url,
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            DJANGO_EMAIL_HOST="127.0.0.1",
            DJANGO_EMAIL_PORT=str(smtp.port),
            DJANGO_EMAIL_TIMEOUT="10",
            OUTBOX_RETRY_BASE_SECONDS="3",
            OUTBOX_RETRY_MAX_SECONDS="8",
            OUTBOX_CLAIM_SECONDS=str(CLAIM_SECONDS),
        ),
        beat=True,
    )
    process.start()
    yield process
    process.close()


def customers(django_user_model, count: int):
    return [
        django_user_model.objects.create_user(username=f"c{i}", email=f"c{i}@example.com", password="x")
        for i in range(count)
    ]


def recipients(smtp) -> list[str]:
    return sorted(message["To"] for message in smtp.messages)


def test_a_burst_of_50_concurrent_bookings_gives_exactly_50_confirmations(
    quick_worker,
    smtp,
    django_user_model,
):
    show = make_show(total_seats=100)
    people = customers(django_user_model, 50)

    answers = run_at_once(
        [post(client_for(user), f"/shows/{show.pk}/book/", {"seat_number": n + 1}) for n, user in enumerate(people)]
    )

    assert [answer.status_code for answer in answers] == [201] * 50
    until(lambda: len(smtp.messages) >= 50, timeout=120)
    time.sleep(CLAIM_SECONDS + 2)  # long enough for a duplicate to show
    assert recipients(smtp) == sorted(user.email for user in people)
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}


def test_smtp_down_for_30_s_then_up_delivers_every_confirmation_once(
    quick_worker,
    smtp,
    django_user_model,
):
    show = make_show(total_seats=20)
    people = customers(django_user_model, 5)
    smtp.stop()

    for n, user in enumerate(people):
        assert (
            client_for(user).post(f"/shows/{show.pk}/book/", {"seat_number": n + 1}, format="json").status_code == 201
        )
    time.sleep(30)
    assert smtp.messages == []
    assert set(Message.objects.values_list("status", flat=True)) == {"pending"}
    assert min(Message.objects.values_list("attempts", flat=True)) >= 2  # tried, and tried again, meanwhile
    smtp.start()

    until(lambda: len(smtp.messages) >= 5, timeout=60)
    time.sleep(CLAIM_SECONDS + 2)
    assert recipients(smtp) == sorted(user.email for user in people)
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
