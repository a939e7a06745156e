from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from catalog.layouts import rows_of
from catalog.models import Movie, Screen, Show

_screens = count(1)


def make_movie(**fields) -> Movie:
    fields.setdefault("title", "Metropolis")
    fields.setdefault("description", "A city of the future.")
    fields.setdefault("duration_minutes", 120)
    return Movie.objects.create(**fields)


def make_screen(total_seats: int = 50, *, layout: list[dict] | None = None, name: str | None = None) -> Screen:
    screen = Screen(name=name or f"Screen {next(_screens)}", layout=layout or rows_of(total_seats))
    screen.save()
    return screen


def make_show(
    movie: Movie | None = None,
    *,
    starts_in: timedelta = timedelta(days=1),
    total_seats: int = 50,
    screen: Screen | None = None,
    **fields,
) -> Show:
    """A show in a screen of its own (so shows never overlap) unless ``screen`` is given."""
    fields.setdefault("date_time", timezone.now() + starts_in)
    fields.setdefault("price", Decimal("10.00"))
    return Show.objects.create(movie=movie or make_movie(), screen=screen or make_screen(total_seats), **fields)


def later_today(after: timedelta = timedelta(hours=2)) -> datetime:
    """A time later today, or the day's last moment when ``after`` would cross midnight:
    pages that list a day's shows must find it whatever the clock says."""
    now = timezone.localtime()
    return min(now + after, timezone.make_aware(datetime.combine(now.date(), time.max)))


def at(day: str, hour: int = 20, minute: int = 0) -> datetime:
    """An aware datetime in the current time zone, e.g. at("2030-01-05")."""
    return timezone.make_aware(datetime.fromisoformat(day).replace(hour=hour, minute=minute))
