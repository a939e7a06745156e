"""Every booked or held row names a seat of its show's current layout, whatever path wrote last."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from bookings import services as bookings_services
from bookings.exceptions import SeatsChanged
from bookings.models import Booking, Hold
from catalog import services as catalog_services
from catalog.exceptions import HasBookings
from catalog.layouts import rows_of
from catalog.models import Show
from catalog.tests.factories import make_screen, make_show
from conftest import client_for

pytestmark = pytest.mark.django_db


def assert_every_row_names_a_seat_of_its_layout():
    for row in Booking.objects.filter(status__in=Booking.OCCUPYING).select_related("show__screen"):
        seat = row.show.screen.plan.seat(row.seat_number)
        assert seat is not None, f"{row.status} row {row.pk} names seat {row.seat_number}, which {row.show} lacks"
        assert seat.label == row.seat_label, f"row {row.pk} says {row.seat_label}, the layout says {seat.label}"


@pytest.fixture
def held(user, movie):
    """Seats J5 and J6 (95, 96) held in a 200-seat show."""
    show = make_show(movie, total_seats=200)
    response = client_for(user).post(f"/shows/{show.id}/holds/", {"seat_labels": ["J5", "J6"]}, format="json")
    assert response.status_code == 201
    return show


def test_moving_a_show_with_held_seats_to_a_smaller_screen_is_409_naming_them(staff_client, held):
    small = make_screen(10)

    response = staff_client.patch(f"/shows/{held.id}/", {"screen": small.id}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "has_bookings"
    assert [(s["seat_label"], s["status"]) for s in body["seats"]] == [("J5", "held"), ("J6", "held")]
    assert "J5 (held)" in body["detail"]
    assert Show.objects.get(pk=held.pk).screen_id == held.screen_id
    assert_every_row_names_a_seat_of_its_layout()


def test_moving_a_show_with_held_seats_to_another_time_is_409(staff_client, held):
    later = held.date_time + timedelta(days=2)
    response = staff_client.patch(f"/shows/{held.id}/", {"date_time": later.isoformat()}, format="json")

    assert response.status_code == 409
    assert Show.objects.get(pk=held.pk).date_time == held.date_time


def test_changing_the_layout_under_held_seats_is_409(staff_client, held):
    response = staff_client.patch(f"/screens/{held.screen_id}/", {"layout": rows_of(4)}, format="json")

    assert response.status_code == 409
    assert [s["seat_label"] for s in response.json()["seats"]] == ["J5", "J6"]
    assert held.screen.__class__.objects.get(pk=held.screen_id).capacity == 200
    assert_every_row_names_a_seat_of_its_layout()


def test_the_services_refuse_too(held):
    with pytest.raises(HasBookings):
        catalog_services.show_update(show=held, screen=make_screen(10))
    with pytest.raises(HasBookings):
        catalog_services.screen_save(screen=held.screen, name=held.screen.name, layout=rows_of(4))
    assert_every_row_names_a_seat_of_its_layout()


def test_the_admin_refuses_with_a_form_error(admin_client_factory, staff_user, held):
    admin = admin_client_factory(staff_user)
    small = make_screen(10)

    show_page = admin.post(
        f"/admin/catalog/show/{held.pk}/change/",
        {
            "movie": held.movie_id,
            "screen": small.pk,
            "date_time_0": held.date_time.strftime("%Y-%m-%d"),
            "date_time_1": held.date_time.strftime("%H:%M:%S"),
            "price": "10.00",
            "tier_prices": "{}",
        },
    )
    screen_page = admin.post(
        f"/admin/catalog/screen/{held.screen_id}/change/",
        {"name": held.screen.name, "layout": '[{"row": "A", "seats": 4}]'},
    )

    assert show_page.status_code == 200
    assert "J5 (held)" in show_page.content.decode()
    assert screen_page.status_code == 200
    assert "J5 (held)" in screen_page.content.decode()
    assert_every_row_names_a_seat_of_its_layout()


def hold_before(monkeypatch, module, name: str, user, show) -> None:
    """Make ``module.name`` take a hold on seat J5 just before it runs: a customer
    winning the race between the admin form's checks and its save."""
    save = getattr(module, name)

    def hold_then_save(*args, **kwargs):
        bookings_services.hold_create(user=user, show_id=show.pk, seat_labels=["J5"])
        return save(*args, **kwargs)

    monkeypatch.setattr(module, name, hold_then_save)


