"""Throwaway PostgreSQL databases for the race, the bench and fuzzing.

.venv/bin/python scripts/pgdb.py recreate postgres://postgres@127.0.0.1:5432/booking_fuzz
"""

from __future__ import annotations

import sys
from typing import Any

import psycopg


def _server_and_name(url: str) -> tuple[dict[str, Any], str]:
    info = psycopg.conninfo.conninfo_to_dict(url.replace("postgres://", "postgresql://", 1))
    return info, str(info.pop("dbname"))


def ensure_database(url: str) -> None:
    """Create the database if it does not exist yet."""
    info, name = _server_and_name(url)
    with psycopg.connect(**info, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def recreate_database(url: str) -> None:
    """Drop the database (disconnecting its clients) and create it empty."""
    info, name = _server_and_name(url)
    with psycopg.connect(**info, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    action, url = sys.argv[1:3]
    {"ensure": ensure_database, "recreate": recreate_database}[action](url)
