"""The outbox: messages written with the change they tell of, delivered after it commits.

With a broker (CELERY_BROKER_URL), a request only writes the message's row:
``messages_sweep``, which Celery beat runs every OUTBOX_SWEEP_SECONDS (1),
hands every message that is due to the workers. Publishing a task from the
request instead cost about 1.1 ms of CPU per sale, an eighth of a booking
(docs/performance.md); the price is up to a second's wait before a worker
starts on it. Without a broker (make run, the tests) a message is delivered
in the process right after the commit.

Whatever fails on the way, the broker, the mail server during a delivery,
the worker in the middle of one, the message stays in the table until it is
sent: a failed delivery is retried with exponential backoff (OUTBOX_RETRY_*),
and the sweep hands on whatever is due and unclaimed. A delivery claims its
message first, and the sweep claims what it hands on, so two deliveries of
one message can never run at once and a delivered message is never sent again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, TypeGuard

from celery import current_app
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import KombuError

from core.db import after_commit, insert
from core.events import log_event

from .models import Message
from .registry import GiveUp, kind_of

# The Celery task that delivers one message (outbox/tasks.py); its name is
# what travels to the workers, so it stays the one Celery gave it at first.
DELIVER_TASK = "outbox.tasks.deliver"


def reachable(recipient: str | None) -> TypeGuard[str]:
    """Whether there is anyone to write to: a user without an address gets no e-mail."""
    return bool(recipient)


def message_enqueue(*, kind: str, key: str, recipient: str | None, data: dict[str, Any]) -> Message | None:
    """Write a message to deliver once the current transaction commits.

    Call it inside the transaction that makes the change: one INSERT. None
    when there is nobody to tell (no address). Callers make keys unique (a new
    purchase reference, a booking cancelled once), and the unique index
    refuses a second message with the same key.
    """
    if not reachable(recipient):
        return None
    now = timezone.now()
    (message,) = insert(
        [Message(key=key, kind=kind, recipient=recipient, data=data, created_at=now, next_attempt_at=now)]
    )
    _deliver_here_after_commit([message])
    return message


def messages_enqueue(messages: list[Message]) -> None:
    """Write several messages in one INSERT (e.g. one event to every webhook endpoint);
    each is handed on once the current transaction commits."""
    now = timezone.now()
    for message in messages:
        message.created_at = message.next_attempt_at = now
    _deliver_here_after_commit(insert(messages))


def _deliver_here_after_commit(messages: list[Message]) -> None:
    """Without a broker, deliver in this process once the transaction commits;
    with one, the sweep hands the messages to the workers within a second."""
    if settings.CELERY_BROKER_URL:
        return

    def deliver_all() -> None:
        for message in messages:
            message_deliver(message_id=message.pk)

    after_commit(deliver_all)


def dispatch(message_id: int, *, handed_until: datetime | None = None) -> bool:
    """Hand a message to a worker, or deliver it here when there is no broker.
    False when the broker is down (the message waits for the sweep)."""
    if not settings.CELERY_BROKER_URL:
        message_deliver(message_id=message_id)
        return True
    # Sent by name: the tasks module runs these services, and needs the Celery
    # app (which needs settings); the web process never has to import it.
    try:
        current_app.send_task(DELIVER_TASK, (message_id, handed_until and handed_until.isoformat()), retry=False)
    except (KombuError, OSError) as exc:
        log_event("outbox_broker_unavailable", level=logging.WARNING, message_id=message_id, error=repr(exc))
        return False
    return True


def _free(now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def message_deliver(*, message_id: int, handed_until: datetime | None = None) -> float | None:
    """Deliver one message if it is due and nobody else is delivering it.

    ``handed_until``: the claim under which the sweep handed the message on,
    which this delivery takes over. Returns the seconds until the next attempt
    when this one failed and the message will be tried again, None otherwise
    (sent, given up, not due, or claimed by another delivery).
    """
    now = timezone.now()
    free = _free(now) if handed_until is None else _free(now) | Q(claimed_until=handed_until)
    claimed = Message.objects.filter(
        free, pk=message_id, status=Message.Status.PENDING, next_attempt_at__lte=now
    ).update(claimed_until=now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS))
    if not claimed:
        return None
    message = Message.objects.get(pk=message_id)
    try:
        kind_of(message.kind).handler(message)
    except GiveUp as exc:
        _attempt_failed(message, exc, give_up=True)
        return None
    except Exception as exc:  # noqa: BLE001  # the mail server, the network, a receiver or a bug: keep the message
        return _attempt_failed(message, exc)
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, sent_at=timezone.now(), claimed_until=None, attempts=F("attempts") + 1
    )
    log_event("outbox_sent", message_id=message.pk, kind=message.kind)
    return None


def _attempt_failed(message: Message, exc: Exception, *, give_up: bool = False) -> float | None:
    attempts = message.attempts + 1
    error = f"{exc.__class__.__name__}: {exc}"[:2000]
    retry = kind_of(message.kind).retry()
    if give_up or attempts >= retry.attempts:
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED, attempts=attempts, last_error=error, claimed_until=None
        )
        log_event("outbox_failed", level=logging.ERROR, message_id=message.pk, kind=message.kind, error=error)
        return None
    delay = retry.delay(attempts)
    Message.objects.filter(pk=message.pk).update(
        attempts=attempts,
        last_error=error,
        claimed_until=None,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    log_event("outbox_retry", level=logging.WARNING, message_id=message.pk, attempts=attempts, delay=delay, error=error)
    return delay


def messages_sweep(*, limit: int = 500) -> int:
    """Hand on every message that is due and not being delivered; returns how many.

    With a broker, each is handed to the workers under a claim (as long as a
    delivery's), so that the next sweep, a second later, does not hand it on
    again while it waits in the queue; a task the broker loses is handed on
    again once the claim lapses.
    """
    now = timezone.now()
    due = list(
        Message.objects.filter(_free(now), status=Message.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not due or not settings.CELERY_BROKER_URL:
        for message_id in due:
            dispatch(message_id)
        return len(due)
    until = now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    Message.objects.filter(_free(now), pk__in=due).update(claimed_until=until)
    # Another sweep running at the same moment claimed the rest (its claim has another time).
    handed = list(Message.objects.filter(pk__in=due, claimed_until=until).values_list("pk", flat=True))
    for index, message_id in enumerate(handed):
        if not dispatch(message_id, handed_until=until):
            # The broker is down: give back what was not handed on, for the next sweep.
            Message.objects.filter(pk__in=handed[index:], claimed_until=until).update(claimed_until=None)
            return index
    return len(handed)


def message_send_again(*, message_id: int) -> Message:
    """A failed message (staff, in the admin): back in the queue with fresh attempts."""
    message = Message.objects.get(pk=message_id)
    message.status, message.attempts, message.next_attempt_at = Message.Status.PENDING, 0, timezone.now()
    message.claimed_until = None
    message.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_until"])
    after_commit(lambda: dispatch(message.pk))
    return message
