from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from bookings.codes import display_code
from bookings.models import Booking
from bookings.tests.factories import make_booking
from catalog.tests.factories import make_show
from conftest import client_for
from tickets import signing
from tickets.keys import b64, new_key, unb64
from tickets.models import CheckIn

from .conftest import scan

pytestmark = pytest.mark.django_db


parse = datetime.fromisoformat


def qr_of(booking: Booking) -> str:
    return signing.sign(signing.Claims(ticket=booking.pk, show=booking.show_id, seat=booking.seat_label))


def test_the_first_scan_checks_the_ticket_in(door_client, door_user, ticket):
    response = scan(door_client, qr_of(ticket), device="door-1")

    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("ticket", "seat_label", "show", "movie_title", "checked_in_by", "device")} == {
        "ticket": ticket.pk,
        "seat_label": ticket.seat_label,
        "show": ticket.show_id,
        "movie_title": ticket.show.movie.title,
        "checked_in_by": "dora",
        "device": "door-1",
    }
    check_in = CheckIn.objects.get()
    assert (check_in.booking_id, check_in.by, check_in.ended_at) == (ticket.pk, door_user, None)
    assert body["id"] == check_in.pk


def test_the_written_out_check_in_answer_is_what_the_declared_fields_give(door_client, ticket, settings):
    """CheckInSerializer writes its answer out for speed: it must be what DRF's walk over the
    declared fields (what the schema documents) gives, in any time zone."""
    from tickets.serializers import CheckInSerializer

    settings.TIME_ZONE = "America/New_York"
    body = scan(door_client, qr_of(ticket), device="door-1").json()
    check_in = CheckIn.objects.select_related("booking__show__movie", "by").get()
    serializer = CheckInSerializer(check_in)

    assert body == serializer.data == super(CheckInSerializer, serializer).to_representation(check_in)
    assert list(body) == CheckInSerializer.Meta.fields
    assert body["checked_in_at"].endswith("-05:00") or body["checked_in_at"].endswith("-04:00")


def test_a_typed_code_works_in_any_case_with_or_without_dashes(door_client, ticket):
    assert scan(door_client, display_code(ticket.code).lower()).status_code == 201


def test_a_typed_code_without_dashes_works(door_client, ticket):
    assert scan(door_client, ticket.code).status_code == 201


def test_a_second_scan_at_any_door_is_409_with_when_and_by_whom(door_client, door_user, ticket, staff_client):
    first = scan(door_client, qr_of(ticket), device="door-1").json()

    again = scan(staff_client, display_code(ticket.code), device="door-2")

    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "already_checked_in"
    assert (body["checked_in_at"], body["checked_in_by"], body["device"]) == (first["checked_in_at"], "dora", "door-1")
    assert body["check_in"] == first["id"]
    assert "dora" in body["detail"]
    assert CheckIn.objects.count() == 1


def test_a_cancelled_ticket_is_refused(auth_client, door_client, ticket):
    assert auth_client.post(f"/bookings/{ticket.pk}/cancel/").status_code == 200

    response = scan(door_client, qr_of(ticket))

    assert response.status_code == 409
    assert response.json()["code"] == "ticket_cancelled"
    assert not CheckIn.objects.exists()


def test_a_ticket_for_another_show_is_refused_by_a_scanner_bound_to_a_show(door_client, ticket, movie):
    other = make_show(movie, starts_in=timedelta(minutes=40))

    response = scan(door_client, qr_of(ticket), show=other.pk)

    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["ticket_show"], body["movie_title"]) == ("wrong_show", ticket.show_id, movie.title)
    assert not CheckIn.objects.exists()
    assert scan(door_client, qr_of(ticket), show=ticket.show_id).status_code == 201


@override_settings(CHECK_IN_OPENS_MINUTES=60)
def test_before_check_in_opens_a_ticket_is_refused(door_client, user, movie):
    early = make_booking(user=user, show=make_show(movie, starts_in=timedelta(minutes=90)), seat_number=1)

    response = scan(door_client, qr_of(early))

    assert response.status_code == 409
    assert response.json()["code"] == "too_early"
    assert "opens_at" in response.json()


def test_after_the_movie_ends_a_ticket_is_refused(door_client, user, movie):
    past = make_booking(user=user, show=make_show(movie, starts_in=timedelta(minutes=-121)), seat_number=1)

    response = scan(door_client, qr_of(past))

    assert response.status_code == 409
    assert response.json()["code"] == "show_over"


