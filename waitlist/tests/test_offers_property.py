"""Random histories of a sold-out show's waiting list: whatever comes back, whoever
joins, takes, declines, lets an offer lapse or leaves, each sweep offers the
queue's head in turn until one does not fit, never a seat twice, each entry once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from accounts.models import User
from bookings.models import Booking, Hold
from bookings.services import best_seats, hold_confirm, hold_release, taken_seats
from bookings.tests.factories import make_booking
from catalog.models import Show
from catalog.tests.factories import make_movie, make_screen, make_show
from core.exceptions import ServiceError
from outbox.models import Message
from waitlist.models import Entry
from waitlist.services import entry_join, entry_leave, offers_make

pytestmark = pytest.mark.django_db

SEATS = 6
steps = st.lists(
    st.one_of(
        st.tuples(st.just("join"), st.integers(0, 5), st.integers(1, 3)),
        st.tuples(st.just("give_back"), st.integers(1, SEATS)),
        st.tuples(st.just("sweep")),
        st.tuples(st.just("lapse")),
        st.tuples(st.just("take"), st.integers(0, 5)),
        st.tuples(st.just("decline"), st.integers(0, 5)),
        st.tuples(st.just("leave"), st.integers(0, 5)),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture
def people(db):
    seller = User.objects.create_user(username="seller", password="x")
    customers = [User.objects.create_user(username=f"c{n}", email=f"c{n}@example.com", password="x") for n in range(6)]
    return seller, customers


def in_turn(show):
    return list(Entry.objects.filter(show=show, status="waiting").order_by("created_at", "id"))


@examples(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parties=st.lists(st.integers(1, 3), min_size=1, max_size=6), history=steps)
def test_any_history_offers_in_turn_once_each_and_never_a_seat_twice(people, clock, settings, parties, history):
    settings.BOOKING_REQUIRES_PAYMENT = False
    seller, customers = people
    show = make_show(
        make_movie(), screen=make_screen(layout=[{"row": "A", "seats": SEATS}]), starts_in=timedelta(days=2)
    )
    for number in range(1, SEATS + 1):
        make_booking(user=seller, show=show, seat_number=number)
    ever_offered: set[int] = set()
    # The sold-out show's queue to begin with; more join, or join again, as the history goes.
    opening = [("join", n, seats) for n, seats in enumerate(parties)]

    for step in [*opening, *history]:
        clock.advance(seconds=1)
        action, *args = step
        try:
            if action == "join":
                entry_join(user=customers[args[0]], show_id=show.pk, seats=args[1])
            elif action == "give_back":
                Booking.objects.filter(show=show, seat_number=args[0], status="booked").update(
                    status="cancelled", cancelled_at=timezone.now()
                )
            elif action == "lapse":
                clock.advance(minutes=16)
            elif action in ("take", "decline"):
                hold = Hold.objects.filter(user=customers[args[0]], show=show, offered=True, status="active").first()
                if hold is not None:
                    call = hold_confirm if action == "take" else hold_release
                    call(hold_id=hold.pk, user=customers[args[0]])
            elif action == "leave":
                entry_leave(user=customers[args[0]], show_id=show.pk)
        except ServiceError:
            pass  # a refusal: nothing changed
        if action != "sweep":
            continue
        queue = [entry.pk for entry in in_turn(show)]
        offers_make()
        now = timezone.now()
        made = [pk for pk in queue if Entry.objects.get(pk=pk).status == "offered"]
        # In turn: the offers went to the head of the queue, none past an entry left waiting.
        assert made == queue[: len(made)]
        # Done: the new head (if any) can not be seated in what is free.
        left = in_turn(show)
        if left:
            locked = Show.objects.select_related("screen").get(pk=show.pk)
            assert best_seats(locked, taken_seats(locked, now), party=left[0].seats) is None
        assert not ever_offered & set(made)
        ever_offered |= set(made)
        assert Show.objects.get(pk=show.pk).waiting == len(left)

    held = list(
        Booking.objects.filter(Booking.occupying(timezone.now()), show=show).values_list("seat_number", flat=True)
    )
    assert len(held) == len(set(held))
    offered = Entry.objects.filter(show=show, hold__isnull=False)
    assert offered.count() == len(set(offered.values_list("hold", flat=True)))
    keys = sorted(
        Message.objects.filter(kind="waiting_list_offer", data__entry__in=[e.pk for e in offered]).values_list(
            "key", flat=True
        )
    )
    assert keys == sorted(f"waiting_list_offer:{e.pk}" for e in offered)
