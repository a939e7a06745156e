from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from catalog.models import Show, TicketType, default_ticket_type

from .codes import new_ticket_code


class BookingStatus(models.TextChoices):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    HELD = "held"  # reserved by a hold until held_until, not sold yet
    BLOCKED = "blocked"  # kept off sale by staff (house seats, a camera), with a reason


# Statuses in which a row holds its seat: sold, held by a checkout, or blocked by staff. One
# partial unique index over both is what makes "one owner per seat" a fact of
# the database rather than of the code.
OCCUPYING = [BookingStatus.BOOKED, BookingStatus.HELD, BookingStatus.BLOCKED]
ONE_OCCUPANT_PER_SEAT = "bookings_one_occupant_per_seat"  # that index's constraint

# A customer's bookings: what they bought, and what they or staff cancelled.
# Held rows are a hold's business and stay out (my-bookings, tickets, the
# customer index below).
CUSTOMER_STATUSES = [BookingStatus.BOOKED, BookingStatus.CANCELLED]
# How a customer's bookings are listed everywhere: newest first, the id
# breaking ties of one purchase.
NEWEST_FIRST = ["-created_at", "-id"]


class BookingQuerySet(models.QuerySet["Booking"]):
    def tickets(self) -> BookingQuerySet:
        """Rows that are, or were, tickets (CUSTOMER_STATUSES): not held ones."""
        return self.filter(status__in=CUSTOMER_STATUSES)

    def of_customer(self, user: Any) -> BookingQuerySet:
        """The customer's bookings, newest first."""
        return self.tickets().filter(user=user).order_by(*NEWEST_FIRST)


class Booking(models.Model):
    """One seat of one show for one customer.

    A booked row is never deleted: cancelling changes its status, so the
    history stays. A held row belongs to a Hold and lives only as long as it:
    confirming turns it into a booked row, releasing or expiring deletes it.
    Only rows in an occupying status hold the seat, which is what the partial
    unique constraint below enforces.
    """

    Status = BookingStatus
    OCCUPYING = OCCUPYING

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    show = models.ForeignKey(Show, on_delete=models.PROTECT, related_name="bookings")
    seat_number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)
    # Shared by the bookings made in one request: one purchase.
    reference = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    # What the ticket says, fixed at sale: later price or layout changes of the
    # show do not touch bookings already made.
    seat_label = models.CharField(max_length=8)
    price = models.DecimalField(max_digits=8, decimal_places=2, help_text="What the seat cost, after any discount.")
    currency = models.CharField(max_length=3)
    # Who the ticket is for (the door checks it), and what a promo code took
    # off its list price (price + discount), so reports can sum both.
    ticket_type = models.ForeignKey(
        TicketType, on_delete=models.PROTECT, default=default_ticket_type, related_name="+", db_constraint=True
    )
    discount = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    # Why staff keep a blocked row's seat off sale (its user is who blocked it).
    block_reason = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Held rows: their hold, and its expiry copied here so that availability
    # queries need no join. An expired held row still occupies the index until
    # the next write for its seat removes it, under the show's lock.
    # Confirmed or directly booked rows are detached from their hold, so the
    # cascade only ever removes held rows.
    hold = models.ForeignKey("Hold", on_delete=models.CASCADE, null=True, blank=True, related_name="rows")
    held_until = models.DateTimeField(null=True, blank=True)
    # Who cancelled: the customer, or a member of staff in the admin.
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The ticket: a held row gets its code too, and keeps it when it is sold.
    code = models.CharField(max_length=18, unique=True, default=new_ticket_code, editable=False)
    # When the row last changed in a way a door scanner must learn (sold,
    # cancelled, checked in or out): what a check-in list's ?since= reads.
    changed_at = models.DateTimeField(default=timezone.now)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = NEWEST_FIRST
        indexes = [
            models.Index(fields=["show", "changed_at"], name="bookings_show_changed"),
            # My-bookings: a customer's sold and cancelled rows, newest first;
            # held rows (a hold's business) stay out of it. A page is read off
            # the index instead of sorting all of the customer's rows: 0.18 ms
            # against 1.5 ms for a customer with 133 bookings (EXPLAIN ANALYZE
            # on the bench data, docs/performance.md), growing with history.
            models.Index(
                fields=["user", *NEWEST_FIRST],
                condition=models.Q(status__in=CUSTOMER_STATUSES),
                name="bookings_user_newest",
            ),
        ]
        constraints = [
            # The last word on double booking: whatever the code above does,
            # the database accepts one occupying row per seat of a show.
            models.UniqueConstraint(
                fields=["show", "seat_number"],
                condition=models.Q(status__in=OCCUPYING),
                name=ONE_OCCUPANT_PER_SEAT,
            ),
            models.CheckConstraint(condition=models.Q(seat_number__gte=1), name="bookings_seat_number_positive"),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0, price__gte=0), name="bookings_price_and_discount_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(status__in=BookingStatus.values), name="bookings_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status=BookingStatus.HELD) | models.Q(held_until__isnull=False, hold__isnull=False),
                name="bookings_held_rows_have_a_hold",
            ),
        ]

    def __str__(self) -> str:
        return f"Seat {self.seat_number} of {self.show} ({self.status})"

    # The one definition of "occupies a seat": booked or blocked, or held and not yet
    # lapsed. A lapsed hold's rows still stand in the unique index until they
    # are removed, but nobody sees them as taken. In SQL (``prefix`` reaches
    # bookings across a relation, e.g. "bookings__" from Show) and in Python.

    @staticmethod
    def occupying(now: datetime, prefix: str = "") -> models.Q:
        return models.Q(**{f"{prefix}status__in": [BookingStatus.BOOKED, BookingStatus.BLOCKED]}) | models.Q(
            **{f"{prefix}status": BookingStatus.HELD, f"{prefix}held_until__gt": now}
        )

    def occupies(self, now: datetime) -> bool:
        return self.status in (BookingStatus.BOOKED, BookingStatus.BLOCKED) or (
            self.status == BookingStatus.HELD and self.held_until is not None and self.held_until > now
        )

    @staticmethod
    def sold(prefix: str = "") -> models.Q:
        """Sold seats: what occupancy and revenue count."""
        return models.Q(**{f"{prefix}status": BookingStatus.BOOKED})


