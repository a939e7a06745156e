import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from catalog.models import Movie, Show

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_movies_and_a_week_of_shows_and_can_run_again(capsys):
    call_command("seed_demo")
    movies, shows = Movie.objects.count(), Show.objects.count()
    call_command("seed_demo")

    assert movies >= 8
    assert shows > 20
    assert (Movie.objects.count(), Show.objects.count()) == (movies, shows)
    assert "0 movies and 0 shows added" in capsys.readouterr().out
    assert all(movie.genres.exists() for movie in Movie.objects.all())


def test_seed_demo_makes_the_demo_accounts_with_debug_on(settings):
    settings.DEBUG = True

    call_command("seed_demo", users=True)

    assert User.objects.get(username="admin").is_staff
    assert User.objects.get(username="alice").check_password("cinema-demo-2026")


def test_seed_demo_refuses_demo_accounts_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only created with DEBUG on"):
        call_command("seed_demo", users=True)

    assert not User.objects.exists()
    assert not Movie.objects.exists()
