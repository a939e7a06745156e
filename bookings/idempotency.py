"""Idempotency keys for state-changing requests (book, cancel).

A client that sends ``Idempotency-Key: <key>`` can retry a request safely: the
first successful response is stored with the key and replayed for the same
request; nothing is booked or cancelled twice.

The key row is claimed at the start of the request's transaction and stored
with the response in the same transaction as the bookings. A concurrent
duplicate blocks on the key's unique index until the first transaction ends:
if it committed, the duplicate replays its response; if it rolled back (seat
taken, an error), the duplicate runs as a fresh attempt. A duplicate that
waits longer than the lock timeout gets 409 with Retry-After.

The price of storing the answer atomically with the bookings: with a key,
the response is serialized and the key row updated before the commit, so the
show stays locked for that extra fraction of a millisecond. Requests without
a key keep the lock only for the check and the insert.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from accounts.auth import customer
from core.db import lock_wait_bounded, table

from .exceptions import IdempotencyKeyInProgress, IdempotencyKeyReused
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"


def fingerprint(request: Request) -> str:
    """What makes two requests "the same": method, path (slash or not) and JSON body."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    text = f"{request.method} {request.path.rstrip('/')} {body}"
    return hashlib.sha256(text.encode()).hexdigest()


def key_from(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or not key.isprintable() or not key.isascii():
        raise ValidationError({HEADER: ["Must be 1 to 255 printable ASCII characters, e.g. a UUID."]})
    return key


def expired_before() -> datetime:
    return timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def purge_expired_keys() -> int:
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=expired_before()).delete()
    return deleted


def _insert_key(row: IdempotencyKey) -> bool:
    """INSERT the key row unless the user's key exists: one statement, no savepoint
    (ON CONFLICT DO NOTHING). A concurrent request that inserted the same key
    and has not ended makes this one wait for it, at most the lock timeout.
    The SQL is written out, as on the rest of the booking path (core/db.py)."""
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(IdempotencyKey._meta.db_table)} "
        "(user_id, key, fingerprint, response_status, response_body, created_at) "
        "VALUES (%s, %s, %s, NULL, '', %s) ON CONFLICT (user_id, key) DO NOTHING RETURNING id"
    )
    created_at = IdempotencyKey._meta.get_field("created_at").get_db_prep_save(row.created_at, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [row.user_id, row.key, row.fingerprint, created_at])
        inserted = cursor.fetchone()
    if inserted is None:
        return False
    row.pk, row._state.adding, row._state.db = inserted[0], False, connection.alias
    return True


def _claim(request: Request, key: str, digest: str) -> IdempotencyKey | Response:
    """Insert the key row, or answer from the row a previous request left."""

    def in_progress() -> IdempotencyKeyInProgress:
        return IdempotencyKeyInProgress(
            "A request with this Idempotency-Key is still in progress; retry after it finishes."
        )

    row = IdempotencyKey(user=customer(request), key=key, fingerprint=digest, created_at=timezone.now())
    with lock_wait_bounded(in_progress):
        if _insert_key(row):
            return row
    previous = IdempotencyKey.objects.get(user=customer(request), key=key)
    if previous.created_at < expired_before():
        # An expired key is free again: this request starts afresh.
        previous.delete()
        return _claim(request, key, digest)
    if previous.fingerprint != digest:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different request (other path or body). "
            "Use a new key for a new request."
        )
    body = json.loads(previous.response_body)
    return Response(body, status=previous.response_status, headers={REPLAY_HEADER: "true"})


def idempotent(request: Request, perform: Callable[[], Response]) -> Response:
    """Run ``perform`` once per (user, Idempotency-Key); without the header, just run it."""
    key = key_from(request)
    if key is None:
        return perform()
    digest = fingerprint(request)
    with transaction.atomic():
        claimed = _claim(request, key, digest)
        if isinstance(claimed, Response):
            return claimed
        # Errors raise out of perform(), rolling the claim back with everything
        # else, so only successful responses are ever stored.
        response = perform()
        body = json.dumps(response.data, cls=JSONEncoder)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table(IdempotencyKey)} SET response_status = %s, response_body = %s WHERE id = %s",
                [response.status_code, body, claimed.pk],
            )
    return response