class HoldStatus(models.TextChoices):
    ACTIVE = "active"
    CONFIRMED = "confirmed"
    RELEASED = "released"
    EXPIRED = "expired"


class Hold(models.Model):
    """Seats reserved for one customer while they check out.

    The seats themselves are Booking rows with status "held" (see Booking):
    the same unique index covers them and sold seats. An active hold past its
    ``expires_at`` is expired at once for every reader; its rows are removed
    by the next write that wants one of its seats, or by ``expire_holds``.
    """

    Status = HoldStatus

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="holds")
    show = models.ForeignKey(Show, on_delete=models.PROTECT, related_name="holds")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # [{"seat_number": 7, "label": "A7", "price": "12.50"}]: the seats still on
    # hold (booking one directly takes it off) at the price quoted. An order
    # of the hold adds each seat's "ticket_type" and "discount" and sets its
    # price to the order's (orders.services.order_create).
    seats = models.JSONField()
    reference = models.UUIDField(default=uuid.uuid4, editable=False, help_text="The purchase it becomes.")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    extended = models.BooleanField(default=False)
    # Made by the waiting list (waitlist) as an offer to the customer: it
    # lasts WAITING_LIST_OFFER_MINUTES and is not extended; the reports count
    # what offers sold, so offered holds are kept past HOLD_RETENTION_DAYS.
    offered = models.BooleanField(
        default=False, help_text="Made by the waiting list: an offer to the customer, which can not be extended."
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["show", "user", "status"]), models.Index(fields=["status", "expires_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(status__in=HoldStatus.values), name="holds_status")]

    def __str__(self) -> str:
        return f"Hold {self.pk} of {self.show} ({self.status})"

    def state(self, now: datetime) -> str:
        """The status as a reader sees it now: an active hold past its expiry is expired."""
        if self.status == HoldStatus.ACTIVE and self.expires_at <= now:
            return HoldStatus.EXPIRED
        return self.status
