import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.settings import BASE_DIR
from tickets.keys import new_key

TICKET_KEY = new_key().setting  # a production environment needs one

SUMMARY = "import config.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'])"
OURS = (
    *("DJANGO_", "DATABASE_", "JWT_", "THROTTLE_", "REDIS_URL", "BOOKING_", "CINEMA_", "TICKET_", "CHECK_IN_"),
    *("CELERY_", "OUTBOX_", "DEFAULT_FROM_EMAIL", "EMAIL_", "PASSWORD_RESET_"),
)


def clean_environ(**env) -> dict[str, str]:
    """This machine's environment without the project's own variables, plus ``env``."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith(OURS)}, **env}


def load_settings(code: str = SUMMARY, **env) -> subprocess.CompletedProcess:
    """Import the settings module in a fresh interpreter with the given environment
    (a development secret it makes goes to a scratch file, not the working tree)."""
    with tempfile.TemporaryDirectory() as scratch:
        env.setdefault("DJANGO_SECRET_KEY_FILE", str(Path(scratch) / "secret-key"))
        return subprocess.run(
            [sys.executable, "-c", code], cwd=BASE_DIR, env=clean_environ(**env), capture_output=True, text=True
        )


def test_without_any_variable_the_settings_are_production_and_refuse_to_start():
    result = load_settings()

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_without_debug_a_secret_key_is_required():
    result = load_settings(DJANGO_DEBUG="0")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_without_debug_a_ticket_signing_key_is_required():
    result = load_settings(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k" * 50)

    assert result.returncode != 0
    assert "TICKET_SIGNING_KEY must be set" in result.stderr


def test_production_settings_come_from_the_environment():
    result = load_settings(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="k" * 50,
        TICKET_SIGNING_KEY=TICKET_KEY,
        DJANGO_ALLOWED_HOSTS="tickets.example.com, api.example.com",
        DATABASE_URL="postgres://u:p@db.example.com:5432/cinema",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("False ['tickets.example.com', 'api.example.com'] core.postgresql")


def test_postgresql_binds_parameters_on_the_server_and_prepares_repeated_statements_unless_told_not_to():
    options = (
        "import config.settings as s; o = s.DATABASES['default']['OPTIONS']; "
        "print(o['server_side_binding'], o['prepare_threshold'])"
    )
    production = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "k" * 50,
        "TICKET_SIGNING_KEY": TICKET_KEY,
        "DATABASE_URL": "postgres://u:p@db.example.com:5432/cinema",
    }

    assert load_settings(options, **production).stdout.split() == ["True", "5"]
    assert load_settings(options, DATABASE_PREPARE_THRESHOLD="off", **production).stdout.split() == ["True", "None"]
    assert load_settings(options, DATABASE_PREPARE_THRESHOLD="2", **production).stdout.split() == ["True", "2"]


def test_with_debug_on_the_local_default_is_sqlite():
    result = load_settings(DJANGO_DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True")
    assert result.stdout.strip().endswith("django.db.backends.sqlite3")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings only")
@pytest.mark.django_db
def test_sqlite_takes_the_write_lock_up_front_and_waits_for_it():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


SECRET = "import config.settings as s; print(s.SECRET_KEY)"


def test_with_debug_on_and_no_secret_each_checkout_makes_its_own_and_keeps_it(tmp_path):
    here, there = tmp_path / "here", tmp_path / "there"

    first = load_settings(SECRET, DJANGO_DEBUG="1", DJANGO_SECRET_KEY_FILE=str(here)).stdout.strip()
    again = load_settings(SECRET, DJANGO_DEBUG="1", DJANGO_SECRET_KEY_FILE=str(here)).stdout.strip()
    elsewhere = load_settings(SECRET, DJANGO_DEBUG="1", DJANGO_SECRET_KEY_FILE=str(there)).stdout.strip()

    assert len(first) >= 50
    assert again == first
    assert elsewhere != first
    assert here.read_text().strip() == first
    assert stat.S_IMODE(here.stat().st_mode) == 0o600


def test_a_development_secret_file_left_empty_is_made_again(tmp_path):
    path = tmp_path / "secret-key"
    path.write_text("")

    made = load_settings(SECRET, DJANGO_DEBUG="1", DJANGO_SECRET_KEY_FILE=str(path)).stdout.strip()

    assert len(made) >= 50
    assert path.read_text().strip() == made


def test_the_development_secret_file_is_ignored_by_git():
    ignored = subprocess.run(
        ["git", "check-ignore", ".django-secret-key", ".ticket-signing-key"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )

    assert ignored.stdout.split() == [".django-secret-key", ".ticket-signing-key"]
