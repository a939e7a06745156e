"""Database helpers every app may use."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import OperationalError, connection, connections, models, transaction

from .django_compat import condition_sql, db_converters, init_order

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
    model: type[M], sql: str, params: Sequence[Any] = (), *, joined: Mapping[str, type[models.Model]] | None = None
) -> list[M]:
    """``list(model.objects.raw(sql, params))``: the rows as model instances, with
    the ORM's value converters applied and any column that is not a field of the
    model set as an attribute. RawQuerySet works out which column is which field
    and their converters on every query (a tenth of a booking's CPU, three raw
    reads); here that is done once per model and list of columns.

    ``joined`` builds related instances as select_related does: it maps a path
    ("show", "show__movie") to its model, and the SQL selects that model's
    columns named after the path (``columns(Movie, "m", path="show__movie")``).
    Each related instance is whole, so reading any of its fields costs no query,
    and rows that share one (a page of bookings of one show) share its instance.
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = tuple(column[0] for column in cursor.description)
        rows = cursor.fetchall()
    if not rows:
        return []
    # The connection itself, not the proxy: converters take it once per value.
    real = connections[connection.alias]
    plans = _row_plans(model, names, tuple((joined or {}).items()), real.vendor)
    own, related = plans[0], plans[1:]
    shared: dict[tuple[str, Any], models.Model] = {}
    instances: list[M] = []
    for row in rows:
        # One copy per row; the plans convert disjoint columns of it in place.
        values = list(row)
        instance = own.build(values, real)
        built = {"": instance}
        for plan in related:
            key = (plan.path, row[plan.pk_position])
            child = shared.get(key)
            if child is None:
                child = shared[key] = plan.build(values, real)
            plan.attach(built[plan.parent], child)
            built[plan.path] = child
        instances.append(instance)  # type: ignore[arg-type]  # the plan of path "" builds a ``model``
    return instances


@dataclass(frozen=True)
class _RowPlan:
    """How raw() builds one instance of ``model`` from a row's columns."""

    path: str  # "" for the row's own model, else its path from there ("show__movie")
    parent: str  # the path of the instance this one is set on ("show"), for a joined one
    attach: Callable[[models.Model, models.Model], None]  # sets it on that one as select_related does
    model: type[models.Model]
    pk_position: int
    names: list[str]  # the loaded fields' attnames, in the order from_db takes them
    positions: list[int]  # where each of those is in the row
    extras: list[tuple[int, str]]  # columns that are no field: set as attributes
    converters: list[tuple[int, list[Any], Any]]  # (position, functions, expression)

    def build(self, values: list[Any], real: Any) -> models.Model:
        """The instance from ``values`` (a row's copy), converting this plan's columns in place."""
        for position, functions, expression in self.converters:
            value = values[position]
            for function in functions:
                value = function(value, expression, real)
            values[position] = value
        instance = self.model.from_db(real.alias, self.names, [values[position] for position in self.positions])
        for position, name in self.extras:
            setattr(instance, name, values[position])
        return instance


@functools.cache
def _row_plans(
    model: type[models.Model],
    names: tuple[str, ...],
    joined: tuple[tuple[str, type[models.Model]], ...],
    vendor: str,
) -> list[_RowPlan]:
    """raw()'s plans for a row of ``names``: the model's own, then each joined path's,
    parents before their children."""
    paths = dict(joined)
    owner: dict[str, list[tuple[int, str]]] = {"": []}
    for position, name in enumerate(names):
        path, _, column = name.rpartition("__")
        if path in paths:
            owner.setdefault(path, []).append((position, column))
        else:
            owner[""].append((position, name))
    plans = []
    for path in sorted(owner, key=lambda p: (p.count("__") + bool(p), p)):
        target = paths[path] if path else model
        by_column = {field.column: field for field in target._meta.concrete_fields}
        pk_positions = [position for position, column in owner[path] if column == _pk_column(target._meta)]
        if not pk_positions:
            raise ValueError(f"raw(): the query must select the primary key of {target.__name__} ({path or 'the row'})")
        loaded = [(position, by_column[column]) for position, column in owner[path] if column in by_column]
        if path and len(loaded) != len(owner[path]):
            raise ValueError(f"raw(): a column of {path} is no field of {target.__name__}")
        # The model's field order, as from_db takes a partial list (django_compat.init_order).
        ordered = sorted(loaded, key=lambda pair: init_order(target).index(pair[1]))
        converters = [
            (position, functions, expression)
            for position, field in loaded
            for expression in [field.get_col(target._meta.db_table)]
            for functions in [db_converters(expression)]
            if functions
        ]
        plans.append(
            _RowPlan(
                path=path,
                parent=path.rpartition("__")[0],
                # The related field's cache, not its descriptor: the foreign key's id is in the row already.
                attach=_cache_setter(paths, model, path),
                model=target,
                pk_position=pk_positions[0],
                names=[field.attname for _, field in ordered],
                positions=[position for position, _ in ordered],
                extras=[(position, column) for position, column in owner[path] if column not in by_column],
                converters=converters,
            )
        )
    return plans


