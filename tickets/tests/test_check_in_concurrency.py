"""Doors scanning at the same moment: real threads, each with its own connection,
on SQLite (writers queue on the database lock) and on PostgreSQL (they queue on
the ticket's row). Each test asserts the answers and the rows left behind."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from bookings.tests.factories import make_booking
from catalog.tests.factories import make_show
from conftest import client_for, post, run_at_once
from tickets.models import CheckIn

from .conftest import door_staff_group

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

DOORS = 8


def door_clients(count: int):
    group = door_staff_group()
    clients = []
    for n in range(count):
        user = User.objects.create_user(username=f"door{n}", password="x")
        user.groups.add(group)
        clients.append(client_for(user))
    return clients


@pytest.fixture
def ticket(movie):
    owner = User.objects.create_user(username="fan", password="x")
    return make_booking(user=owner, show=make_show(movie, starts_in=timedelta(minutes=20)), seat_number=1)


def test_one_ticket_scanned_at_every_door_at_once_is_let_in_once(ticket):
    calls = [
        post(client, "/check-ins/", {"code": ticket.code, "device": f"d{n}"})
        for n, client in enumerate(door_clients(DOORS))
    ]

    responses = run_at_once(calls)

    assert Counter(r.status_code for r in responses) == {201: 1, 409: DOORS - 1}
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_checked_in"}
    (winner,) = [r.json() for r in responses if r.status_code == 201]
    assert all(r.json()["check_in"] == winner["id"] for r in responses if r.status_code == 409)
    assert CheckIn.objects.filter(booking=ticket, ended_at__isnull=True).count() == 1
    assert CheckIn.objects.count() == 1


def test_a_scan_and_a_cancel_at_once_leave_a_ticket_used_or_cancelled_never_both(ticket):
    owner = client_for(ticket.user)
    (door,) = door_clients(1)

    scanned, cancelled = run_at_once(
        [post(door, "/check-ins/", {"code": ticket.code}), post(owner, f"/bookings/{ticket.pk}/cancel/")]
    )

    ticket.refresh_from_db()
    used = CheckIn.objects.filter(booking=ticket, ended_at__isnull=True).exists()
    if scanned.status_code == 201:
        assert (cancelled.status_code, cancelled.json()["code"], ticket.status, used) == (
            409,
            "checked_in",
            "booked",
            True,
        )
    else:
        assert (scanned.status_code, scanned.json()["code"]) == (409, "ticket_cancelled")
        assert (cancelled.status_code, ticket.status, used) == (200, "cancelled", False)


def test_the_database_allows_one_active_check_in_per_ticket(ticket):
    by = ticket.user
    CheckIn.objects.create(booking=ticket, scanned_at=timezone.now(), by=by)

    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(booking=ticket, scanned_at=timezone.now(), by=by)
    # An ended one does not count.
    CheckIn.objects.create(
        booking=ticket, scanned_at=timezone.now(), by=by, ended_at=timezone.now(), end_reason="undone"
    )
    assert Booking.objects.get(pk=ticket.pk).check_ins.count() == 2
