"""Demo programme for local use: three screens, eight movies, a week of shows.

Idempotent: genres, movies and screens are matched by name, and a slot
(screen, start) that already has a show is left alone, so running it again
adds nothing, and running it on a later day only tops the programme up to a
week ahead. Shows go through the same scheduling service as the API.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.text import slugify

from catalog import services
from catalog.layouts import SeatPlan
from catalog.models import Genre, Movie, Screen, Show, TicketType

GENRES = ["Drama", "Comedy", "Science Fiction", "Thriller", "Family", "Documentary", "Romance", "Animation"]

MOVIES = [
    (
        "The Last Projectionist",
        112,
        ["Drama"],
        "English",
        "PG",
        date(2026, 9, 18),
        "A small-town cinema fights to keep its 35mm projector running for one final night.",
    ),
    (
        "Orbit of Ash",
        138,
        ["Science Fiction", "Thriller"],
        "English",
        "12A",
        date(2026, 10, 30),
        "Stranded on a failing station, a crew of four must choose who goes home.",
    ),
    (
        "La Cuisine du Dimanche",
        97,
        ["Comedy", "Drama"],
        "French",
        "U",
        date(2026, 8, 7),
        "Three generations, one kitchen and a recipe nobody wrote down.",
    ),
    (
        "Night Shift at Platform 9",
        104,
        ["Thriller"],
        "English",
        "15",
        date(2026, 11, 13),
        "A railway guard and a runaway spend the longest night of the year on a closed station.",
    ),
    (
        "Paper Lanterns",
        91,
        ["Animation", "Family"],
        "Japanese",
        "U",
        date(2026, 7, 24),
        "A girl folds a lantern for every wish her grandmother forgot.",
    ),
    (
        "Salt and Cedar",
        126,
        ["Romance", "Drama"],
        "English",
        "12A",
        date(2026, 10, 2),
        "Two boat builders, one harbour, and a summer that will not end.",
    ),
    (
        "The Bees of Hollow Farm",
        84,
        ["Documentary", "Family"],
        "English",
        "U",
        date(2026, 6, 12),
        "A year with the last beekeeper of a valley and her forty hives.",
    ),
    (
        "Quiet Frequency",
        118,
        ["Science Fiction"],
        "German",
        "15",
        date(2026, 11, 20),
        "A radio astronomer hears a signal that repeats her own voice.",
    ),
]

# name, layout, standard evening price, premium price
SCREENS = [
    (
        "Screen 1",
        # Row A: wheelchair spaces at the ends, each with a companion seat beside it.
        [{"row": "A", "seats": 16, "blocked": [1, 16], "wheelchair": [2, 15], "companion": [3, 14]}]
        + [{"row": row, "seats": 16} for row in "BCDEFGH"]
        + [{"row": row, "seats": 16, "tier": "premium"} for row in "IJ"],
        Decimal("12.50"),
        "15.50",
    ),
    (
        "Screen 2",
        [{"row": row, "seats": 12} for row in "ABCDEFG"] + [{"row": "H", "seats": 12, "tier": "premium"}],
        Decimal("11.00"),
        "14.00",
    ),
    ("Screen 3", [{"row": row, "seats": 10} for row in "ABCDEF"], Decimal("9.50"), None),
]
# Three hours apart: the longest demo movie plus cleaning fits in between.
SLOTS = [time(12, 30), time(15, 30), time(18, 30), time(21, 30)]
# Who tickets are for besides the default type (adult), and their prices as a share of it.
TICKET_TYPES = [
    ("child", "Child", "Under 14", 1),
    ("senior", "Senior", "65 and over: ID required", 2),
    ("student", "Student", "Student card required", 3),
]
CENT = Decimal("0.01")
TYPE_SHARES = {"child": Decimal("0.6"), "senior": Decimal("0.8"), "student": Decimal("0.8")}
MATINEE_DISCOUNT = Decimal("2.50")
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
        genres = {name: Genre.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0] for name in GENRES}
        movies, created_movies = [], 0
        for title, minutes, genre_names, language, certificate, released, description in MOVIES:
            movie = Movie.objects.filter(title=title).first()
            if movie is None:
                movie = services.movie_create(
                    title=title,
                    duration_minutes=minutes,
                    language=language,
                    certificate=certificate,
                    release_date=released,
                    description=description,
                    genres=[genres[name] for name in genre_names],
                )
                created_movies += 1
            movies.append(movie)
        created_shows = 0
        for code, type_name, note, position in TICKET_TYPES:
            TicketType.objects.get_or_create(
                code=code, defaults={"name": type_name, "note": note, "position": position}
            )
        for index, (name, layout, price, premium) in enumerate(SCREENS):
            screen = Screen.objects.filter(name=name).first() or services.screen_save(
                screen=Screen(),
                name=name,
                layout=layout,
                # The other types' prices, the same share off in every tier the screen has.
                ticket_prices={
                    code: {
                        tier: str((Decimal(premium or price if tier == "premium" else price) * share).quantize(CENT))
                        for tier in SeatPlan(layout).tiers
                    }
                    for code, share in TYPE_SHARES.items()
                },
            )
            for day in range(DAYS_AHEAD + 1):
                when_day = timezone.localdate() + timedelta(days=day)
                for slot_index, slot in enumerate(SLOTS):
                    when = timezone.make_aware(datetime.combine(when_day, slot))
                    if when <= timezone.now() or Show.objects.filter(screen=screen, date_time=when).exists():
                        continue
                    # The same film in the same slot whichever day the command runs.
                    movie = movies[(when_day.toordinal() + index * 3 + slot_index) % len(movies)]
                    matinee = slot < time(17, 0)
                    services.show_schedule(
                        movie=movie,
                        screen=screen,
                        date_time=when,
                        price=price - MATINEE_DISCOUNT if matinee else price,
                        tier_prices={"premium": premium} if premium and "premium" in screen.plan.tiers else {},
                    )
                    created_shows += 1
        if users:
            for username, email, staff in DEMO_USERS:
                user, created = get_user_model().objects.get_or_create(
                    username=username, defaults={"email": email, "is_staff": staff, "is_superuser": staff}
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save()
        self.stdout.write(f"Demo data ready: {created_movies} movies and {created_shows} shows added.")