def test_a_late_arrival_during_the_movie_is_let_in(door_client, user, movie):
    running = make_booking(user=user, show=make_show(movie, starts_in=timedelta(minutes=-100)), seat_number=1)

    assert scan(door_client, qr_of(running)).status_code == 201


def test_an_unknown_code_is_a_404(door_client, ticket):
    other_code = ("2" if ticket.code[0] != "2" else "3") + ticket.code[1:]

    assert scan(door_client, other_code).status_code == 404
    assert scan(door_client, "hello").status_code == 404


def test_a_qr_code_for_a_ticket_that_does_not_exist_is_a_404(door_client, tonight):
    payload = signing.sign(signing.Claims(ticket=999_999, show=tonight.pk, seat="A1"))

    assert scan(door_client, payload).status_code == 404


def test_a_forged_qr_code_is_a_400(door_client, user, ticket):
    other = make_booking(user=user, show=ticket.show, seat_number=8)
    prefix, key_id, body, signature = qr_of(ticket).split(".")
    forged_body = b64(unb64(body).replace(str(ticket.pk).encode(), str(other.pk).encode()))

    response = scan(door_client, f"{prefix}.{key_id}.{forged_body}.{signature}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_ticket"
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": ""},
        {"code": 5},
        {"code": "x" * 513},
        {"code": "A", "show": "1"},
        {"code": "A", "show": 0},
        {"code": "A", "scanned_at": "yesterday"},
        {"code": "A", "device": "d" * 65},
    ],
)
def test_malformed_scans_are_400(door_client, body):
    assert door_client.post("/check-ins/", body, format="json").status_code == 400


def test_a_scan_from_the_future_is_refused(door_client, ticket):
    response = scan(door_client, ticket.code, scanned_at=(timezone.now() + timedelta(minutes=10)).isoformat())

    assert response.status_code == 400
    assert "scanned_at" in response.json()


# Offline scanners


def test_offline_scans_are_judged_at_their_scan_time(door_client, user, movie):
    over = make_booking(user=user, show=make_show(movie, starts_in=timedelta(minutes=-150)), seat_number=1)
    during = over.show.date_time + timedelta(minutes=10)

    response = scan(door_client, qr_of(over), scanned_at=during.isoformat(), device="door-3")

    assert response.status_code == 201
    assert CheckIn.objects.get().scanned_at == during


def test_of_two_offline_scans_the_earliest_wins_whatever_the_upload_order(door_client, user, movie):
    ticket = make_booking(user=user, show=make_show(movie, starts_in=timedelta(minutes=-20)), seat_number=1)
    start = ticket.show.date_time
    later, earlier = start - timedelta(minutes=5), start - timedelta(minutes=9)
    assert scan(door_client, ticket.code, scanned_at=later.isoformat(), device="door-1").status_code == 201

    response = scan(door_client, ticket.code, scanned_at=earlier.isoformat(), device="door-2")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "already_checked_in"
    assert (parse(body["checked_in_at"]), parse(body["scanned_at"])) == (earlier, later)
    assert body["device"] == "door-2"
    kept = CheckIn.objects.get(ended_at__isnull=True)
    assert (kept.scanned_at, kept.device) == (earlier, "door-2")
    replaced = CheckIn.objects.get(ended_at__isnull=False)
    assert (replaced.device, replaced.end_reason) == ("door-1", "earlier_scan")


def test_a_later_offline_scan_uploaded_second_is_409_with_both_times(door_client, user, movie):
    ticket = make_booking(user=user, show=make_show(movie, starts_in=timedelta(minutes=-20)), seat_number=1)
    start = ticket.show.date_time
    earlier, later = start - timedelta(minutes=9), start - timedelta(minutes=5)
    scan(door_client, ticket.code, scanned_at=earlier.isoformat(), device="door-1")

    body = scan(door_client, ticket.code, scanned_at=later.isoformat(), device="door-2").json()

    assert (body["code"], parse(body["checked_in_at"]), parse(body["scanned_at"])) == (
        "already_checked_in",
        earlier,
        later,
    )
    assert CheckIn.objects.count() == 1


# Undo


def test_door_staff_can_undo_a_check_in_for_a_few_minutes_and_the_ticket_works_again(
    door_client, door_user, ticket, clock
):
    check_in = scan(door_client, ticket.code).json()

    assert door_client.delete(f"/check-ins/{check_in['id']}/").status_code == 204

    undone = CheckIn.objects.get()
    assert (undone.end_reason, undone.ended_by) == ("undone", door_user)
    assert scan(door_client, ticket.code).status_code == 201


