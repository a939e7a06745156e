"""The written-out show query of the booking path: the same objects as the ORM's."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Show
from catalog.queries import show_with_movie_and_screen
from catalog.tests.factories import make_show

pytestmark = pytest.mark.django_db


def test_the_show_comes_with_its_whole_movie_and_screen_in_one_query():
    made = make_show(total_seats=30, tier_prices={"premium": "14.50"})
    expected = Show.objects.select_related("movie", "screen").get(pk=made.pk)

    with CaptureQueriesContext(connection) as ctx:
        show = show_with_movie_and_screen(made.pk)
        assert show is not None
        seen = (show.date_time, show.price, show.tier_prices, show.movie.title, show.screen.name, show.screen.capacity)
        layout = show.screen.layout
        # Every field of the movie and the screen is there: none costs a query under the show's lock.
        assert show.movie.duration_minutes == expected.movie.duration_minutes
        assert show.movie.get_deferred_fields() == show.screen.get_deferred_fields() == set()

    assert len(ctx.captured_queries) == 1
    assert seen == (
        expected.date_time,
        Decimal("10.00"),
        expected.tier_prices,
        expected.movie.title,
        expected.screen.name,
        30,
    )
    assert layout == expected.screen.layout
    assert show.screen.plan.capacity == 30


def test_an_unknown_show_is_none():
    assert show_with_movie_and_screen(987654) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_with_lock_the_show_row_is_locked_for_no_key_update():
    show = make_show()
    with CaptureQueriesContext(connection) as ctx:
        show_with_movie_and_screen(show.pk, lock=True)

    assert ctx.captured_queries[-1]["sql"].endswith("FOR NO KEY UPDATE OF s")
