"""A data set of realistic size for the benchmark, written with bulk inserts.

200 movies, 3 screens (300, 200 and 120 seats) plus a 5,000-seat premiere
hall, 2,000 upcoming shows laid out without overlaps, a premiere and four
more empty shows in the big hall and one for best-available parties, 500
users and 50,000 bookings. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from catalog import services
from catalog.layouts import grid
from catalog.models import Movie, Screen, Show

SLOTS = [time(10, 0), time(13, 0), time(16, 0), time(19, 0), time(22, 0)]  # 3 h apart: movies are <= 150 min


def _ticket_types_and_a_code(screens: list[Screen]) -> None:
    """What the priced_orders scenario orders: a child ticket in the programme's
    screens and a promo code without a limit, where the tree under test has them."""
    try:
        from catalog.models import TicketType
        from pricing.models import PromoCode
    except ImportError:
        return
    TicketType.objects.get_or_create(code="child", defaults={"name": "Child"})
    Screen.objects.filter(pk__in=[screen.pk for screen in screens]).update(
        ticket_prices={"child": {"standard": "7.00"}}
    )
    PromoCode.objects.create(code="BENCH10", kind="percent", value=Decimal("10"))


@transaction.atomic
def build(
    *, movies: int = 200, shows: int = 2000, users: int = 500, bookings: int = 50_000, hot_shows: int = 4, seed: int = 1
) -> dict:
    rng = random.Random(seed)
    screens = [
        services.screen_save(screen=Screen(), name="Screen A", layout=grid(15, 20)),
        services.screen_save(screen=Screen(), name="Screen B", layout=grid(10, 20)),
        services.screen_save(screen=Screen(), name="Screen C", layout=grid(8, 15)),
    ]
    premiere_hall = services.screen_save(screen=Screen(), name="Premiere Hall", layout=grid(50, 100))
    films = Movie.objects.bulk_create(
        Movie(title=f"Film {n:03}", description=f"Benchmark film number {n}.", duration_minutes=rng.randint(80, 150))
        for n in range(movies)
    )
    # bulk_create skips User.save(), which keeps username_key: set it here.
    people = User.objects.bulk_create(
        # With an address, as customers have: every sale writes its confirmation e-mail to the outbox.
        User(username=f"bench{n:03}", username_key=f"bench{n:03}", email=f"bench{n:03}@example.com", password="!")
        for n in range(users)
    )
    first_day = timezone.localdate() + timedelta(days=1)
    slots = [
        (screen, timezone.make_aware(datetime.combine(first_day + timedelta(days=day), slot)))
        for day in range(shows // (len(screens) * len(SLOTS)) + 1)
        for slot in SLOTS
        for screen in screens
    ][:shows]
    programme = Show.objects.bulk_create(
        Show(movie=rng.choice(films), screen=screen, date_time=when, price=Decimal("11.50")) for screen, when in slots
    )
    premiere = Show.objects.create(
        movie=films[0], screen=premiere_hall, date_time=slots[0][1] + timedelta(hours=1), price=Decimal("15.00")
    )
    # Empty 5,000-seat shows, one a day, for bookings that all queue on one show's lock.
    hot = Show.objects.bulk_create(
        Show(
            movie=films[1],
            screen=premiere_hall,
            date_time=premiere.date_time + timedelta(days=day),
            price=Decimal("15.00"),
        )
        for day in range(1, 1 + hot_shows)
    )
    # An empty 5,000-seat show where parties ask for the best seats available.
    party = Show.objects.create(
        movie=films[2],
        screen=premiere_hall,
        date_time=premiere.date_time + timedelta(days=hot_shows + 1),
        price=Decimal("15.00"),
    )
    rows, per_show = [], bookings // len(programme)
    for show in programme:
        capacity = show.screen.capacity
        plan = show.screen.plan
        for number in rng.sample(range(1, capacity + 1), min(per_show, capacity)):
            rows.append(
                Booking(
                    user=rng.choice(people),
                    show=show,
                    seat_number=number,
                    seat_label=plan.label_of(number),
                    price=show.price,
                    currency=settings.CURRENCY,
                )
            )
    # A show of the smallest screen sold out, which customers wait for (the
    # waiting_list scenario): its seats the sample above left, taken too, so
    # the random draws of every other show stay as they were.
    sold_out = next(show for show in programme if show.screen_id == screens[2].pk)
    plan = sold_out.screen.plan
    taken = {row.seat_number for row in rows if row.show is sold_out}
    rows += [
        Booking(
            user=people[0],
            show=sold_out,
            seat_number=number,
            seat_label=plan.label_of(number),
            price=sold_out.price,
            currency=settings.CURRENCY,
        )
        for number in range(1, sold_out.screen.capacity + 1)
        if number not in taken
    ]
    Booking.objects.bulk_create(rows, batch_size=5000)
    _ticket_types_and_a_code(screens)
    seat_show = next(show for show in programme if show.screen_id == screens[0].pk)
    return {
        "users": [user.pk for user in people],
        "shows": [show.pk for show in programme],
        "premiere_show": premiere.pk,
        "hot_shows": [show.pk for show in hot],
        "party_show": party.pk,
        "sold_out_show": sold_out.pk,
        "seat_map_show": seat_show.pk,
        "busy_date": str(first_day + timedelta(days=3)),
        "counts": {
            "movies": len(films),
            "screens": len(screens) + 1,
            "shows": len(programme) + 1 + len(hot) + 1,
            "users": len(people),
            "bookings": len(rows),
        },
    }
