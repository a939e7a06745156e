"""Django's connection health check ("SELECT 1" when a request starts) only for a
connection that sat idle: what each setting does when the database drops a
connection behind the app's back (here: PostgreSQL ends the backend, as a
restart or a failover would)."""

from typing import Any

import psycopg
import pytest
from django.db import OperationalError, close_old_connections, connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the health check of PostgreSQL connections"),
]


def end_this_connection_from_outside() -> None:
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def a_request_uses_the_database() -> None:
    close_old_connections()  # as Django does when a request starts
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


@pytest.fixture
def health_checked(settings):
    wrapper: Any = connection  # health_check_enabled is not in Django's stubs
    previous = wrapper.health_check_enabled
    wrapper.health_check_enabled = True  # as in production (CONN_HEALTH_CHECKS)
    yield settings
    wrapper.health_check_enabled = previous


def test_a_connection_idle_for_longer_than_the_setting_is_checked_and_replaced(health_checked):
    health_checked.DATABASE_HEALTH_CHECK_IDLE_SECONDS = 0
    a_request_uses_the_database()
    end_this_connection_from_outside()

    a_request_uses_the_database()  # the check finds the connection dead and opens a new one


def test_a_connection_used_a_moment_ago_is_not_checked_so_the_next_request_fails_and_replaces_it(health_checked):
    health_checked.DATABASE_HEALTH_CHECK_IDLE_SECONDS = 60
    a_request_uses_the_database()
    end_this_connection_from_outside()

    with pytest.raises(OperationalError):
        a_request_uses_the_database()  # no check: the request learns it (answered 503, core/exceptions)
    close_old_connections()  # when that request ends, the broken connection is closed
    a_request_uses_the_database()
