"""The shape of the code, checked by reading it (docs/architecture.md).

Written-out SQL lives in one module per app, ``queries.py``, built from the
models' metadata with core.db; everywhere else reaches the database through
the ORM or core.db's model-level helpers. And no two modules import each
other, directly or round a longer circle.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

from config.settings import BASE_DIR

APPS = [
    "accounts",
    "backoffice",
    "bookings",
    "catalog",
    "config",
    "core",
    "orders",
    "outbox",
    "pricing",
    "tickets",
    "waitlist",
    "webhooks",
]

# core.db's pieces of written-out SQL: only queries modules put them together.
SQL_HELPERS = {"raw", "execute", "scalar", "columns", "table", "order_by", "for_update", "db_value"}
# Where SQL may be written: the queries modules, the helpers that build it,
# and the database backend.
SQL_ALLOWED = ("core/db.py", "core/postgresql/")


def _modules() -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every app module that is not a test or a migration."""
    for app in APPS:
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            relative = path.relative_to(BASE_DIR)
            if {"tests", "migrations"} & set(relative.parts):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def _writes_sql(path: Path) -> list[str]:
    """What in this file writes or runs SQL by hand, as "line: what"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr == "cursor":
            found.append(f"{node.lineno}: .cursor")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("raw", "extra"):
            found.append(f"{node.lineno}: .{node.func.attr}()")
        elif isinstance(node, ast.Name) and node.id == "RawSQL":
            found.append(f"{node.lineno}: RawSQL")
        elif isinstance(node, ast.ImportFrom) and (node.module, node.level) in (("core.db", 0), ("db", 1)):
            found += [f"{node.lineno}: core.db.{a.name}" for a in node.names if a.name in SQL_HELPERS]
    return found


def test_written_out_sql_is_only_in_queries_modules():
    offenders = {
        str(path.relative_to(BASE_DIR)): found
        for _, path in _modules()
        if path.name != "queries.py"
        and not str(path.relative_to(BASE_DIR)).startswith(SQL_ALLOWED)
        and (found := _writes_sql(path))
    }

    assert offenders == {}


def test_the_check_sees_a_cursor_and_a_helper(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from django.db import connection\nfrom core.db import insert, table\n\n"
        "def f(error):\n    with connection.cursor() as c:\n        c.execute('SELECT 1')\n"
        "    return error.extra, Model.objects.raw('SELECT 1')\n"
    )

    assert sorted(_writes_sql(sample)) == ["2: core.db.table", "5: .cursor", "7: .raw()"]


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``name`` imports, at load time or inside a function
    (an import put off into a function to break a circle is still one); not
    those imported only for type checkers."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(_without_type_checking(ast.parse(path.read_text()))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - (node.level - 1)], *([base] if base else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {module for module in found if module in known and module != name}


def _without_type_checking(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = [ast.Pass()]
    return tree


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_circle():
    modules = dict(_modules())
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}

    assert _circles(graph) == []


def test_the_circle_check_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
