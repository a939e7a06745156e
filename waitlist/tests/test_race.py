"""Seats coming back all at once while two sweeps offer them and newcomers poll for them (both databases)."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from bookings.exceptions import ShowBusy
from bookings.models import Booking, Hold
from bookings.tests.factories import make_booking
from catalog.models import Show
from catalog.tests.factories import make_screen, make_show
from conftest import client_for, run_at_once
from outbox.models import Message
from waitlist.models import Entry
from waitlist.services import offers_make

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

SEATS, WAITING = 20, 30


def test_twenty_cancellations_at_once_give_exactly_twenty_offers_in_turn(movie):
    show = make_show(movie, screen=make_screen(layout=[{"row": "A", "seats": 10}, {"row": "B", "seats": 10}]))
    owners = [User.objects.create_user(username=f"owner{n}", password="x") for n in range(SEATS)]
    bookings = [make_booking(user=owner, show=show, seat_number=n + 1) for n, owner in enumerate(owners)]
    start = timezone.now()
    waiting = [
        Entry.objects.create(
            show=show,
            user=User.objects.create_user(username=f"waiting{n}", email=f"w{n}@example.com", password="x"),
            seats=1,
            created_at=start + timedelta(milliseconds=n),
        )
        for n in range(WAITING)
    ]
    Show.objects.filter(pk=show.pk).update(waiting=WAITING)
    newcomers = [client_for(User.objects.create_user(username=f"new{n}", password="x")) for n in range(4)]

    def cancel(owner, booking):
        client = client_for(owner)
        client.raise_request_exception = False
        return lambda: client.post(f"/bookings/{booking.pk}/cancel/").status_code

    def all_cancelled() -> bool:
        return not Booking.objects.filter(show=show, status="booked").exists()

    def sweep():
        # A worker running the sweep over and over while the seats come back.
        made, deadline = 0, time.monotonic() + 60
        while time.monotonic() < deadline:
            done = all_cancelled()
            try:
                made += offers_make()
            except ShowBusy:
                continue
            if done:
                return made
        return made

    def poll(client):
        # A customer refreshing and trying to grab a seat that came back.
        client.raise_request_exception = False

        def run():
            answers = []
            for _ in range(10):
                answers.append(client.post(f"/shows/{show.id}/holds/", {"party": 1}, format="json").status_code)
                time.sleep(0.01)
            return answers

        return run

    results = run_at_once(
        [cancel(o, b) for o, b in zip(owners, bookings, strict=True)] + [sweep, sweep] + [poll(c) for c in newcomers]
    )
    connection.close()
    offers_make()

    cancels, polls = results[:SEATS], results[SEATS + 2 :]
    assert cancels == [200] * SEATS
    assert all(code in (409, 503) for answers in polls for code in answers), polls
    entries = list(Entry.objects.filter(show=show).order_by("created_at", "id"))
    assert [e.status for e in entries] == ["offered"] * SEATS + ["waiting"] * (WAITING - SEATS)
    assert [e.pk for e in entries] == [e.pk for e in waiting]
    offers = Hold.objects.filter(waiting_entry__in=entries[:SEATS])
    offered_seats = [seat["seat_number"] for hold in offers for seat in hold.seats]
    assert sorted(offered_seats) == list(range(1, SEATS + 1))
    held = Booking.objects.filter(show=show, status="held")
    assert sorted(held.values_list("seat_number", flat=True)) == list(range(1, SEATS + 1))
    assert all(holder == customer for holder, customer in held.values_list("user_id", "hold__user_id"))
    keys = list(Message.objects.filter(kind="waiting_list_offer").values_list("key", flat=True))
    assert sorted(keys) == sorted(f"waiting_list_offer:{e.pk}" for e in entries[:SEATS])
    assert Show.objects.get(pk=show.pk).waiting == WAITING - SEATS
    assert offers_make() == 0
