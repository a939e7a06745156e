"""Database helpers every app may use."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction


def after_commit(func: Callable[[], object]) -> None:
    """Run ``func`` once the current transaction commits (at once outside one).

    Robust: an exception in ``func`` is logged, never raised, because what runs
    after a commit (cache version bumps, event log lines) must not turn a
    request whose changes were committed into an error answer.
    """
    transaction.on_commit(func, robust=True)
