"""Cinema staff at work in the admin: a movie with two shows, then a cancellation."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking
from bookings.tests.factories import make_booking
from catalog.models import Movie
from catalog.tests.factories import make_movie, make_screen, make_show
from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff_page(page, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    page.goto("/admin/login/")
    page.fill("#id_username", staff_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.locator("#site-name").wait_for()
    return page


def test_staff_add_a_movie_with_two_shows_and_customers_see_them(staff_page, screenshot):
    page = staff_page
    screen = make_screen(120, name="Screen 1")
    for title, minutes, released, language, certificate in [
        ("Metropolis", 153, date(1927, 1, 10), "German", "PG"),
        ("The Last Projectionist", 112, date(2026, 9, 18), "English", "PG"),
        ("Orbit of Ash", 138, date(2026, 10, 30), "English", "12A"),
    ]:
        make_movie(
            title=title, duration_minutes=minutes, release_date=released, language=language, certificate=certificate
        )
    day = (timezone.localdate() + timedelta(days=3)).isoformat()

    page.goto("/admin/catalog/movie/add/")
    page.fill("#id_title", "Sunrise")
    page.fill("#id_description", "A song of two humans.")
    page.fill("#id_duration_minutes", "94")
    page.fill("#id_release_date", "2026-11-20")
    page.fill("#id_language", "English")
    page.fill("#id_certificate", "U")
    page.click(".inline-group .add-row a")  # a second show row
    for row, (time, price) in enumerate([("18:00:00", "9.50"), ("20:30:00", "12.00")]):
        page.select_option(f"#id_shows-{row}-screen", str(screen.id))
        page.fill(f"#id_shows-{row}-date_time_0", day)
        page.fill(f"#id_shows-{row}-date_time_1", time)
        page.fill(f"#id_shows-{row}-price", price)
    page.click("input[name=_save]")
    page.locator(".messagelist .success").wait_for()
    screenshot(page, "admin-movie-list")

    movie = Movie.objects.get(title="Sunrise")
    listed = page.request.get("/movies/?search=Sunrise").json()
    shows = page.request.get(f"/movies/{movie.id}/shows/").json()
    assert [m["id"] for m in listed["results"]] == [movie.id]
    assert [(s["screen_name"], s["price"]) for s in shows["results"]] == [("Screen 1", "9.50"), ("Screen 1", "12.00")]

    page.goto(f"/admin/catalog/show/{shows['results'][0]['id']}/change/")
    page.locator("#show_form").wait_for()
    screenshot(page, "admin-show-change")


def test_staff_cancel_a_booking_with_the_admin_action_and_the_seat_is_free_again(staff_page, staff_user, user, show):
    page = staff_page
    booking = make_booking(user=user, show=show, seat_number=7)
    assert 7 in page.request.get(f"/shows/{show.id}/seats/").json()["booked"]

    page.goto("/admin/bookings/booking/")
    page.check(f"input[name=_selected_action][value='{booking.id}']")
    page.select_option("select[name=action]", "cancel_bookings")
    page.click("button[name=index]")
    page.locator(".messagelist .success").wait_for()

    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == (Booking.Status.CANCELLED, staff_user)
    seats = page.request.get(f"/shows/{show.id}/seats/").json()
    assert 7 in seats["available"]
    assert 7 not in seats["booked"]


@pytest.fixture
def show(movie):
    return make_show(movie, starts_in=timedelta(days=2))
