"""Django's PostgreSQL backend with a client-side deadline on every round trip
(core/watchdog.py), lock waits bounded once per connection, and health checks
only for connections that sat idle."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base

from core.watchdog import watchdog


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last_used = float("-inf")
        if self.deadline_seconds:
            self.execute_wrappers.append(self._within_deadline)

    # Django's health check (CONN_HEALTH_CHECKS) sends "SELECT 1" at the start of
    # every request that uses the database: a round trip, and a tenth of a
    # booking's CPU. A connection that answered a moment ago is as good as
    # checked: only one idle for longer than DATABASE_HEALTH_CHECK_IDLE_SECONDS
    # is checked. After a database restart, the first request of a connection
    # busy until then fails with 503 (core/exceptions) and the connection is
    # replaced; one idle longer is checked and replaced before it is used.
    def close_if_unusable_or_obsolete(self) -> None:
        # Called when a request starts and when it ends (close_old_connections).
        super().close_if_unusable_or_obsolete()
        if (
            self.connection is not None
            and time.monotonic() - self.last_used < settings.DATABASE_HEALTH_CHECK_IDLE_SECONDS
        ):
            self.health_check_done = True
        self.last_used = time.monotonic()

    # Lock waits are bounded for the whole session (lock_timeout set when the
    # connection opens), not per transaction: a "SET LOCAL lock_timeout" was a
    # round trip in every booking, hold and check-in. core.db.set_lock_timeout
    # only sends one when the setting changed after the connection opened.
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        self.session_lock_timeout_ms = settings.BOOKING_LOCK_TIMEOUT_MS
        params["options"] = f"{params.get('options', '')} -c lock_timeout={self.session_lock_timeout_ms}".strip()
        return params

    @property
    def deadline_seconds(self) -> float:
        """The server's statement timeout plus a grace period; 0 (off) when there is none."""
        timeout_ms: int = settings.DATABASE_STATEMENT_TIMEOUT_MS
        return timeout_ms / 1000 + settings.DATABASE_DEADLINE_GRACE_SECONDS if timeout_ms else 0.0

    def _guard(self) -> AbstractContextManager[None]:
        return watchdog.deadline(self.connection.pgconn.socket, self.deadline_seconds)

    def _within_deadline(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        with self._guard():
            return execute(sql, params, many, context)

    # Private hooks of BaseDatabaseWrapper that commit() and rollback() call (Django 5.2;
    # core/tests/test_django_compat.py checks they still do). The stubs do not declare them.
    def _commit(self) -> None:
        if self.connection is None or not self.deadline_seconds:
            return super()._commit()  # type: ignore[misc,no-any-return]
        with self._guard():
            return super()._commit()  # type: ignore[misc,no-any-return]

    def _rollback(self) -> None:
        if self.connection is None or not self.deadline_seconds:
            return super()._rollback()  # type: ignore[misc,no-any-return]
        with self._guard():
            return super()._rollback()  # type: ignore[misc,no-any-return]
