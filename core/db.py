"""Database helpers every app may use."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db import OperationalError, connection, models, transaction

M = TypeVar("M", bound=models.Model)


def after_commit(func: Callable[[], object]) -> None:
    """Run ``func`` once the current transaction commits (at once outside one).

    Robust: an exception in ``func`` is logged, never raised, because what runs
    after a commit (cache version bumps, event log lines) must not turn a
    request whose changes were committed into an error answer.
    """
    transaction.on_commit(func, robust=True)


LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for an expired lock_timeout


def set_lock_timeout() -> None:
    """Bound how long the current transaction waits for any lock (PostgreSQL only)
    to BOOKING_LOCK_TIMEOUT_MS.

    Every PostgreSQL connection is opened with that lock_timeout
    (core/postgresql), so this sends nothing unless the setting changed since
    the connection opened; then it applies until the transaction ends. SQLite
    has no row locks; its writers wait on the database lock for the
    connection's busy timeout instead.
    """
    if connection.vendor != "postgresql":
        return
    connection.ensure_connection()
    if getattr(connection, "session_lock_timeout_ms", None) != settings.BOOKING_LOCK_TIMEOUT_MS:
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


# Written-out statements for the few queries every request or every sale runs.
# On this project's 2-core machine, Django spent 0.5 to 1.5 ms of CPU building
# and compiling each ORM query of the booking path, more than PostgreSQL
# spent running it (docs/performance.md). These helpers keep model instances
# (with the same value converters as the ORM) and skip the compiler.


def raw(
    model: type[M], sql: str, params: Sequence[Any] = (), *, related: Mapping[str, models.Field[Any, Any]] | None = None
) -> list[M]:
    """``list(model.objects.raw(sql, params))``: the rows as model instances, with
    the ORM's value converters applied and any column that is not a field of the
    model set as an attribute. RawQuerySet works out which column is which field
    and their converters on every query (a tenth of a booking's CPU, three raw
    reads); here that is done once per model and list of columns.

    ``related`` names extra columns that hold another model's field (a joined
    row's ``date_time AS show_date_time``): they get that field's converters,
    as the ORM gives them to a select_related row (on SQLite, a datetime
    arrives as text)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = tuple(column[0] for column in cursor.description)
        rows = cursor.fetchall()
    if not rows:
        return []
    joined = tuple(related.items()) if related else ()
    expressions, names, positions, extras, converters = _row_plan(model, columns, joined, connection.vendor)
    instances = []
    for row in rows:
        values = list(row)
        for position, functions in converters:
            for function in functions:
                values[position] = function(values[position], expressions[position], connection)
        instance = model.from_db(connection.alias, names, [values[position] for position in positions])
        for position, name in extras:
            setattr(instance, name, values[position])
        instances.append(instance)
    return instances


@functools.cache
def _row_plan(
    model: type[models.Model],
    columns: tuple[str, ...],
    related: tuple[tuple[str, models.Field[Any, Any]], ...],
    vendor: str,
) -> tuple[Any, ...]:
    """For raw(): each column as an expression of its field (None for extra columns),
    the fields' names and positions in the order from_db takes them, the extra
    columns, the converters (of the model's fields and of ``related``'s)."""
    by_column = {field.column: field for field in model._meta.concrete_fields}
    fields = [by_column.get(column) for column in columns]
    if model._meta.pk is None or model._meta.pk.column not in columns:
        raise ValueError(f"raw(): the query for {model.__name__} must select its primary key")
    # The model's field order, as RawQuerySet.resolve_model_init_order gives it to from_db.
    init = sorted(
        ((field, position) for position, field in enumerate(fields) if field is not None),
        key=lambda pair: model._meta.concrete_fields.index(pair[0]),
    )
    names = [field.attname for field, _ in init]
    positions = [position for _, position in init]
    extras = [
        (position, column)
        for position, (column, field) in enumerate(zip(columns, fields, strict=True))
        if field is None
    ]
    columns_as_expressions = [field.get_col(model._meta.db_table) if field is not None else None for field in fields]
    others = dict(related)
    converted = [
        expression if expression is not None else _related_col(others.get(column))
        for column, expression in zip(columns, columns_as_expressions, strict=True)
    ]
    converters = [
        (position, connection.ops.get_db_converters(expression) + expression.get_db_converters(connection))
        for position, expression in enumerate(converted)
        if expression is not None
    ]
    converters = [(position, functions) for position, functions in converters if functions]
    return converted, names, positions, extras, converters


def _related_col(field: models.Field[Any, Any] | None) -> Any:
    return None if field is None else field.get_col(field.model._meta.db_table)


def table(model: type[models.Model]) -> str:
    """The model's table name, quoted for this database, for written-out SQL."""
    return str(connection.ops.quote_name(model._meta.db_table))


