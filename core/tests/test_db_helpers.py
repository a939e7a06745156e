"""core.db's written-out statements give what the ORM would."""

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone

from bookings import queries
from bookings.models import ONE_OCCUPANT_PER_SEAT, Booking, Hold
from catalog.models import Show
from catalog.queries import show_with_movie_and_screen
from config.settings import BASE_DIR
from core.db import by_pk, db_value, insert, table, update

pytestmark = pytest.mark.django_db


def test_insert_writes_every_row_in_one_statement_and_sets_their_keys_in_order(user, show, django_assert_num_queries):
    rows = [
        Booking(user=user, show=show, seat_number=n, seat_label=f"A{n}", price=Decimal("9.50"), currency="EUR")
        for n in (3, 1, 2)
    ]

    with django_assert_num_queries(1):
        insert(rows)

    for row in rows:
        stored = Booking.objects.get(pk=row.pk)
        assert (stored.seat_number, stored.seat_label, stored.price, stored.code) == (
            row.seat_number,
            row.seat_label,
            Decimal("9.50"),
            row.code,  # the field default, applied as save() would
        )
        assert stored.created_at is not None
    assert not rows[0]._state.adding
    assert insert([]) == []


def test_insert_can_leave_out_the_rows_a_unique_constraint_refuses_in_the_same_statement(
    user, show, django_assert_num_queries
):
    def row(n: int, status: str = Booking.Status.BOOKED) -> Booking:
        return Booking(user=user, show=show, seat_number=n, seat_label=f"A{n}", price=Decimal("9"), status=status)

    insert([row(2)])
    insert([row(4, Booking.Status.CANCELLED)])  # outside the partial constraint: no occupant
    rows = [row(1), row(2), row(3), row(4)]

    with django_assert_num_queries(1):
        inserted = insert(rows, skip_taken=ONE_OCCUPANT_PER_SEAT)

    assert inserted == [rows[0], rows[2], rows[3]]
    assert all(r.pk is not None and not r._state.adding for r in inserted)
    assert rows[1].pk is None
    assert rows[1]._state.adding
    occupying = Booking.objects.filter(show=show).exclude(status=Booking.Status.CANCELLED)
    assert sorted(occupying.values_list("seat_number", "pk")) == [
        (1, rows[0].pk),
        (2, Booking.objects.get(show=show, seat_number=2, status="booked").pk),
        (3, rows[2].pk),
        (4, rows[3].pk),
    ]


def test_raw_gives_what_the_orm_s_raw_gives_with_converters_extra_columns_and_deferred_fields(user, show):
    from bookings.services import hold_create
    from core.db import raw

    hold = hold_create(user=user, show_id=show.pk, seat_numbers=[4, 5])
    queries = [
        (Booking, "SELECT * FROM bookings_booking ORDER BY seat_number", []),  # uuid, decimal, times
        (Hold, "SELECT *, 'x' AS _extra, 2 + 3 AS _sum FROM bookings_hold WHERE id = %s", [hold.pk]),  # JSON
        (Booking, "SELECT seat_label, id FROM bookings_booking WHERE seat_number = %s", [5]),  # the rest deferred
        (Booking, "SELECT * FROM bookings_booking WHERE seat_number = %s", [99]),
    ]
    for model, sql, params in queries:
        ours, django = raw(model, sql, params), list(model._default_manager.raw(sql, params))
        assert len(ours) == len(django)
        for mine, theirs in zip(ours, django, strict=True):
            assert type(mine) is type(theirs)
            assert mine.__dict__.keys() == theirs.__dict__.keys()
            assert {k: v for k, v in vars(mine).items() if k != "_state"} == {
                k: v for k, v in vars(theirs).items() if k != "_state"
            }
            assert mine.get_deferred_fields() == theirs.get_deferred_fields()
            assert not mine._state.adding
    (hold_again,) = raw(Hold, "SELECT *, 'x' AS _extra FROM bookings_hold")
    extra: Any = hold_again
    assert isinstance(hold_again.seats, list)
    assert extra._extra == "x"
    with pytest.raises(ValueError, match="primary key"):
        raw(Booking, "SELECT seat_label FROM bookings_booking")


