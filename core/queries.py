"""core's written-out SQL (core/tests/test_structure.py keeps it here)."""

from __future__ import annotations

from django.db import connection

from .db import db_value, execute, table
from .models import IdempotencyKey


def claim_key(row: IdempotencyKey) -> bool:
    """INSERT the key row unless the user's key exists: one statement, no savepoint
    (ON CONFLICT DO NOTHING). A concurrent request that inserted the same key
    and has not ended makes this one wait for it, at most the lock timeout."""
    sql = (
        f"INSERT INTO {table(IdempotencyKey)} (user_id, key, fingerprint, response_status, response_body, created_at)"
        " VALUES (%s, %s, %s, NULL, '', %s) ON CONFLICT (user_id, key) DO NOTHING RETURNING id"
    )
    params = [row.user_id, row.key, row.fingerprint, db_value(IdempotencyKey, "created_at", row.created_at)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchone()
    if inserted is None:
        return False
    row.pk, row._state.adding, row._state.db = inserted[0], False, connection.alias
    return True


def store_answer(row: IdempotencyKey) -> None:
    """Write the key's answer (response_status, response_body)."""
    execute(
        f"UPDATE {table(IdempotencyKey)} SET response_status = %s, response_body = %s WHERE id = %s",
        [row.response_status, row.response_body, row.pk],
    )
