from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from core.db import columns, raw, table

from .models import Movie, Screen, Show


def _booking_model() -> Any:
    # Catalog does not import the bookings app: it reaches Booking, and its one
    # definition of what occupies a seat, through Show.bookings (typed Any for
    # the same reason).
    return Show.bookings.rel.related_model


def occupied_seat_count() -> Count:
    """Per show: seats occupied now (booked, or held by a hold that has not lapsed)."""
    return Count("bookings", filter=_booking_model().occupying(timezone.now(), prefix="bookings__"))


def sold_filter() -> Q:
    """Across Show.bookings: the rows that count as sold."""
    sold: Q = _booking_model().sold(prefix="bookings__")
    return sold


def movie_queryset() -> QuerySet[Movie]:
    return Movie.objects.prefetch_related("genres")


def now_showing() -> Exists:
    return Exists(Show.objects.filter(movie=OuterRef("pk"), date_time__gte=timezone.now()))


def show_queryset() -> QuerySet[Show]:
    """Shows with their movie, screen and ``available_seats``, in one query."""
    return (
        Show.objects.select_related("movie", "screen")
        .annotate(available_seats=F("screen__capacity") - occupied_seat_count())
        # Meta.ordering does not apply to aggregated queries.
        .order_by("date_time", "id")
    )


def upcoming_shows() -> QuerySet[Show]:
    return show_queryset().filter(date_time__gte=timezone.now())


def _show_with_movie_and_screen_sql(*, lock: bool) -> str:
    sql = (
        f"SELECT {columns(Show, 's')}, m.title AS _movie_title, m.duration_minutes AS _movie_duration_minutes, "
        f"sc.name AS _screen_name, sc.layout AS _screen_layout, "
        f"sc.capacity AS _screen_capacity FROM {table(Show)} s "
        f"JOIN {table(Movie)} m ON m.id = s.movie_id JOIN {table(Screen)} sc ON sc.id = s.screen_id WHERE s.id = %s"
    )
    # FOR NO KEY UPDATE: see bookings.services._lock_show. SQLite has no row
    # locks (its writers queue on the database lock instead).
    return sql + (" FOR NO KEY UPDATE OF s" if lock and connection.features.has_select_for_update_of else "")


def show_with_movie_and_screen(show_id: int, *, lock: bool = False) -> Show | None:
    """The show, its movie (title, duration) and its screen (name, layout, capacity) in one
    query; with ``lock``, the show's row locked until the transaction ends.

    The SQL is written out: building the same query with the ORM
    (select_for_update + select_related) cost about 1.5 ms of CPU per booking,
    more than PostgreSQL spends on the whole booking transaction
    (docs/performance.md). The movie and screen come as model instances with
    those fields loaded; any other field is read when first used.
    """
    sql = _show_with_movie_and_screen_sql(lock=lock)
    show = next(iter(raw(Show, sql, [show_id], related={"_screen_layout": Screen._meta.get_field("layout")})), None)
    if show is None:
        return None
    row: Any = show  # the joined columns arrive as attributes of the show
    show.movie = Movie.from_db(
        show._state.db,
        ["id", "title", "duration_minutes"],
        [show.movie_id, row._movie_title, row._movie_duration_minutes],
    )
    show.screen = Screen.from_db(
        show._state.db,
        ["id", "name", "layout", "capacity"],
        [show.screen_id, row._screen_name, row._screen_layout, row._screen_capacity],
    )
    return show
