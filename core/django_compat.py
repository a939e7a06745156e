"""The few places that lean on how Django works inside, each behind one function.

Checked against Django 5.2 (the LTS this project pins). Each function has a
test in core/tests/test_django_compat.py that compares it with what the ORM
itself does, so an upgrade that changes the internal fails there, by name,
rather than somewhere on the booking path.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models


def init_order(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields in the order ``Model.from_db`` takes a partial list of values.

    Django 5.2: from_db fills the fields it is not given with DEFERRED by walking
    ``_meta.concrete_fields`` in order, so the values it is given must come in
    that order (RawQuerySet.resolve_model_init_order sorts them the same way)."""
    return list(model._meta.concrete_fields)


def db_converters(expression: Any) -> list[Any]:
    """The functions that turn a column's value as the driver returns it into the
    field's Python value (on SQLite, a datetime arrives as text).

    Django 5.2: what SQLCompiler.get_converters gathers for a selected column:
    the backend's converters, then the field's (from_db_value)."""
    functions: list[Any] = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
    return functions


def condition_sql(model: type[models.Model], constraint: models.UniqueConstraint) -> str:
    """The SQL of a partial unique constraint's condition, as its index's migration
    wrote it: ON CONFLICT must repeat it for PostgreSQL and SQLite to pick the index.

    Django 5.2: UniqueConstraint._get_condition_sql, a private method (the stubs
    do not declare it)."""
    sql: str = constraint._get_condition_sql(model, connection.schema_editor())  # type: ignore[attr-defined]
    return sql
