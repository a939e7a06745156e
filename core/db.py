"""Database helpers every app may use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connection, transaction


def after_commit(func: Callable[[], object]) -> None:
    """Run ``func`` once the current transaction commits (at once outside one).

    Robust: an exception in ``func`` is logged, never raised, because what runs
    after a commit (cache version bumps, event log lines) must not turn a
    request whose changes were committed into an error answer.
    """
    transaction.on_commit(func, robust=True)


LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for an expired lock_timeout


def set_lock_timeout() -> None:
    """Bound how long the current transaction waits for any lock (PostgreSQL only).

    Applies until the transaction ends. SQLite has no row locks; its writers
    wait on the database lock for the connection's busy timeout instead.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{settings.BOOKING_LOCK_TIMEOUT_MS}ms"])


def is_lock_timeout(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE


@contextmanager
def lock_wait_bounded(on_timeout: Callable[[], Exception]) -> Iterator[None]:
    """Run the block with its transaction's lock waits bounded (set_lock_timeout,
    PostgreSQL only), and raise ``on_timeout()`` when a wait runs out."""
    try:
        set_lock_timeout()
        yield
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise on_timeout() from exc
        raise
