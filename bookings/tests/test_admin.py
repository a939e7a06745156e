import pytest
from django.test import Client

from bookings.models import Booking
from catalog.models import Movie, Show

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(staff_user) -> Client:
    staff_user.is_superuser = True
    staff_user.save()
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/catalog/movie/",
        "/admin/catalog/movie/add/",
        "/admin/catalog/show/",
        "/admin/catalog/show/add/",
        "/admin/bookings/booking/",
        "/admin/accounts/user/",
    ],
)
def test_admin_pages_load_for_staff(admin_client, show, user, url):
    Booking.objects.create(user=user, show=show, seat_number=1)

    assert admin_client.get(url).status_code == 200


def test_admin_change_pages_load(admin_client, show, user):
    booking = Booking.objects.create(user=user, show=show, seat_number=1)

    for url in [
        f"/admin/catalog/movie/{show.movie_id}/change/",
        f"/admin/catalog/show/{show.id}/change/",
        f"/admin/bookings/booking/{booking.id}/change/",
    ]:
        assert admin_client.get(url).status_code == 200


def test_show_list_displays_booked_and_available_seats(admin_client, show, user):
    Booking.objects.create(user=user, show=show, seat_number=1)

    page = admin_client.get("/admin/catalog/show/").content.decode()

    assert '<td class="field-booked_seats">1</td>' in page
    assert '<td class="field-available_seats">49</td>' in page


def test_staff_add_a_movie_with_two_shows_inline(admin_client, api_client):
    form = {
        "title": "Sunrise",
        "description": "A song of two humans.",
        "duration_minutes": "94",
        "shows-TOTAL_FORMS": "2",
        "shows-INITIAL_FORMS": "0",
        "shows-0-screen_name": "Screen 1",
        "shows-0-date_time_0": "2099-05-01",
        "shows-0-date_time_1": "18:00:00",
        "shows-0-total_seats": "60",
        "shows-1-screen_name": "Screen 2",
        "shows-1-date_time_0": "2099-05-01",
        "shows-1-date_time_1": "21:00:00",
        "shows-1-total_seats": "40",
    }

    response = admin_client.post("/admin/catalog/movie/add/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    movie = Movie.objects.get(title="Sunrise")
    assert sorted(movie.shows.values_list("total_seats", flat=True)) == [40, 60]
    listed = api_client.get(f"/movies/{movie.id}/shows/").json()
    assert listed["count"] == 2


def test_admin_refuses_to_shrink_a_show_below_a_booked_seat(admin_client, show, user):
    Booking.objects.create(user=user, show=show, seat_number=30)
    local = show.date_time.astimezone()
    form = {
        "movie": show.movie_id,
        "screen_name": show.screen_name,
        "date_time_0": local.strftime("%Y-%m-%d"),
        "date_time_1": local.strftime("%H:%M:%S"),
        "total_seats": "20",
    }

    response = admin_client.post(f"/admin/catalog/show/{show.id}/change/", form)

    assert response.status_code == 200
    assert "Seat 30 is booked" in response.content.decode()
    assert Show.objects.get().total_seats == 50


def test_admin_cancel_action_frees_the_seat(admin_client, api_client, show, user):
    booking = Booking.objects.create(user=user, show=show, seat_number=3)

    response = admin_client.post(
        "/admin/bookings/booking/", {"action": "cancel_bookings", "_selected_action": [booking.id]}
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert 3 in api_client.get(f"/shows/{show.id}/seats/").json()["available"]


def test_admin_cancel_action_reports_bookings_it_could_not_cancel(admin_client, show, user):
    booking = Booking.objects.create(user=user, show=show, seat_number=3, status="cancelled")

    response = admin_client.post(
        "/admin/bookings/booking/", {"action": "cancel_bookings", "_selected_action": [booking.id]}, follow=True
    )

    assert "already cancelled" in response.content.decode()


def test_customers_cannot_open_the_admin(user):
    client = Client()
    client.force_login(user)

    assert client.get("/admin/").status_code == 302
