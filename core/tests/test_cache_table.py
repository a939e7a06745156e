"""migrate makes the database cache's table whatever cache the migrating process uses."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "environment",
    [{"DJANGO_DEBUG": "1"}, {"DJANGO_DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:1/0"}],
    ids=["debug-local-memory", "redis"],
)
def test_a_database_migrated_without_the_database_cache_still_has_its_table(tmp_path, environment):
    database = tmp_path / "db.sqlite3"
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_SECRET_KEY_FILE": str(tmp_path / "secret"),
        "DATABASE_URL": f"sqlite:///{database}",
        **environment,
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    # A server without Redis and with DEBUG off reads its cache from this table.
    probe = (
        "from django.db import connection; "
        f"print({settings.DATABASE_CACHE_TABLE!r} in connection.introspection.table_names())"
    )
    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", probe],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    assert shown.stdout.splitlines()[-1] == "True"
