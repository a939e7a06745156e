"""Demo programme for local use: a few movies with shows over the coming week.

Idempotent: movies are matched by title and shows by (movie, screen, start),
so running it again adds nothing, and running it on a later day only tops the
programme up to a week ahead.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from catalog.models import Movie, Show

MOVIES = [
    {
        "title": "The Last Projectionist",
        "description": "A small-town cinema fights to keep its 35mm projector running for one final night.",
        "duration_minutes": 112,
        "release_date": date(2026, 9, 18),
        "language": "English",
        "certificate": "PG",
    },
    {
        "title": "Orbit of Ash",
        "description": "Stranded on a failing station, a crew of four must choose who goes home.",
        "duration_minutes": 138,
        "release_date": date(2026, 10, 30),
        "language": "English",
        "certificate": "12A",
    },
    {
        "title": "La Cuisine du Dimanche",
        "description": "Three generations, one kitchen and a recipe nobody wrote down.",
        "duration_minutes": 97,
        "release_date": date(2026, 8, 7),
        "language": "French",
        "certificate": "U",
    },
    {
        "title": "Night Shift at Platform 9",
        "description": "A railway guard and a runaway spend the longest night of the year on a closed station.",
        "duration_minutes": 104,
        "release_date": date(2026, 11, 13),
        "language": "English",
        "certificate": "15",
    },
]

# (screen, seats, start times); each movie plays on one screen at these times.
SCREENS = [("Screen 1", 120, [time(14, 0), time(20, 30)]), ("Screen 2", 80, [time(17, 0), time(21, 0)])]
DAYS_AHEAD = 7
DEMO_USERS = [("alice", "alice@example.com", False), ("admin", "admin@example.com", True)]
DEMO_PASSWORD = "cinema-demo-2026"


class Command(BaseCommand):
    help = "Load demo movies and a week of shows (safe to run again). With --users, demo accounts too."

    def add_arguments(self, parser):
        parser.add_argument(
            "--users",
            action="store_true",
            help=f"Also create the demo accounts alice and admin (password {DEMO_PASSWORD!r}); DEBUG only.",
        )

    def handle(self, *args, users: bool = False, **options):
        if users and not settings.DEBUG:
            raise CommandError("Demo accounts have a published password; they are only created with DEBUG on.")
        today = timezone.localdate()
        tz = timezone.get_current_timezone()
        created_movies = created_shows = 0
        for index, fields in enumerate(MOVIES):
            movie, created = Movie.objects.get_or_create(title=fields["title"], defaults=fields)
            created_movies += created
            screen, seats, times = SCREENS[index % len(SCREENS)]
            # Movies sharing a screen take turns: alternate days.
            for day in range(index // len(SCREENS), DAYS_AHEAD + 1, 2):
                for start in times:
                    when = datetime.combine(today + timedelta(days=day), start, tzinfo=tz)
                    if when <= timezone.now():
                        continue
                    _, created = Show.objects.get_or_create(
                        movie=movie, screen_name=screen, date_time=when, defaults={"total_seats": seats}
                    )
                    created_shows += created
        if users:
            for username, email, staff in DEMO_USERS:
                user, created = get_user_model().objects.get_or_create(
                    username=username, defaults={"email": email, "is_staff": staff, "is_superuser": staff}
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save()
        self.stdout.write(f"Demo data ready: {created_movies} movies and {created_shows} shows added.")
