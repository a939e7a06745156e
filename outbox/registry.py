"""How each kind of message is delivered: apps register a handler per kind in ready().

A handler delivers one message (an e-mail sent, a webhook posted) or raises:
``GiveUp`` to stop at once (the receiver is gone), anything else to have the
message tried again after the kind's ``Retry`` schedule. E-mails register a
renderer instead, which ``email`` turns into a handler.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

if TYPE_CHECKING:
    from .models import Message

Renderer = Callable[[dict[str, Any]], EmailMultiAlternatives | None]
Handler = Callable[["Message"], None]


class GiveUp(Exception):
    """The message can never be delivered: mark it failed now, do not retry."""


@dataclass(frozen=True)
class Retry:
    """Exponential backoff: ``base`` seconds, doubling up to ``longest``, ``attempts`` in all;
    with ``jitter``, each wait is spread by that share either way, so retries of many
    messages that failed together do not come back together."""

    attempts: int
    base: float
    longest: float
    jitter: float = 0.0

    def delay(self, attempt: int) -> float:
        wait: float = min(self.base * 2.0 ** (attempt - 1), self.longest)
        return wait * random.uniform(1 - self.jitter, 1 + self.jitter) if self.jitter else wait


def email_retry() -> Retry:
    return Retry(
        attempts=settings.OUTBOX_MAX_ATTEMPTS,
        base=settings.OUTBOX_RETRY_BASE_SECONDS,
        longest=settings.OUTBOX_RETRY_MAX_SECONDS,
    )


@dataclass(frozen=True)
class Kind:
    handler: Handler
    retry: Callable[[], Retry]  # read when needed: settings may change


_kinds: dict[str, Kind] = {}


def message_id_header(key: str) -> str:
    """The same Message-ID for every copy of a message, so a mail client shows a repeat once."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def register(kind: str, handler: Handler, retry: Callable[[], Retry] = email_retry) -> None:
    _kinds[kind] = Kind(handler, retry)


def register_email(kind: str, renderer: Renderer) -> None:
    """An e-mail kind: ``renderer`` writes it, the outbox sends it to the message's recipient."""

    def send(message: Message) -> None:
        email = renderer(message.data)
        if email is not None:  # nothing to tell any more (the booking it announced is gone)
            email.to = [message.recipient]
            email.extra_headers["Message-ID"] = message_id_header(message.key)
            email.send()

    register(kind, send)


def kind_of(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"no handler for messages of kind {name!r}") from None
