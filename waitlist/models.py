from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from bookings.models import Hold, HoldStatus
from catalog.models import Show


class EntryStatus(models.TextChoices):
    WAITING = "waiting"  # in the queue
    OFFERED = "offered"  # seats are held for the customer (its hold) until the offer ends
    ACCEPTED = "accepted"  # the offer's seats were bought
    DECLINED = "declined"  # the customer released the offer's hold
    LAPSED = "lapsed"  # the offer was not taken in time: it went to the next entry
    LEFT = "left"  # the customer (or staff for them) took the entry off the list
    CLOSED = "closed"  # offers stopped (the show is about to start) before seats came back


# Entries still in play: a customer has at most one of these per show.
ACTIVE = [EntryStatus.WAITING, EntryStatus.OFFERED]
# Entries that were offered seats: each has its hold.
OFFERED_ONCE = [EntryStatus.OFFERED, EntryStatus.ACCEPTED, EntryStatus.DECLINED, EntryStatus.LAPSED]
# How the queue is ordered everywhere: first come, first served.
IN_TURN = ["created_at", "id"]


# How an offer's hold ended, as the entry's end.
ENDED_AS: dict[HoldStatus, str] = {
    Hold.Status.CONFIRMED: EntryStatus.ACCEPTED,
    Hold.Status.RELEASED: EntryStatus.DECLINED,
    Hold.Status.EXPIRED: EntryStatus.LAPSED,
}


class Entry(models.Model):
    """A customer waiting for ``seats`` seats of a show that could not sell them.

    Seats that come back go to the entries in turn (waitlist.services.offers_make):
    an offer is a hold of the customer's, which they confirm or order as any
    hold, for WAITING_LIST_OFFER_MINUTES. An entry is offered seats at most
    once: its hold is one-to-one, and its status only moves forward.
    """

    Status = EntryStatus

    show = models.ForeignKey(Show, on_delete=models.PROTECT, related_name="waiting_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="waiting_entries")
    seats = models.PositiveSmallIntegerField(help_text="How many seats together the customer waits for.")
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.WAITING)
    created_at = models.DateTimeField(default=timezone.now)
    # The offer: the hold made for the customer, and when.
    hold = models.OneToOneField(Hold, on_delete=models.PROTECT, null=True, blank=True, related_name="waiting_entry")
    offered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = IN_TURN
        verbose_name_plural = "waiting list entries"
        indexes = [
            # The queue of a show, in turn; and the shows that have one (the sweep).
            models.Index(fields=["show", *IN_TURN], condition=models.Q(status__in=ACTIVE), name="waitlist_queue"),
            models.Index(fields=["user", "-created_at"], name="waitlist_of_customer"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["show", "user"], condition=models.Q(status__in=ACTIVE), name="waitlist_one_entry_per_customer"
            ),
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="waitlist_seats_positive"),
            models.CheckConstraint(condition=models.Q(status__in=EntryStatus.values), name="waitlist_status_valid"),
            models.CheckConstraint(
                condition=models.Q(status=EntryStatus.WAITING, hold__isnull=True)
                | models.Q(status__in=OFFERED_ONCE, hold__isnull=False, offered_at__isnull=False)
                | models.Q(status__in=[EntryStatus.LEFT, EntryStatus.CLOSED]),
                name="waitlist_offers_have_a_hold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} waiting for {self.seats} at {self.show} ({self.status})"

    def state(self, now: datetime) -> str:
        """The status as a reader sees it now: an offer whose hold ended (bought,
        released, lapsed) has ended so, before the sweep writes it down."""
        if self.status == EntryStatus.OFFERED and self.hold is not None:
            return ENDED_AS.get(HoldStatus(self.hold.state(now)), self.status)
        return self.status