@override_settings(CHECK_IN_UNDO_MINUTES=5)
def test_door_staff_can_not_undo_later_but_staff_can(door_client, staff_client, ticket, clock):
    check_in = scan(door_client, ticket.code).json()
    clock.advance(minutes=6)

    refused = door_client.delete(f"/check-ins/{check_in['id']}/")

    assert refused.status_code == 403
    assert refused.json()["code"] == "undo_too_late"
    assert CheckIn.objects.get().ended_at is None
    assert staff_client.delete(f"/check-ins/{check_in['id']}/").status_code == 204


def test_undoing_twice_is_a_409_and_an_unknown_check_in_a_404(door_client, ticket):
    check_in = scan(door_client, ticket.code).json()
    door_client.delete(f"/check-ins/{check_in['id']}/")

    assert door_client.delete(f"/check-ins/{check_in['id']}/").status_code == 409
    assert door_client.delete("/check-ins/999999/").status_code == 404


def test_a_checked_in_booking_can_not_be_cancelled(auth_client, door_client, ticket):
    scan(door_client, ticket.code)

    response = auth_client.post(f"/bookings/{ticket.pk}/cancel/")

    assert response.status_code == 409
    assert response.json()["code"] == "checked_in"
    ticket.refresh_from_db()
    assert ticket.status == "booked"


def test_an_undone_check_in_lets_the_booking_be_cancelled(auth_client, door_client, ticket):
    check_in = scan(door_client, ticket.code).json()
    door_client.delete(f"/check-ins/{check_in['id']}/")

    assert auth_client.post(f"/bookings/{ticket.pk}/cancel/").status_code == 200


def test_the_ticket_shows_its_check_in(auth_client, door_client, ticket):
    check_in = scan(door_client, ticket.code).json()

    assert auth_client.get(f"/bookings/{ticket.pk}/ticket/").json()["checked_in_at"] == check_in["checked_in_at"]


# The role's limits


def test_customers_can_not_check_in_or_read_door_lists(auth_client, ticket):
    assert scan(auth_client, ticket.code).status_code == 403
    assert auth_client.get(f"/shows/{ticket.show_id}/check-in-list/").status_code == 403
    assert auth_client.get(f"/shows/{ticket.show_id}/check-ins/summary/").status_code == 403
    assert not CheckIn.objects.exists()


def test_the_door_needs_a_login(api_client, ticket):
    assert scan(api_client, ticket.code).status_code == 401
    assert api_client.get(f"/shows/{ticket.show_id}/check-in-list/").status_code == 401


def test_door_staff_can_not_use_the_staff_api_reports_or_others_bookings(door_client, ticket, movie):
    assert door_client.get("/reports/shows/").status_code == 403
    assert door_client.post("/movies/", {"title": "X", "duration_minutes": 90}, format="json").status_code == 403
    assert door_client.patch(f"/shows/{ticket.show_id}/", {"price": "1.00"}, format="json").status_code == 403
    assert door_client.get(f"/bookings/{ticket.pk}/").status_code == 404
    assert door_client.get(f"/bookings/{ticket.pk}/ticket/").status_code == 404
    assert door_client.post(f"/bookings/{ticket.pk}/cancel/").status_code == 404
    assert door_client.get(f"/purchases/{ticket.reference}/tickets/").status_code == 404


def test_door_staff_reach_only_the_admins_door_page(door_user):
    from django.test import Client

    client = Client()
    client.force_login(door_user)
    assert client.get("/admin/door/").status_code == 200
    for page in ("/admin/bookings/booking/", "/admin/catalog/show/", "/admin/accounts/user/", "/admin/programme/"):
        assert client.get(page).status_code in (302, 403), page


def test_the_permission_alone_makes_door_staff(user, ticket):
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="check_in", content_type__app_label="tickets"))

    assert scan(client_for(user), ticket.code).status_code == 201


# Check-in list and summary


def test_the_check_in_list_has_every_ticket_with_its_state(door_client, user, other_user, tonight):
    import hashlib

    sold = make_booking(user=user, show=tonight, seat_number=1)
    cancelled = make_booking(user=other_user, show=tonight, seat_number=2, status="cancelled")
    scan(door_client, sold.code)

    response = door_client.get(f"/shows/{tonight.pk}/check-in-list/")

    assert response.status_code == 200
    tickets = {t["ticket"]: t for t in response.json()["tickets"]}
    assert set(tickets) == {sold.pk, cancelled.pk}
    assert tickets[sold.pk]["checked_in_at"] is not None
    assert tickets[sold.pk]["code_sha256"] == hashlib.sha256(sold.code.encode()).hexdigest()
    assert (tickets[cancelled.pk]["status"], tickets[cancelled.pk]["checked_in_at"]) == ("cancelled", None)


