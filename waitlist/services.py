"""The waiting list of a sold-out show (docs/waiting-list.md).

A customer who can not have the seats they want joins the show's list; seats
that come back (a cancellation, a lapsed hold, a refund, released house
seats) are offered to the entries in turn by ``offers_make``, which the worker
runs every WAITING_LIST_SWEEP_SECONDS (Celery beat). An offer is a hold of
the customer's for WAITING_LIST_OFFER_MINUTES, written with its e-mail and
webhook event in one transaction under the show's lock: it exists exactly
once whatever happens to the worker or the broker, two sweeps at once queue
on the lock, and the hold's rows keep the seats from anyone else.

While somebody waiting could be seated, the free seats are the list's: online
holds and bookings of the show are refused (``refuse_for_waiting_list``), so
the next customer to poll no longer wins the seats that came back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, Hold
from bookings.services import best_seats, hold_free, hold_insert, release_checks, seat_change, taken_seats
from catalog.models import Show
from core.db import after_commit
from core.events import log_event
from core.exceptions import NotFound
from outbox.services import message_enqueue
from webhooks.services import event_emit

from .exceptions import AlreadyWaiting, SeatsAvailable, WaitingListClosed, WaitingListFirst
from .models import ACTIVE, IN_TURN, Entry

# The customer's e-mail with an offer (rendered by waitlist.emails).
OFFER_EMAIL = "waiting_list_offer"


def offers_closed(show: Show, now: datetime) -> bool:
    """Whether offers have stopped: WAITING_LIST_CLOSE_MINUTES before the show starts."""
    return now >= show.date_time - timedelta(minutes=settings.WAITING_LIST_CLOSE_MINUTES)


def _waiting_parties(show: Show) -> list[int]:
    return list(
        Entry.objects.filter(show=show, status=Entry.Status.WAITING).order_by(*IN_TURN).values_list("seats", flat=True)
    )


def _list_can_seat(show: Show, taken: set[int], parties: Sequence[int]) -> bool:
    """Whether the free seats could seat somebody on the list. The smallest party
    is enough to ask about: where it can not sit together, no larger one can."""
    return bool(parties) and best_seats(show, taken, party=min(parties)) is not None


def refuse_for_waiting_list(show: Show, numbers: Sequence[int], user: User, now: datetime) -> None:
    """bookings' take check: while somebody on the show's list could be seated,
    the free seats are theirs, and an online hold or booking is refused (not
    the booking of seats the customer holds, an offer's among them). A show
    nobody waits for (``Show.waiting``, on the locked row) costs no query."""
    if not show.waiting:
        return
    own = Booking.objects.filter(
        Booking.occupying(now), show=show, seat_number__in=numbers, status=Booking.Status.HELD, user=user
    )
    if numbers and own.count() == len(numbers):
        return
    if _list_can_seat(show, taken_seats(show, now), _waiting_parties(show)):
        raise WaitingListFirst(
            "Seats that come back for this show go to its waiting list first: "
            f"join it (POST /shows/{show.pk}/waiting-list/).",
            show=show.pk,
        )


def entry_position(entry: Entry) -> int | None:
    """The entry's place in the queue (1: next), or None when it is not waiting."""
    if entry.status != Entry.Status.WAITING:
        return None
    ahead = Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lt=entry.pk)
    return Entry.objects.filter(ahead, show_id=entry.show_id, status=Entry.Status.WAITING).count() + 1


def entry_join(*, user: User, show_id: int, seats: int) -> Entry:
    """Put ``user`` on the show's waiting list for ``seats`` seats together.

    Only when they can not have them now: no ``seats`` seats together are free,
    or the free seats are the list's already (someone waiting could sit in
    them); SeatsAvailable otherwise. Once per customer and show while the entry
    is in play (AlreadyWaiting); not once offers have stopped (WaitingListClosed)
    or the show has started (ShowStarted).
    """
    now = timezone.now()
    with seat_change(
        show_id=show_id, user=user, action="wait", now=now, refuse_started="its waiting list is closed"
    ) as show:
        if offers_closed(show, now):
            raise WaitingListClosed("This show's waiting list is closed: the show is about to start.")
        existing = Entry.objects.filter(show=show, user=user, status__in=ACTIVE).select_related("hold").first()
        if existing is not None:
            if existing.state(now) in ACTIVE:
                raise AlreadyWaiting("You are already on this show's waiting list.", entry=existing.pk)
            _settle(existing, now)  # an offer that ended before the sweep noticed: the customer may join again
        taken = taken_seats(show, now)
        if best_seats(show, taken, party=seats) is not None and not _list_can_seat(show, taken, _waiting_parties(show)):
            raise SeatsAvailable(
                f"{seats} seats together are on sale for this show: hold them (POST /shows/{show.pk}/holds/).",
                party=seats,
            )
        try:
            entry = Entry.objects.create(show=show, user=user, seats=seats, created_at=now)
        except IntegrityError as exc:  # only reachable past the show's lock; the constraint still holds
            raise AlreadyWaiting("You are already on this show's waiting list.") from exc
        show.waiting += 1
        show.save(update_fields=["waiting"])
        position = entry_position(entry)
        event_emit(
            event_type="waiting_list.joined",
            data={"entry": entry.pk, "show": show.pk, "customer": user.pk, "seats": seats, "position": position},
        )
        after_commit(
            lambda: log_event("waiting_list_joined", entry_id=entry.pk, user_id=user.pk, show_id=show.pk, seats=seats)
        )
    return entry


