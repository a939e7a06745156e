"""Where one request of each kind spends its time: `make profile`.

In-process (Django's test client, no network; e-mails handed to an in-memory
broker, as production hands them to Redis), on a throwaway database:
SQLite in a temporary folder, or PROFILE_DATABASE_URL (e.g. a PostgreSQL
database, which is recreated). Each request kind runs a warm-up, then N times
under cProfile; prints the wall time per request and the functions with the
most cumulative time, so the hot spots of the booking path can be seen.

    .venv/bin/python scripts/profile_requests.py [--repeat 200] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    arguments = parser.parse_args()

    work = tempfile.mkdtemp(prefix="profile-")
    url = os.environ.get("PROFILE_DATABASE_URL") or f"sqlite:///{work}/profile.sqlite3"
    if url.startswith("postgres"):
        from scripts.pgdb import recreate_database

        recreate_database(url)
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_THROTTLING="0",
        DJANGO_HTTP_CACHE="0",
        # As in production, a booking's e-mail is handed to a broker, not sent in the
        # request: kombu's in-memory transport stands in for Redis (no worker runs).
        CELERY_BROKER_URL="memory://",
    )
    os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User
    from catalog.tests.factories import make_movie, make_show

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    user = User.objects.create_user(username="profiler", email="profiler@example.com", password="x")
    shows = [make_show(make_movie(), starts_in=timedelta(days=1 + n), total_seats=1000) for n in range(3)]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    bookings = iter(range(3000))

    def book() -> None:
        n = next(bookings)  # spread over the shows, a new seat each time
        show, seat = shows[n % len(shows)], n // len(shows) + 1
        response = client.post(f"/shows/{show.pk}/book/", {"seat_number": seat}, content_type="application/json")
        assert response.status_code == 201, response.content

    def my_bookings() -> None:
        assert client.get("/my-bookings/").status_code == 200

    def me() -> None:
        assert client.get("/me/").status_code == 200

    def healthz() -> None:
        assert client.get("/healthz").status_code == 200

    engine = settings.DATABASES["default"]["ENGINE"]
    print(f"database: {engine}, {arguments.repeat} requests each, {timezone.now():%Y-%m-%d %H:%M}")
    kinds = [("GET /healthz", healthz), ("POST /shows/{id}/book/", book), ("GET /my-bookings/", my_bookings)]
    for name, call in [*kinds, ("GET /me/", me)]:
        for _ in range(10):
            call()
        started = time.perf_counter()
        for _ in range(arguments.repeat):
            call()
        wall = (time.perf_counter() - started) / arguments.repeat * 1000
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(arguments.repeat):
            call()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(arguments.top)
        print(f"\n=== {name}: {wall:.2f} ms per request (wall, unprofiled) ===")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


if __name__ == "__main__":
    main()
