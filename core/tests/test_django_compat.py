"""Each internal core.django_compat leans on, compared with what the ORM itself does:
a Django upgrade that changes one fails here, by name."""

import inspect

import pytest
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import UniqueConstraint
from django.db.models.sql.compiler import SQLCompiler

from bookings.models import ONE_OCCUPANT_PER_SEAT, Booking, Hold
from core.django_compat import condition_sql, db_converters, init_order

pytestmark = pytest.mark.django_db


def test_from_db_takes_a_partial_list_of_values_in_init_order():
    fields = init_order(Booking)
    loaded = [field for field in fields if field.name in ("id", "seat_number", "created_at")]
    values = [41, 7, None]

    booking = Booking.from_db("default", [f.attname for f in loaded], values)

    assert (booking.pk, booking.seat_number) == (41, 7)
    assert booking.created_at is None
    assert booking.get_deferred_fields() == {f.attname for f in fields} - {f.attname for f in loaded}


def test_db_converters_are_the_ones_the_compiler_applies_to_a_column():
    queryset = Hold.objects.values_list("seats", "expires_at")
    compiler = queryset.query.get_compiler(connection=connection)
    compiler.setup_query()
    theirs = compiler.get_converters([col for col, _, _ in compiler.select])

    for position, (col, _, _) in enumerate(compiler.select):
        assert db_converters(col) == (theirs[position][0] if position in theirs else [])
    assert isinstance(
        SQLCompiler.get_converters, type(test_db_converters_are_the_ones_the_compiler_applies_to_a_column)
    )


def test_condition_sql_is_the_sql_of_the_partial_index_in_the_migration():
    (constraint,) = [
        c for c in Booking._meta.constraints if isinstance(c, UniqueConstraint) and c.name == ONE_OCCUPANT_PER_SEAT
    ]
    # Not entered: SQLite can not open a schema editor inside the test's transaction.
    created = str(constraint.create_sql(Booking, connection.schema_editor(collect_sql=True)))

    assert condition_sql(Booking, constraint) in created
    assert "status" in condition_sql(Booking, constraint)


def test_the_postgresql_backend_s_commit_and_rollback_hooks_are_what_django_calls():
    # core/postgresql guards _commit and _rollback, the private hooks that
    # BaseDatabaseWrapper.commit and .rollback call (Django 5.2).
    assert "self._commit()" in inspect.getsource(BaseDatabaseWrapper.commit)
    assert "self._rollback()" in inspect.getsource(BaseDatabaseWrapper.rollback)