def columns(model: type[models.Model], alias: str = "") -> str:
    """The model's columns, quoted, for the select list of a written-out SQL read.

    Never a star: PostgreSQL connections keep the statements they repeat
    prepared (DATABASE_PREPARE_THRESHOLD), and a prepared read of all columns
    fails ("cached plan must not change result type") on every later use once
    a migration adds a column to its table, until its connection closes. A
    list of columns keeps its result type, so servers still running the code
    of before a deployment keep working."""
    quote = connection.ops.quote_name
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{quote(str(field.column))}" for field in model._meta.concrete_fields)


def _pk_column(meta: Any) -> str:
    assert meta.pk is not None, meta.label
    return str(meta.pk.column)


def for_update() -> str:
    """The clause that locks the rows a written-out SELECT reads until the
    transaction ends ("" on SQLite, whose writers hold the database's lock)."""
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def by_pk(model: type[M], pk: Any) -> M | None:
    """The row with this primary key, as a model instance, or None."""
    meta, quote = model._meta, connection.ops.quote_name
    pk_column = _pk_column(meta)
    sql = f"SELECT {columns(model)} FROM {table(model)} WHERE {quote(pk_column)} = %s"
    return next(iter(raw(model, sql, [pk])), None)


def insert(objs: Sequence[M], *, skip_taken: str | None = None) -> list[M]:
    """INSERT the unsaved instances (of one model) in one statement and set their
    primary keys: what bulk_create does for them, without building a query.
    Field defaults and auto_now(_add) apply as with save(); no signals are sent.

    With ``skip_taken`` (the name of one of the model's unique constraints), a
    row that would break that constraint is left out instead of failing the
    statement (ON CONFLICT ... DO NOTHING): only the rows inserted are returned,
    so a caller learns in one round trip which of its rows were free."""
    if not objs:
        return []
    model = type(objs[0])
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    pk_column = _pk_column(meta)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {table(model)} ({', '.join(quote(str(field.column)) for field in fields)}) "
        f"VALUES {', '.join([row] * len(objs))}"
    )
    unique: list[models.Field[Any, Any]] = []
    if skip_taken is not None:
        target, unique = _conflict_target(model, skip_taken, connection.vendor)
        sql += f" ON CONFLICT {target} DO NOTHING"
    sql += f" RETURNING {', '.join(quote(str(column)) for column in [pk_column, *(f.column for f in unique)])}"
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objs for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    if skip_taken is None:
        inserted = list(objs)
    else:  # RETURNING names only the rows inserted: match them by the constraint's values
        by_key = {tuple(getattr(obj, field.attname) for field in unique): obj for obj in objs}
        inserted = [
            by_key[tuple(f.to_python(v) for f, v in zip(unique, values[1:], strict=True))] for values in returned
        ]
    for obj, (pk, *_) in zip(inserted, returned, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return inserted


@functools.cache
def _conflict_target(model: type[models.Model], name: str, vendor: str) -> tuple[str, list[models.Field[Any, Any]]]:
    """ON CONFLICT's target for the unique constraint ``name`` of ``model``: its
    columns and, for a partial one, its condition (which PostgreSQL and SQLite
    need to match the index), compiled once, from the constraint itself."""
    (constraint,) = [c for c in model._meta.constraints if c.name == name]
    assert isinstance(constraint, models.UniqueConstraint), name
    assert constraint.fields, name
    fields: list[models.Field[Any, Any]] = [model._meta.get_field(f) for f in constraint.fields]  # type: ignore[misc]
    target = f"({', '.join(connection.ops.quote_name(str(field.column)) for field in fields)})"
    if constraint.condition is not None:
        # Django's own SQL for the condition, as in the index's migration (a private
        # method the stubs do not declare; test_db_helpers runs it on both databases).
        condition = constraint._get_condition_sql(model, connection.schema_editor())  # type: ignore[attr-defined]
        target += f" WHERE {condition}"
    return target, fields


def update(obj: models.Model, fields: Sequence[str]) -> None:
    """``obj.save(update_fields=fields)`` as one written-out UPDATE (no signals)."""
    meta, quote = obj._meta, connection.ops.quote_name
    changed = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in changed)  # type: ignore[union-attr]
    pk_column = _pk_column(meta)
    params = [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in changed]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table(type(obj))} SET {assignments} WHERE {quote(pk_column)} = %s", [*params, obj.pk])


def db_value(model: type[models.Model], name: str, value: Any) -> Any:
    """``value`` as the database stores ``model``'s field ``name`` (a time or a UUID
    differs between PostgreSQL and SQLite): for parameters of written-out SQL."""
    return model._meta.get_field(name).get_db_prep_value(value, connection)  # type: ignore[union-attr]
