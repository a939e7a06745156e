"""The load benchmark: `make bench`.

Builds a data set of realistic size in a fresh PostgreSQL database, serves
the app with gunicorn in production mode (DEBUG off, throttling off), drives
each scenario with locust for a fixed time at a fixed number of concurrent
clients, prints a table and writes it as JSON to bench/results/. Then checks
the database: no seat booked twice, every 201 matches its row and no row lacks
its 201. Any error other than the expected 409s, or any mismatch, exits 1.

    .venv/bin/python bench/run.py --seconds 20 --clients 32
    .venv/bin/python bench/run.py --worker-class gthread --workers 2 --threads 8 --label gthread
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.bookingcheck import check_bookings  # noqa: E402
from scripts.pgdb import recreate_database  # noqa: E402
from scripts.servers import ServerDidNotStart, start_gunicorn  # noqa: E402
from tickets.keys import new_key  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/booking_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"  # as in production: shared cache; BENCH_REDIS_URL= to go without
SCENARIOS = ["baseline", "movies", "shows_by_date", "seat_map", "my_bookings", "book_spread", "book_premiere"]
READS = ["movies", "shows_by_date", "seat_map", "my_bookings"]


def prepare(env: dict, fixture_path: Path, seed: int) -> dict:
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    import django

    django.setup()
    from rest_framework_simplejwt.tokens import AccessToken

    from bench import dataset

    data = dataset.build(seed=seed)
    from django.db import connection

    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum keeps them on a live database;
        # right after a bulk load there are none.
        cursor.execute("ANALYZE")
    from accounts.models import User

    data["tokens"] = [(user.pk, str(AccessToken.for_user(user))) for user in User.objects.filter(pk__in=data["users"])]
    data["spread_seats"] = 120  # the smallest screen: every seat number exists in every show
    data["premiere_seats"] = 5000
    fixture_path.write_text(json.dumps(data))
    return data


def serve(env: dict, port: int, args, log: Path) -> subprocess.Popen:
    extra = ["-k", "gthread", "--threads", str(args.threads)] if args.worker_class == "gthread" else []
    try:
        return start_gunicorn(port=port, env=env, log=log, workers=args.workers, extra=extra)
    except ServerDidNotStart as error:
        raise SystemExit(str(error)) from None


def drive(scenario: str, seconds: int, clients: int, port: int, work: Path, fixture: Path) -> dict:
    prefix = work / scenario
    env = {
        **os.environ,
        "BENCH_SCENARIO": scenario,
        "BENCH_FIXTURE": str(fixture),
        "BENCH_CREATED": str(work / f"{scenario}.created.json"),
    }
    subprocess.run(
        [
            str(ROOT / ".venv/bin/locust"),
            "-f",
            str(ROOT / "bench/locustfile.py"),
            "--headless",
            "--only-summary",
            "--users",
            str(clients),
            "--spawn-rate",
            str(clients),
            "--run-time",
            f"{seconds}s",
            # At the end, let requests in flight finish, so every 201 is seen and checked.
            "--stop-timeout",
            "30",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        check=False,  # locust exits 1 when any request failed; the table reports it
        stdout=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv") as stats:
        row = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
    created = json.loads((work / f"{scenario}.created.json").read_text())
    return {
        "scenario": scenario,
        "requests": int(row["Request Count"]),
        "rps": float(row["Requests/s"]),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "errors": int(row["Failure Count"]),
        "created": len(created["created"]),
        "refused_409": created["refused"],
        "_bookings": created["created"],
    }


def verify(results: list[dict], premiere_show: int) -> dict:
    """Compare every 201 the clients got with the rows in the database (the premiere
    starts empty, so each of its rows must be a 201)."""
    promised = {b["id"]: (b["show"], b["seat"], b["user"]) for r in results for b in r["_bookings"]}
    check = check_bookings(promised, [premiere_show])
    return {name: count for name, count in check.items() if name != "booked_rows"}


def machine(url: str) -> dict:
    with open("/proc/cpuinfo") as cpuinfo:
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "unknown")
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        (postgres,) = conn.execute("SHOW server_version").fetchone() or ("unknown",)
    return {"cpus": os.cpu_count(), "cpu": model, "python": platform.python_version(), "postgres": postgres}


def table(results: list[dict]) -> str:
    baseline = next(r["rps"] for r in results if r["scenario"] == "baseline")
    lines = [
        "| scenario | req/s | vs baseline | p50 ms | p95 ms | p99 ms | errors | 201 | 409 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        booking = r["scenario"].startswith("book")
        lines.append(
            f"| {r['scenario']} | {r['rps']:.0f} | {r['rps'] / baseline:.0%} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} "
            f"| {r['p99_ms']:.0f} | {r['errors']} | {r['created'] if booking else ''} "
            f"| {r['refused_409'] if booking else ''} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 20)))
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8201)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--label", default="", help="a name for this configuration in the results file")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    if redis_url:
        redis.Redis.from_url(redis_url).flushdb()  # no counters or cached answers from an earlier run
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_THROTTLING": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "ERROR",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "TICKET_SIGNING_KEY": new_key().setting,
        "JWT_ACCESS_MINUTES": "240",
        "REDIS_URL": redis_url,
    }
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    fixture = work / "fixture.json"
    started = time.monotonic()
    data = prepare(env, fixture, args.seed)
    print(f"data set: {data['counts']} in {time.monotonic() - started:.1f}s", flush=True)

    server = serve(env, args.port, args, work / "gunicorn.log")
    results = []
    try:
        drive("movies", 3, args.clients, args.port, work, fixture)  # warm-up, not recorded
        for scenario in args.scenarios.split(","):
            results.append(drive(scenario, args.seconds, args.clients, args.port, work, fixture))
            print(f"  {scenario}: {results[-1]['rps']:.0f} req/s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)

    check = verify(results, data["premiere_show"])
    config = {
        "label": args.label,
        "seconds": args.seconds,
        "clients": args.clients,
        "gunicorn": {"workers": args.workers, "worker_class": args.worker_class, "threads": args.threads},
        "redis": bool(redis_url),
        "http_cache": os.environ.get("DJANGO_HTTP_CACHE", "1") != "0",
    }
    report = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(url),
        "config": config,
        "data": data["counts"],
        "results": [{k: v for k, v in r.items() if not k.startswith("_")} for r in results],
        "database_check": check,
    }
    out_dir = ROOT / "bench/results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"{report['time'].replace(':', '')}{'-' + args.label if args.label else ''}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")

    print()
    print(table(results))
    print()
    print(f"machine: {report['machine']}; config: {config}")
    print(f"database check: {check}")
    print(f"results: {out.relative_to(ROOT)}")
    errors = sum(r["errors"] for r in results)
    ok = errors == 0 and not any(check.values())
    print("OK" if ok else f"FAILED: {errors} errors, database check {check}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