def test_raw_builds_whole_joined_instances_as_select_related_does_and_shares_them_per_row(
    user, show, django_assert_num_queries
):
    from catalog.models import Movie, Screen
    from core.db import columns, raw

    for n in (1, 2):
        Booking.objects.create(user=user, show=show, seat_number=n, seat_label=f"A{n}", price=Decimal("9"))
    sql = (
        f"SELECT {columns(Booking, 'b')}, {columns(Show, 's', 'show')}, {columns(Movie, 'm', 'show__movie')},"
        f" {columns(Screen, 'sc', 'show__screen')} FROM bookings_booking b JOIN catalog_show s ON s.id = b.show_id"
        " JOIN catalog_movie m ON m.id = s.movie_id JOIN catalog_screen sc ON sc.id = s.screen_id ORDER BY b.id"
    )
    joined = {"show": Show, "show__movie": Movie, "show__screen": Screen}

    theirs = list(Booking.objects.select_related("show__movie", "show__screen").order_by("id"))
    with django_assert_num_queries(1):
        ours = raw(Booking, sql, joined=joined)
        # Every field of every related instance is loaded, with the ORM's types (on SQLite a
        # datetime arrives as text): reading one costs no query.
        for mine, django in zip(ours, theirs, strict=True):
            for path in ("", "show", "show.movie", "show.screen"):
                a, b = mine, django
                for step in filter(None, path.split(".")):
                    a, b = getattr(a, step), getattr(b, step)
                assert type(a) is type(b)
                assert {k: v for k, v in vars(a).items() if k not in ("_state", "_prefetched_objects_cache")} == {
                    k: v for k, v in vars(b).items() if k not in ("_state", "_prefetched_objects_cache")
                }
                assert a.get_deferred_fields() == set()
    assert ours[0].show is ours[1].show  # one instance for the rows of one show
    with pytest.raises(ValueError, match="primary key of Movie"):
        raw(
            Show,
            "SELECT s.id, m.title AS movie__title FROM catalog_show s JOIN catalog_movie m ON m.id = s.movie_id",
            joined={"movie": Movie},
        )


def test_by_pk_reads_the_row_with_the_orm_s_types_or_none(user):
    found = by_pk(type(user), user.pk)

    assert found == user
    assert found is not None
    assert found.date_joined == type(user).objects.get(pk=user.pk).date_joined  # an aware datetime
    assert by_pk(type(user), 987654) is None


def test_update_writes_the_named_fields_only(user, show):
    now = timezone.now()
    hold = Hold.objects.create(user=user, show=show, seats=[], created_at=now, expires_at=now + timedelta(minutes=8))
    hold.status, hold.ended_at, hold.extended = Hold.Status.CONFIRMED, now, True

    update(hold, ["status", "ended_at"])

    stored = Hold.objects.get(pk=hold.pk)
    assert (stored.status, stored.ended_at, stored.extended) == ("confirmed", now, False)


def test_db_value_matches_what_the_orm_filters_with(user, show):
    now = timezone.now()
    hold = Hold.objects.create(user=user, show=show, seats=[], created_at=now, expires_at=now + timedelta(minutes=8))

    (found,) = Hold.objects.raw(
        "SELECT * FROM bookings_hold WHERE expires_at > %s", [db_value(Hold, "expires_at", now)]
    )

    assert found == hold


APPS = ("accounts", "backoffice", "bookings", "catalog", "core", "outbox", "tickets", "webhooks")


def test_written_out_reads_name_their_columns():
    """A prepared read of ``*`` breaks when a migration adds a column (core.db.columns)."""
    star = re.compile(r"SELECT\s+(DISTINCT\s+)?(\w+\.)?\*", re.IGNORECASE)
    offenders = [
        f"{path}:{number}"
        for app in APPS
        for path in sorted((BASE_DIR / app).rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if star.search(line)
    ]

    assert offenders == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_prepared_reads_keep_working_after_a_migration_adds_a_column(user, show):
    """The written-out reads of the booking path, prepared by their connection, still
    answer once another connection adds a column to their tables (a deployment's
    migration, while servers with the code of before still run)."""
    Booking.objects.create(user=user, show=show, seat_number=3, seat_label="A3", price=Decimal("9"), currency="EUR")
    tables: list[type[models.Model]] = [type(user), Show, Booking]
    assert settings.DATABASE_PREPARE_THRESHOLD is not None  # preparing is on in the tests, as in production

    def read() -> None:
        assert by_pk(type(user), user.pk) == user
        found = show_with_movie_and_screen(show.pk)
        assert found is not None
        assert found.screen.name == show.screen.name
        assert [row.seat_number for row in queries.occupants(show_id=show.pk, seat_numbers=[3, 4])] == [3]

    for _ in range(settings.DATABASE_PREPARE_THRESHOLD + 2):
        read()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = " ".join(row[0] for row in cursor.fetchall())
    assert all(model._meta.db_table in prepared for model in tables)  # the reads really are prepared
    migration = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with migration.cursor() as cursor:
            for model in tables:
                cursor.execute(f"ALTER TABLE {table(model)} ADD COLUMN added_by_a_migration integer")
        read()
    finally:
        with migration.cursor() as cursor:
            for model in tables:
                cursor.execute(f"ALTER TABLE {table(model)} DROP COLUMN IF EXISTS added_by_a_migration")
        migration.close()
