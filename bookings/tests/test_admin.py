from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from bookings.models import Booking
from bookings.tests.factories import make_booking
from catalog.models import Movie, Screen, Show
from catalog.tests.factories import at, make_movie, make_screen, make_show

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_client_factory, staff_user) -> Client:
    return admin_client_factory(staff_user)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/catalog/movie/",
        "/admin/catalog/movie/add/",
        "/admin/catalog/show/",
        "/admin/catalog/show/add/",
        "/admin/catalog/screen/",
        "/admin/catalog/screen/add/",
        "/admin/catalog/genre/",
        "/admin/bookings/booking/",
        "/admin/bookings/booking/?q=Metropolis",
        "/admin/catalog/show/?q=Metropolis",
        "/admin/accounts/user/",
    ],
)
def test_admin_pages_load_for_staff(admin_client, show, user, url):
    make_booking(user=user, show=show, seat_number=1)

    assert admin_client.get(url).status_code == 200


def test_admin_change_pages_load(admin_client, show, user):
    booking = make_booking(user=user, show=show, seat_number=1)

    for url in [
        f"/admin/catalog/movie/{show.movie_id}/change/",
        f"/admin/catalog/show/{show.id}/change/",
        f"/admin/catalog/screen/{show.screen_id}/change/",
        f"/admin/bookings/booking/{booking.id}/change/",
    ]:
        assert admin_client.get(url).status_code == 200


def test_show_list_displays_booked_and_available_seats(admin_client, show, user):
    make_booking(user=user, show=show, seat_number=1)

    page = admin_client.get("/admin/catalog/show/").content.decode()

    assert '<td class="field-booked_seats">1</td>' in page
    assert '<td class="field-available_seats">49</td>' in page
    assert '<td class="field-occupancy">2.0%</td>' in page
    assert '<td class="field-revenue">10.00</td>' in page


def test_the_show_list_drills_down_by_year_and_month(admin_client, movie):
    """The date hierarchy selects and orders by a date truncated with parameters,
    which server-side binding on PostgreSQL must still run (docs/performance.md, step 23)."""
    later = timezone.now() + timedelta(days=400)
    for days in (1, 40, 400, 800):
        make_show(movie, date_time=timezone.now() + timedelta(days=days))

    years = admin_client.get("/admin/catalog/show/").content.decode()
    months = admin_client.get(f"/admin/catalog/show/?date_time__year={later.year}").content.decode()
    days = admin_client.get(f"/admin/catalog/show/?date_time__year={later.year}&date_time__month={later.month}")

    assert years.count("?date_time__year=") == 4
    assert f"date_time__month={later.month}" in months
    assert days.status_code == 200


def inline_show(index: int, screen, day: str, time: str, price: str) -> dict:
    return {
        f"shows-{index}-screen": str(screen.id),
        f"shows-{index}-date_time_0": day,
        f"shows-{index}-date_time_1": time,
        f"shows-{index}-price": price,
        f"shows-{index}-tier_prices": "{}",
    }


MOVIE_FORM = {"title": "Sunrise", "description": "A song of two humans.", "duration_minutes": "94"}


