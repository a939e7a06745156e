from datetime import datetime, timedelta

from django.utils import timezone

from catalog.models import Movie, Show


def make_movie(**fields) -> Movie:
    fields.setdefault("title", "Metropolis")
    fields.setdefault("description", "A city of the future.")
    fields.setdefault("duration_minutes", 120)
    return Movie.objects.create(**fields)


def make_show(movie: Movie | None = None, *, starts_in: timedelta = timedelta(days=1), **fields) -> Show:
    fields.setdefault("screen_name", "Screen 1")
    fields.setdefault("total_seats", 50)
    fields.setdefault("date_time", timezone.now() + starts_in)
    return Show.objects.create(movie=movie or make_movie(), **fields)


def at(day: str, hour: int = 20) -> datetime:
    """An aware datetime in the current time zone, e.g. at("2030-01-05")."""
    return timezone.make_aware(datetime.fromisoformat(day).replace(hour=hour))
