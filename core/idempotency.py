"""Idempotency keys: a client that sends the same key for the same request gets
the first successful answer again, and the change is made once.

``run_once`` knows nothing of HTTP: the caller gives the user, the key, a
fingerprint of what "the same request" means, the work, and how to record the
work's answer (core.api.idempotent does it for DRF views).

The key row is claimed at the start of the caller's transaction and stored
with the answer in the same transaction as the change. A concurrent duplicate
blocks on the key's unique index until the first transaction ends: if it
committed, the duplicate replays its answer; if it rolled back (seat taken, an
error), the duplicate runs as a fresh attempt. A duplicate that waits longer
than the lock timeout is refused with KeyInProgress (409, Retry-After).

The price of storing the answer atomically with the change: with a key, the
answer is serialized and the key row updated before the commit, so the show
stays locked for that extra fraction of a millisecond. Requests without a key
keep the lock only for the check and the insert.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from . import queries
from .db import lock_wait_bounded
from .exceptions import Conflict, ServiceError
from .models import IdempotencyKey

T = TypeVar("T")


class KeyReused(ServiceError):
    status_code = 422
    code = "idempotency_key_reused"


class KeyInProgress(Conflict):
    code = "idempotency_key_in_progress"
    headers = {"Retry-After": "1"}


@dataclass(frozen=True)
class Replay:
    """The answer a previous request with the same key was given."""

    status: int
    body: Any


def expired_before() -> datetime:
    return timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def purge_expired_keys() -> int:
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=expired_before()).delete()
    return deleted


def _claim(user_id: int, key: str, fingerprint: str) -> IdempotencyKey | Replay:
    """Insert the key row, or answer from the row a previous request left."""

    def in_progress() -> KeyInProgress:
        return KeyInProgress("A request with this Idempotency-Key is still in progress; retry after it finishes.")

    row = IdempotencyKey(user_id=user_id, key=key, fingerprint=fingerprint, created_at=timezone.now())
    with lock_wait_bounded(in_progress):
        if queries.claim_key(row):
            return row
    previous = IdempotencyKey.objects.get(user_id=user_id, key=key)
    if previous.created_at < expired_before():
        # An expired key is free again: this request starts afresh.
        previous.delete()
        return _claim(user_id, key, fingerprint)
    if previous.fingerprint != fingerprint:
        raise KeyReused(
            "This Idempotency-Key was already used for a different request (other path or body). "
            "Use a new key for a new request."
        )
    return Replay(previous.response_status or 200, json.loads(previous.response_body))


def run_once(
    *, user_id: int, key: str, fingerprint: str, perform: Callable[[], T], answer: Callable[[T], tuple[int, Any]]
) -> T | Replay:
    """Run ``perform`` once per (user, key), and store ``answer(result)`` (a
    status and a JSON-able body) with it; a later call with the same key and
    fingerprint gets the Replay instead. Raises KeyReused for the same key with
    another fingerprint, KeyInProgress while the first call has not ended."""
    with transaction.atomic():
        claimed = _claim(user_id, key, fingerprint)
        if isinstance(claimed, Replay):
            return claimed
        # Errors raise out of perform(), rolling the claim back with everything
        # else, so only successful answers are ever stored.
        result = perform()
        status, body = answer(result)
        claimed.response_status, claimed.response_body = status, json.dumps(body, cls=DjangoJSONEncoder)
        queries.store_answer(claimed)
    return result
