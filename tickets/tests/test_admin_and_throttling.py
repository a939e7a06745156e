import pytest
from django.core.cache import cache
from django.test import Client

from bookings.tests.factories import make_booking
from tickets.models import CheckIn

from .conftest import scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_client_factory, staff_user) -> Client:
    return admin_client_factory(staff_user)


def action(client: Client, url: str, name: str, ids: list[int]):
    return client.post(url, {"action": name, "_selected_action": ids}, follow=True)


def test_staff_check_a_ticket_in_and_undo_it_from_the_bookings_admin(admin_client, staff_user, ticket):
    page = action(admin_client, "/admin/bookings/booking/", "check_in", [ticket.pk])

    assert "Checked in 1 ticket(s)." in page.content.decode()
    check_in = CheckIn.objects.get()
    assert (check_in.by, check_in.device, check_in.ended_at) == (staff_user, "admin", None)

    page = action(admin_client, "/admin/bookings/booking/", "undo_check_in", [ticket.pk])

    assert "Undid the check-in of 1 ticket(s)." in page.content.decode()
    check_in.refresh_from_db()
    assert (check_in.end_reason, check_in.ended_by) == ("undone", staff_user)


def test_the_admin_reports_what_the_door_refuses(admin_client, user, ticket):
    scan_twice = action(admin_client, "/admin/bookings/booking/", "check_in", [ticket.pk, ticket.pk])
    action(admin_client, "/admin/bookings/booking/", "check_in", [ticket.pk])

    page = action(admin_client, "/admin/bookings/booking/", "check_in", [ticket.pk])

    assert scan_twice.status_code == 200
    assert f"Ticket {ticket.pk}: This ticket was already checked in" in page.content.decode()
    assert CheckIn.objects.count() == 1


def test_the_bookings_admin_shows_and_filters_by_check_in(admin_client, door_client, user, ticket):
    other = make_booking(user=user, show=ticket.show, seat_number=8)
    scan(door_client, ticket.code)

    checked_in = admin_client.get("/admin/bookings/booking/?checked_in=yes").context["cl"].result_list
    not_yet = admin_client.get("/admin/bookings/booking/?checked_in=no").context["cl"].result_list

    assert [b.pk for b in checked_in] == [ticket.pk]
    assert [b.pk for b in not_yet] == [other.pk]
    assert "checked in" in admin_client.get("/admin/bookings/booking/").content.decode()
    assert admin_client.get(f"/admin/bookings/booking/{ticket.pk}/change/").status_code == 200


def test_a_shows_page_shows_its_check_in_progress(admin_client, door_client, user, ticket):
    make_booking(user=user, show=ticket.show, seat_number=8)
    scan(door_client, ticket.code)

    page = admin_client.get(f"/admin/catalog/show/{ticket.show_id}/change/").content.decode()

    assert "1 of 2 sold tickets checked in (50%), 1 to come" in page
    assert admin_client.get("/admin/catalog/show/add/").status_code == 200


def test_check_ins_are_listed_and_undone_from_their_admin(admin_client, door_client, ticket):
    check_in = scan(door_client, ticket.code).json()

    assert admin_client.get("/admin/tickets/checkin/").status_code == 200
    assert admin_client.get(f"/admin/tickets/checkin/{check_in['id']}/change/").status_code == 200
    page = action(admin_client, "/admin/tickets/checkin/", "undo", [check_in["id"]])

    assert "Undid the check-in of 1 ticket(s)." in page.content.decode()
    assert CheckIn.objects.get().end_reason == "undone"


def test_scans_are_limited_per_device_and_per_account(settings, door_client, ticket):
    settings.THROTTLING = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "check_ins": "3/minute", "check_ins_account": "5/minute"}
    cache.clear()
    for _ in range(3):
        assert scan(door_client, "WRONG-CODE", device="door-1").status_code == 404

    limited = scan(door_client, "WRONG-CODE", device="door-1")

    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert scan(door_client, "WRONG-CODE", device="door-2").status_code == 404  # the account's fifth
    assert scan(door_client, "WRONG-CODE", device="door-3").status_code == 429  # a new device, but the sixth
    cache.clear()


def test_the_admins_cancel_action_refuses_a_used_ticket(admin_client, door_client, ticket):
    scan(door_client, ticket.code)

    page = action(admin_client, "/admin/bookings/booking/", "cancel_bookings", [ticket.pk])

    assert "it can no longer be cancelled" in page.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "booked"
