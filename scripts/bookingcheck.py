"""What the race and the bench check after the load: the database against what the clients were told.

A promise is a 201's booking: ``{booking_id: (show_id, seat_number, user_id)}``;
a user id of None matches any user (the bench's load generator does not pair
answers with the token that asked).
Run inside a configured Django (the scripts call django.setup() first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def check_bookings(promised: Mapping[int, tuple[int, int, int | None]], show_ids: Iterable[int]) -> dict[str, int]:
    """Counts that must all be 0 but ``booked_rows``: seats booked twice, 201s whose row is
    missing or different, and booked rows in ``show_ids`` no client was told about."""
    from django.db.models import Count, Q

    from bookings.models import Booking

    shows = set(show_ids)
    sold = Booking.objects.filter(Booking.sold())
    rows = {  # the checked shows' rows, and the rows of every promise
        row["id"]: (row["show_id"], row["seat_number"], row["user_id"])
        for row in sold.filter(Q(show_id__in=shows) | Q(pk__in=list(promised))).values(
            "id", "show_id", "seat_number", "user_id"
        )
    }
    doubled = sold.values("show_id", "seat_number").annotate(n=Count("id")).filter(n__gt=1).count()
    return {
        "booked_rows": sum(1 for show_id, _, _ in rows.values() if show_id in shows),
        "double_booked_seats": doubled,
        "201s_without_their_row": sum(1 for pk, promise in promised.items() if not _kept(promise, rows.get(pk))),
        "rows_without_a_201": sum(1 for pk, (show_id, _, _) in rows.items() if show_id in shows and pk not in promised),
    }


def _kept(promise: tuple[int, int, int | None], row: tuple[int, int, int] | None) -> bool:
    if row is None:
        return False
    show_id, seat_number, user_id = promise
    return (show_id, seat_number) == row[:2] and user_id in (None, row[2])
