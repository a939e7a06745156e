"""Several app servers, one PostgreSQL: hundreds of clients race for a few seats.

Starts two gunicorn servers on two loopback ports against one PostgreSQL
database, fires concurrent booking requests (single seats and small seat lists)
split across both, then checks the database: every seat booked at most once,
every 201 matches a booked row and no booked row lacks its 201, no 5xx. Prints
one summary line and exits non-zero on any violation.

    .venv/bin/python scripts/race.py            # or: make race
    RACE_DATABASE_URL=postgres://... .venv/bin/python scripts/race.py --requests 600
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.bookingcheck import check_bookings  # noqa: E402
from scripts.pgdb import ensure_database  # noqa: E402
from scripts.servers import ServerDidNotStart, start_gunicorn  # noqa: E402
from tickets.keys import new_key  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/booking_race"


def prepare(seats: int, users: int) -> tuple[int, list[tuple[int, str]]]:
    """A fresh show with ``seats`` seats and ``users`` customers with access tokens."""
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User
    from catalog import services
    from catalog.layouts import rows_of
    from catalog.models import Movie, Screen

    movie, _ = Movie.objects.get_or_create(title="Race Night", defaults={"duration_minutes": 100})
    # A screen of its own for every run, so runs never collide in the schedule.
    screen = services.screen_save(screen=Screen(), name=f"Race {secrets.token_hex(4)}", layout=rows_of(seats))
    show = services.show_schedule(
        movie=movie, screen=screen, date_time=timezone.now() + timedelta(days=1), price=Decimal("10.00")
    )
    customers = []
    for n in range(users):
        user, created = User.objects.get_or_create(username=f"racer{n}")
        if created:
            user.set_unusable_password()
            user.save()
        customers.append((user.id, str(RefreshToken.for_user(user).access_token)))
    return show.id, customers


def attempt(port: int, show_id: int, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/shows/{show_id}/book/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload)
        except ValueError:
            return error.code, {"raw": payload[:200].decode(errors="replace")}


def verify(show_id: int, results: list[tuple[int, int, dict]]) -> dict:
    """Compare what the clients were told with what the database holds."""
    promised = {
        booking["id"]: (show_id, booking["seat_number"], user_id)
        for user_id, status, body in results
        if status == 201
        for booking in body.get("bookings", [body])
    }
    return check_bookings(promised, [show_id])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--ports", type=int, nargs=2, default=[8101, 8102])
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()

    url = os.environ.get("RACE_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",  # plain HTTP on loopback
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "TICKET_SIGNING_KEY": new_key().setting,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_THROTTLING": "0",
        "DJANGO_LOG_LEVEL": "ERROR",  # 383 lines of "Conflict: /shows/1/book/" say nothing
    }
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    show_id, customers = prepare(args.seats, args.users)

    logs = {port: Path(tempfile.mkstemp(prefix=f"race-{port}-", suffix=".log")[1]) for port in args.ports}
    servers = []
    try:
        for port in args.ports:
            try:
                servers.append(start_gunicorn(port=port, env=env, log=logs[port]))
            except ServerDidNotStart as error:
                raise SystemExit(str(error)) from None
        rng = random.Random(args.seed)
        plan = []
        for n in range(args.requests):
            user_id, token = rng.choice(customers)
            body: dict[str, int | list[int]]
            if rng.random() < 0.7:
                body = {"seat_number": rng.randint(1, args.seats)}
            else:
                body = {"seat_numbers": rng.sample(range(1, args.seats + 1), rng.randint(2, 3))}
            plan.append((args.ports[n % 2], user_id, token, body))
        started = time.monotonic()
        with ThreadPoolExecutor(args.concurrency) as pool:
            answers = list(pool.map(lambda p: attempt(p[0], show_id, p[2], p[3]), plan))
        elapsed = time.monotonic() - started
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)

    results = [(user_id, status, body) for (_, user_id, _, _), (status, body) in zip(plan, answers, strict=True)]
    statuses = Counter(status for _, status, _ in results)
    check = verify(show_id, results)
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    unexpected = sum(count for status, count in statuses.items() if status not in (201, 409) and status < 500)
    ok = (
        server_errors == 0
        and unexpected == 0
        and check["double_booked_seats"] == 0
        and check["201s_without_their_row"] == 0
        and check["rows_without_a_201"] == 0
    )
    print(
        f"race: {args.requests} requests, {args.concurrency} at a time, over {len(args.ports)} servers "
        f"(ports {' '.join(map(str, args.ports))}) for {args.seats} seats in {elapsed:.1f}s: "
        f"201={statuses[201]} 409={statuses[409]} other4xx={unexpected} 5xx={server_errors}; "
        f"booked rows={check['booked_rows']}, double-booked seats={check['double_booked_seats']}, "
        f"201s without a row={check['201s_without_their_row']}, rows without a 201={check['rows_without_a_201']} "
        f"-> {'OK' if ok else 'VIOLATION'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