def entry_leave(*, user: User, show_id: int, by: User | None = None) -> Entry:
    """Take the customer's entry off the show's list (``by``: staff doing it for
    them). A standing offer is given up with it: its hold is released, as the
    customer releasing it would (refused while an order holds it)."""
    now = timezone.now()
    with seat_change(show_id=show_id, user=by or user, action="leave", now=now) as show:
        entry = Entry.objects.filter(show=show, user=user, status__in=ACTIVE).select_related("hold").first()
        if entry is None or entry.state(now) not in ACTIVE:
            raise NotFound("You are not on this show's waiting list.")
        if entry.status == Entry.Status.OFFERED and entry.hold is not None:
            entry.hold.show = show
            if entry.hold.state(now) == Hold.Status.ACTIVE:
                for check in release_checks:
                    check(entry.hold)
                hold_free(entry.hold, user=user, now=now)
        else:
            show.waiting = max(0, show.waiting - 1)
            show.save(update_fields=["waiting"])
        entry.status, entry.ended_at = Entry.Status.LEFT, now
        entry.save(update_fields=["status", "ended_at"])
        after_commit(
            lambda: log_event("waiting_list_left", entry_id=entry.pk, user_id=user.pk, show_id=show.pk, by=by and by.pk)
        )
    return entry


def offers_make(*, now: datetime | None = None) -> int:
    """Offer the seats that came back, show by show; returns how many offers
    were made. Run by the worker every WAITING_LIST_SWEEP_SECONDS."""
    shows = Entry.objects.filter(status__in=ACTIVE).order_by().values_list("show_id", flat=True).distinct()
    return sum(show_offers(show_id=show_id, now=now) for show_id in list(shows))


def show_offers(*, show_id: int, now: datetime | None = None) -> int:
    """One show's turn of the list, in one transaction under the show's lock:
    offers that ended are settled (bought, released, lapsed); then while offers
    are open, each waiting entry in turn is offered the best seats together
    for its party, until one does not fit (WAITING_LIST_SKIP: the smaller
    parties behind it are still served). Once offers stop, the entries still
    waiting are closed. Returns how many offers were made."""
    now = now or timezone.now()
    made = 0
    with seat_change(show_id=show_id, user=None, action="offer", now=now) as show:
        entries = list(
            Entry.objects.filter(show=show, status__in=ACTIVE).select_related("hold", "user").order_by(*IN_TURN)
        )
        for entry in entries:
            _settle(entry, now)
        waiting = [entry for entry in entries if entry.status == Entry.Status.WAITING]
        if offers_closed(show, now):
            Entry.objects.filter(pk__in=[entry.pk for entry in waiting]).update(
                status=Entry.Status.CLOSED, ended_at=now
            )
            waiting = []
        else:
            taken = taken_seats(show, now)
            for entry in list(waiting):
                seats = best_seats(show, taken, party=entry.seats)
                if seats is None:
                    if settings.WAITING_LIST_SKIP:
                        continue
                    break
                _offer(show, entry, seats, now)
                taken.update(seats)
                waiting.remove(entry)
                made += 1
        if show.waiting != len(waiting):
            show.waiting = len(waiting)
            show.save(update_fields=["waiting"])
    return made


def _settle(entry: Entry, now: datetime) -> None:
    """Write down how an offer ended (Entry.state), if it has."""
    state = entry.state(now)
    if state != entry.status:
        entry.status, entry.ended_at = state, now
        entry.save(update_fields=["status", "ended_at"])


def _offer(show: Show, entry: Entry, seats: list[int], now: datetime) -> None:
    """Hold ``seats`` for the entry's customer, and tell them (e-mail, webhook)."""
    expires = min(now + timedelta(minutes=settings.WAITING_LIST_OFFER_MINUTES), show.date_time)
    hold = hold_insert(show=show, user=entry.user, seat_numbers=seats, now=now, expires_at=expires)
    entry.status, entry.hold, entry.offered_at = Entry.Status.OFFERED, hold, now
    entry.save(update_fields=["status", "hold", "offered_at"])
    labels = [seat["label"] for seat in hold.seats]
    message_enqueue(
        kind=OFFER_EMAIL, key=f"{OFFER_EMAIL}:{entry.pk}", recipient=entry.user.email, data={"entry": entry.pk}
    )
    event_emit(
        event_type="waiting_list.offered",
        data={
            "entry": entry.pk,
            "show": show.pk,
            "customer": entry.user_id,
            "hold": hold.pk,
            "seat_labels": labels,
            "expires_at": hold.expires_at,
        },
    )
    after_commit(
        lambda: log_event(
            "waiting_list_offered", level=logging.INFO, entry_id=entry.pk, hold_id=hold.pk, show_id=show.pk
        )
    )
