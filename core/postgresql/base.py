"""Django's PostgreSQL backend with a client-side deadline on every round trip (core/watchdog.py)."""

from __future__ import annotations

from django.conf import settings
from django.db.backends.postgresql import base

from core.watchdog import watchdog


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.deadline_seconds:
            self.execute_wrappers.append(self._within_deadline)

    @property
    def deadline_seconds(self) -> float:
        """The server's statement timeout plus a grace period; 0 (off) when there is none."""
        timeout_ms = settings.DATABASE_STATEMENT_TIMEOUT_MS
        return timeout_ms / 1000 + settings.DATABASE_DEADLINE_GRACE_SECONDS if timeout_ms else 0

    def _guard(self):
        return watchdog.deadline(self.connection.pgconn.socket, self.deadline_seconds)

    def _within_deadline(self, execute, sql, params, many, context):
        with self._guard():
            return execute(sql, params, many, context)

    def _commit(self):
        if self.connection is None or not self.deadline_seconds:
            return super()._commit()
        with self._guard():
            return super()._commit()

    def _rollback(self):
        if self.connection is None or not self.deadline_seconds:
            return super()._rollback()
        with self._guard():
            return super()._rollback()