def test_a_hold_taken_between_the_admin_forms_checks_and_its_save_is_a_form_error(
    admin_client_factory, staff_user, user, movie, monkeypatch
):
    from catalog import admin as catalog_admin

    show = make_show(movie, total_seats=200)
    admin = admin_client_factory(staff_user)
    admin.raise_request_exception = False
    small = make_screen(10)
    hold_before(monkeypatch, catalog_admin, "save_show", user, show)
    form = {
        "movie": show.movie_id,
        "screen": small.pk,
        "date_time_0": show.date_time.strftime("%Y-%m-%d"),
        "date_time_1": show.date_time.strftime("%H:%M:%S"),
        "price": "10.00",
    }

    page = admin.post(f"/admin/catalog/show/{show.pk}/change/", form)

    assert page.status_code == 200
    html = page.content.decode()
    assert "J5 (held)" in html
    assert f'<option value="{small.pk}" selected>' in html  # the staff member's input, shown again
    assert Show.objects.get(pk=show.pk).screen_id == show.screen_id
    assert not Hold.objects.exists()  # the admin's transaction rolled back, the race's hold with it
    assert_every_row_names_a_seat_of_its_layout()


def test_a_hold_taken_before_a_layout_is_saved_in_the_admin_is_a_form_error(
    admin_client_factory, staff_user, user, movie, monkeypatch
):
    show = make_show(movie, total_seats=200)
    admin = admin_client_factory(staff_user)
    admin.raise_request_exception = False
    hold_before(monkeypatch, catalog_services, "screen_save", user, show)

    page = admin.post(
        f"/admin/catalog/screen/{show.screen_id}/change/",
        {"name": show.screen.name, "layout": '[{"row": "A", "seats": 4}]'},
    )

    assert page.status_code == 200
    assert "J5 (held)" in page.content.decode()
    show.screen.refresh_from_db()
    assert show.screen.capacity == 200
    assert_every_row_names_a_seat_of_its_layout()


def test_a_lapsed_hold_whose_seats_are_gone_is_409_on_confirm_never_a_ghost_booking(user, staff_client, held, clock):
    hold = Hold.objects.get()
    clock.advance(minutes=30)
    call_command("expire_holds")  # its rows go: the layout may change now
    assert staff_client.patch(f"/screens/{held.screen_id}/", {"layout": rows_of(4)}, format="json").status_code == 200

    response = client_for(user).post(f"/holds/{hold.pk}/confirm/")

    assert response.status_code == 409
    assert response.json()["code"] == "seats_changed"
    assert response.json()["seat_labels"] == ["J5", "J6"]
    assert not Booking.objects.filter(status=Booking.Status.BOOKED).exists()
    assert_every_row_names_a_seat_of_its_layout()


def test_a_lapsed_hold_on_a_renumbered_layout_is_409_on_confirm(user, held, clock):
    hold = Hold.objects.get()
    clock.advance(minutes=30)
    call_command("expire_holds")
    # Same capacity, other rows: seat 95 is no longer J5.
    catalog_services.screen_save(screen=held.screen, name=held.screen.name, layout=rows_of(200, per_row=25))

    with pytest.raises(SeatsChanged):
        bookings_services.hold_confirm(hold_id=hold.pk, user=user)
    assert_every_row_names_a_seat_of_its_layout()


def test_a_hold_confirmed_on_an_unchanged_show_books_its_seats(user, held):
    assert client_for(user).post(f"/holds/{Hold.objects.get().pk}/confirm/").status_code == 201
    assert_every_row_names_a_seat_of_its_layout()