def test_staff_add_a_movie_with_two_shows_inline(admin_client, api_client):
    screen = make_screen(60)
    form = {
        **MOVIE_FORM,
        "shows-TOTAL_FORMS": "2",
        "shows-INITIAL_FORMS": "0",
        **inline_show(0, screen, "2099-05-01", "18:00:00", "9.50"),
        **inline_show(1, screen, "2099-05-01", "20:00:00", "12.00"),
    }

    response = admin_client.post("/admin/catalog/movie/add/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    movie = Movie.objects.get(title="Sunrise")
    assert sorted(movie.shows.values_list("price", flat=True)) == [Decimal("9.50"), Decimal("12.00")]
    listed = api_client.get(f"/movies/{movie.id}/shows/").json()
    assert listed["count"] == 2
    assert api_client.get("/movies/", {"search": "Sunrise"}).json()["count"] == 1


def test_admin_inline_refuses_overlapping_shows_and_saves_nothing(admin_client):
    screen = make_screen(60)
    form = {
        **MOVIE_FORM,
        "shows-TOTAL_FORMS": "2",
        "shows-INITIAL_FORMS": "0",
        **inline_show(0, screen, "2099-05-01", "18:00:00", "9.50"),
        # 94 minutes + 15 of cleaning: 19:49 is one minute too early
        **inline_show(1, screen, "2099-05-01", "19:49:00", "9.50"),
    }
    make_show(make_movie(title="Earlier"), screen=screen, date_time=at("2099-05-01", 18, 0))

    response = admin_client.post("/admin/catalog/movie/add/", form)

    assert response.status_code == 200
    assert "is taken: show" in response.content.decode()
    assert not Movie.objects.filter(title="Sunrise").exists()


def show_form(show, **changes) -> dict:
    local = timezone.localtime(changes.pop("date_time", show.date_time))
    return {
        "movie": show.movie_id,
        "screen": show.screen_id,
        "date_time_0": local.strftime("%Y-%m-%d"),
        "date_time_1": local.strftime("%H:%M:%S"),
        "price": "10.00",
        "tier_prices": "{}",
        **changes,
    }


def test_admin_refuses_to_move_a_show_with_booked_seats(admin_client, show, user):
    make_booking(user=user, show=show, seat_number=30)

    response = admin_client.post(
        f"/admin/catalog/show/{show.id}/change/",
        show_form(show, date_time=show.date_time + timedelta(hours=3)),
    )

    assert response.status_code == 200
    assert "cancel the bookings and wait for the holds to end before moving it" in response.content.decode()
    assert Show.objects.get().date_time == show.date_time


def test_admin_changes_a_price_through_the_service(admin_client, show):
    response = admin_client.post(f"/admin/catalog/show/{show.id}/change/", {**show_form(show), "price": "11.25"})

    assert response.status_code == 302
    assert Show.objects.get().price == Decimal("11.25")


def test_admin_adds_a_screen_from_a_layout(admin_client):
    layout = '[{"row": "A", "seats": 8, "blocked": [1]}, {"row": "B", "seats": 8, "tier": "premium"}]'

    response = admin_client.post("/admin/catalog/screen/add/", {"name": "Studio", "layout": layout})

    assert response.status_code == 302
    assert Screen.objects.get(name="Studio").capacity == 15


def test_admin_refuses_a_bad_layout(admin_client):
    response = admin_client.post("/admin/catalog/screen/add/", {"name": "Studio", "layout": '[{"row": "a"}]'})

    assert response.status_code == 200
    assert "capital letters" in response.content.decode()
    assert not Screen.objects.exists()


def test_admin_cancel_action_frees_the_seat(admin_client, api_client, show, user):
    booking = make_booking(user=user, show=show, seat_number=3)

    response = admin_client.post(
        "/admin/bookings/booking/", {"action": "cancel_bookings", "_selected_action": [booking.id]}
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert 3 in api_client.get(f"/shows/{show.id}/seats/").json()["available"]


def test_admin_cancel_action_reports_bookings_it_could_not_cancel(admin_client, show, user):
    booking = make_booking(user=user, show=show, seat_number=3, status="cancelled")

    response = admin_client.post(
        "/admin/bookings/booking/", {"action": "cancel_bookings", "_selected_action": [booking.id]}, follow=True
    )

    assert "already cancelled" in response.content.decode()


def test_customers_cannot_open_the_admin(user):
    client = Client()
    client.force_login(user)

    assert client.get("/admin/").status_code == 302


def test_staff_block_seats_of_a_show_in_the_admin_and_release_them(admin_client, show, user):
    page = admin_client.get("/admin/bookings/booking/")
    assert b"Block seats of a show" in page.content

    blocked = admin_client.post(
        "/admin/bookings/booking/block/", {"show": show.pk, "seats": "a1, A2", "reason": "house seats"}, follow=True
    )

    assert b"Blocked A1, A2" in blocked.content
    assert sorted(Booking.objects.filter(status="blocked").values_list("seat_label", "block_reason")) == [
        ("A1", "house seats"),
        ("A2", "house seats"),
    ]
    make_booking(user=user, show=show, seat_number=3)
    taken = admin_client.post("/admin/bookings/booking/block/", {"show": show.pk, "seats": "A3", "reason": "x"})
    assert b"already booked" in taken.content
    bad = admin_client.post("/admin/bookings/booking/block/", {"show": show.pk, "seats": "7F", "reason": "x"})
    assert b"Name seats by their labels" in bad.content

    ids = list(Booking.objects.values_list("pk", flat=True))
    admin_client.post("/admin/bookings/booking/", {"action": "release_blocked_seats", "_selected_action": ids})

    assert list(Booking.objects.values_list("status", flat=True)) == ["booked"]
