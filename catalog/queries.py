"""catalog's written-out SQL (core/tests/test_structure.py keeps it here).

On the booking path, Django spent more CPU building and compiling each ORM
query than PostgreSQL spent running it (docs/performance.md); these statements
are built once from the models' metadata (core.db) instead.
"""

from __future__ import annotations

from django.db import connection

from core.db import columns, raw, table

from .models import Movie, Screen, Show

_WITH_MOVIE_AND_SCREEN = {"movie": Movie, "screen": Screen}


def show_with_movie_and_screen(show_id: int, *, lock: bool = False) -> Show | None:
    """The show with its whole movie and screen, in one query; with ``lock``, the
    show's row locked until the transaction ends.

    Building the same query with the ORM (select_for_update + select_related)
    cost about 1.5 ms of CPU per booking, more than PostgreSQL spends on the
    whole booking transaction (docs/performance.md).
    """
    sql = (
        f"SELECT {columns(Show, 's')}, {columns(Movie, 'm', 'movie')}, {columns(Screen, 'sc', 'screen')}"
        f" FROM {table(Show)} s JOIN {table(Movie)} m ON m.id = s.movie_id"
        f" JOIN {table(Screen)} sc ON sc.id = s.screen_id WHERE s.id = %s"
    )
    # FOR NO KEY UPDATE: see bookings.services._lock_show. SQLite has no row
    # locks (its writers queue on the database lock instead).
    if lock and connection.features.has_select_for_update_of:
        sql += " FOR NO KEY UPDATE OF s"
    return next(iter(raw(Show, sql, [show_id], joined=_WITH_MOVIE_AND_SCREEN)), None)