def test_the_check_in_list_since_gives_only_what_changed(door_client, user, tonight, clock):
    first = make_booking(user=user, show=tonight, seat_number=1, changed_at=clock())
    second = make_booking(user=user, show=tonight, seat_number=2, changed_at=clock())
    clock.advance(minutes=10)
    cursor = door_client.get(f"/shows/{tonight.pk}/check-in-list/").json()["next_since"]
    clock.advance(minutes=10)
    scan(door_client, second.code)

    changed = door_client.get(f"/shows/{tonight.pk}/check-in-list/", {"since": cursor}).json()["tickets"]

    assert [t["ticket"] for t in changed] == [second.pk]
    assert first.pk not in [t["ticket"] for t in changed]


def test_a_malformed_since_is_a_400(door_client, tonight):
    assert door_client.get(f"/shows/{tonight.pk}/check-in-list/", {"since": "soon"}).status_code == 400


def test_the_door_pages_of_an_unknown_show_are_404(door_client):
    assert door_client.get("/shows/999999/check-in-list/").status_code == 404
    assert door_client.get("/shows/999999/check-ins/summary/").status_code == 404


def test_the_summary_counts_sold_checked_in_and_remaining(door_client, user, tonight, django_assert_num_queries):
    tickets = [make_booking(user=user, show=tonight, seat_number=n) for n in range(1, 5)]
    make_booking(user=user, show=tonight, seat_number=9, status="cancelled")
    for booking in tickets[:3]:
        scan(door_client, booking.code)
    undone = scan(door_client, tickets[3].code).json()
    door_client.delete(f"/check-ins/{undone['id']}/")

    response = door_client.get(f"/shows/{tonight.pk}/check-ins/summary/")

    assert response.json() == {"show": tonight.pk, "sold": 4, "checked_in": 3, "remaining": 1}


def test_the_check_in_list_runs_a_fixed_number_of_queries(door_client, door_user, user, tonight):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(1, 31):
        make_booking(user=user, show=tonight, seat_number=n)

    with CaptureQueriesContext(connection) as queries:
        response = door_client.get(f"/shows/{tonight.pk}/check-in-list/")

    assert len(response.json()["tickets"]) == 30
    # The user (token), the permission (one query), the show, the tickets with their check-ins.
    assert len(queries) == 4


def test_the_migrations_make_a_door_staff_group_with_the_check_in_permission():
    from django.contrib.auth.models import Group

    assert list(Group.objects.get(name="Door staff").permissions.values_list("codename", flat=True)) == ["check_in"]


def test_options_describes_a_scan(door_client):
    response = door_client.options("/check-ins/")

    assert response.status_code == 200
    assert set(response.json()["actions"]["POST"]) == {"code", "show", "scanned_at", "device"}


# What a hostile scanner or client sends


def test_a_truncated_qr_code_of_any_length_is_refused_and_checks_nothing_in(door_client, ticket):
    payload = qr_of(ticket)

    statuses = {scan(door_client, payload[:cut]).status_code for cut in range(1, len(payload))}

    assert statuses <= {400, 404}
    assert not CheckIn.objects.exists()
    assert scan(door_client, payload).status_code == 201


def test_a_qr_code_re_signed_with_another_key_under_our_key_id_is_a_400(door_client, ticket):
    attacker = new_key()
    with override_settings(TICKET_SIGNING_KEY=f"{signing.current_key_id()}:{attacker.private}"):
        forged = qr_of(ticket)

    response = scan(door_client, forged)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_ticket"
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    "scanned_at",
    [
        "1970-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "2026-02-30T10:00:00Z",
        "2026-01-01T25:00:00Z",
        "2026-01-01T10:00:00+25:00",
        "not a time",
        "",
        12345,
        None,
        ["2026-01-01T10:00:00Z"],
        "\x00",
    ],
)
def test_an_offline_scan_at_a_far_or_malformed_time_is_refused_and_checks_nothing_in(door_client, ticket, scanned_at):
    response = scan(door_client, qr_of(ticket), scanned_at=scanned_at)

    assert 400 <= response.status_code < 500, response.content
    assert not CheckIn.objects.exists()
    assert scan(door_client, qr_of(ticket)).status_code == 201