def _cache_setter(
    paths: Mapping[str, type[models.Model]], model: type[models.Model], path: str
) -> Callable[[models.Model, models.Model], None]:
    if not path:
        return lambda instance, related: None
    parent, _, name = path.rpartition("__")
    owner = paths[parent] if parent else model
    field = owner._meta.get_field(name)
    setter: Callable[[models.Model, models.Model], None] = field.set_cached_value  # type: ignore[union-attr]
    return setter


def table(model: type[models.Model]) -> str:
    """The model's table name, quoted for this database, for written-out SQL."""
    return str(connection.ops.quote_name(model._meta.db_table))


def columns(model: type[models.Model], alias: str = "", path: str = "", only: Sequence[str] = ()) -> str:
    """The model's columns, quoted, for the select list of a written-out SQL read;
    with ``path``, each named ``<path>__<column>`` for raw()'s ``joined``. With
    ``only`` (field names), just those and the primary key, as QuerySet.only()
    loads them: the other fields are deferred, read from the database when
    first used.

    Never a star: PostgreSQL connections keep the statements they repeat
    prepared (DATABASE_PREPARE_THRESHOLD), and a prepared read of all columns
    fails ("cached plan must not change result type") on every later use once
    a migration adds a column to its table, until its connection closes. A
    list of columns keeps its result type, so servers still running the code
    of before a deployment keep working."""
    return _columns(model, alias, path, tuple(only), connection.vendor)


@functools.cache  # the text depends on nothing else, and a page of bookings asks for four
def _columns(model: type[models.Model], alias: str, path: str, only: tuple[str, ...], vendor: str) -> str:
    quote = connection.ops.quote_name
    prefix = f"{alias}." if alias else ""
    wanted = {model._meta.get_field(name).column for name in only}  # type: ignore[union-attr]  # concrete fields
    return ", ".join(
        f"{prefix}{quote(str(field.column))}" + (f" AS {quote(f'{path}__{field.column}')}" if path else "")
        for field in model._meta.concrete_fields
        if not wanted or field.primary_key or field.column in wanted
    )


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
        target += f" WHERE {condition_sql(model, constraint)}"
    return target, fields


def execute(sql: str, params: Sequence[Any] = ()) -> None:
    """Run one written-out statement that returns no rows."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def scalar(sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row a written-out SELECT returns, or None without a row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else row[0]


def ping() -> None:
    """One round trip to the database: raises when it does not answer."""
    scalar("SELECT 1")


def advisory_lock(key: str) -> None:
    """On PostgreSQL, wait for the transaction-scoped advisory lock named ``key``
    (held until the transaction ends); elsewhere nothing, as for ``for_update``."""
    if connection.vendor == "postgresql":
        execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def order_by(model: type[models.Model], ordering: Sequence[str], alias: str = "") -> str:
    """An ORDER BY list for written-out SQL from a model ordering ("-created_at", "-id"),
    so that the SQL and the ORM share one definition of an order."""
    quote, prefix = connection.ops.quote_name, f"{alias}." if alias else ""
    terms = []
    for name in ordering:
        field = model._meta.get_field(name.lstrip("-"))
        terms.append(f"{prefix}{quote(str(field.column))}{' DESC' if name.startswith('-') else ''}")  # type: ignore[union-attr]
    return ", ".join(terms)


def update(obj: models.Model, fields: Sequence[str]) -> None:
    """``obj.save(update_fields=fields)`` as one written-out UPDATE (no signals)."""
    meta, quote = obj._meta, connection.ops.quote_name
    changed = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in changed)  # type: ignore[union-attr]
    pk_column = _pk_column(meta)
    params = [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in changed]  # type: ignore[union-attr]
    execute(f"UPDATE {table(type(obj))} SET {assignments} WHERE {quote(pk_column)} = %s", [*params, obj.pk])


def db_value(model: type[models.Model], name: str, value: Any) -> Any:
    """``value`` as the database stores ``model``'s field ``name`` (a time or a UUID
    differs between PostgreSQL and SQLite): for parameters of written-out SQL."""
    return model._meta.get_field(name).get_db_prep_value(value, connection)  # type: ignore[union-attr]
