"""Build the benchmark's data set and write what the load generator needs.

Run by bench/run.py in the code tree under test (its own Django settings,
models and migrations; the database in DATABASE_URL is empty):

    python bench/prepare.py <data dir> --seed 1

Writes to <data dir>: tokens.txt (customers' access tokens), shows.txt
(the 2,000 programme shows), codes.txt (ticket codes, in a random order),
params.txt (name=value) and counts.json.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], check=True)

    import django

    sys.path.insert(0, ".")  # the code tree under test, before this directory
    django.setup()
    from django.contrib.auth.models import Group
    from django.db import connection
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from bookings.codes import display_code
    from bookings.models import Booking

    sys.path.insert(0, str(HERE))
    import dataset  # type: ignore[import-not-found]  # this directory's, whatever the tree under test has

    data = dataset.build(seed=args.seed)
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum keeps them on a live database;
        # right after a bulk load there are none.
        cursor.execute("ANALYZE")
    door = User.objects.create_user(username="bench-door", password=None)
    door.groups.add(Group.objects.get(name="Door staff"))

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    users = User.objects.filter(pk__in=data["users"]).order_by("pk")
    (out / "tokens.txt").write_text("".join(f"{AccessToken.for_user(user)}\n" for user in users))
    (out / "shows.txt").write_text("".join(f"{pk}\n" for pk in data["shows"]))
    codes = [display_code(code) for code in Booking.objects.values_list("code", flat=True)]
    random.Random(args.seed).shuffle(codes)
    (out / "codes.txt").write_text("".join(f"{code}\n" for code in codes))
    params = {
        "busy_date": data["busy_date"],
        "seat_map_show": data["seat_map_show"],
        "spread_seats": 120,  # the smallest screen: every seat number exists in every show
        "hot_shows": ",".join(map(str, data["hot_shows"])),
        "hot_seats": 5000,
        "premiere_show": data["premiere_show"],
        "premiere_seats": 5000,
        "party_show": data["party_show"],
        "sold_out_show": data["sold_out_show"],
        "door_token": str(AccessToken.for_user(door)),
    }
    (out / "params.txt").write_text("".join(f"{name}={value}\n" for name, value in params.items()))
    (out / "counts.json").write_text(json.dumps({**data["counts"], "ticket_codes": len(codes)}))


if __name__ == "__main__":
    main()
