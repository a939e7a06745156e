"""Check the database of one bench target against the 201s its clients got.

Run by bench/run.py in the code tree under test:

    python bench/verify.py <promises.json>

promises.json: {"promised": {booking id: [show, seat]}, "shows": [shows that started empty]}.
Prints {"check": the counts, "untold": [[booking, show, seat], ...]}: the
rows of those shows that no 201 told of (bench/run.py asks the server about
them again, by idempotency key).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path.insert(0, ".")  # the code tree under test
    import django

    django.setup()
    spec = importlib.util.spec_from_file_location("bookingcheck", ROOT / "scripts/bookingcheck.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    given = json.loads(Path(sys.argv[1]).read_text())
    promised = {int(pk): (show, seat, None) for pk, (show, seat) in given["promised"].items()}
    check = module.check_bookings(promised, given["shows"])
    from bookings.models import Booking

    untold = (
        Booking.objects.filter(Booking.sold(), show_id__in=given["shows"])
        .exclude(pk__in=list(promised))
        .values_list("pk", "show_id", "seat_number")
    )
    print(json.dumps({"check": check, "untold": list(untold)}))


if __name__ == "__main__":
    main()
