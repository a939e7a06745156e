"""webhooks' written-out SQL (core/tests/test_structure.py keeps it here)."""

from __future__ import annotations

from core.db import columns, raw, table

from .models import Endpoint


def active_endpoints() -> list[Endpoint]:
    """Every active endpoint, in one statement: every sale reads them
    (webhooks.services.subscriptions), and the ORM's cost of building the
    query was about that of running it (docs/performance.md)."""
    return raw(Endpoint, f"SELECT {columns(Endpoint)} FROM {table(Endpoint)} WHERE active")
