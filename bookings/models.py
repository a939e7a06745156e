import uuid

from django.conf import settings
from django.db import models

from catalog.models import Show


class BookingStatus(models.TextChoices):
    BOOKED = "booked"
    CANCELLED = "cancelled"


# Statuses in which a row holds its seat. A later temporary "held" status
# joins this list without changing the shape of the table.
OCCUPYING = [BookingStatus.BOOKED]


class Booking(models.Model):
    """One seat of one show for one customer.

    A row is never deleted: cancelling changes its status, so the history
    stays. Only rows in an occupying status hold the seat, which is what the
    partial unique constraint below enforces.
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
    price = models.DecimalField(max_digits=8, decimal_places=2)
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Who cancelled: the customer, or a member of staff in the admin.
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="bookings_user_newest")]
        constraints = [
            # The last word on double booking: whatever the code above does,
            # the database accepts one occupying row per seat of a show.
            models.UniqueConstraint(
                fields=["show", "seat_number"],
                condition=models.Q(status__in=OCCUPYING),
                name="bookings_one_occupant_per_seat",
            ),
            models.CheckConstraint(condition=models.Q(seat_number__gte=1), name="bookings_seat_number_positive"),
            models.CheckConstraint(condition=models.Q(status__in=BookingStatus.values), name="bookings_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Seat {self.seat_number} of {self.show} ({self.status})"


class IdempotencyKey(models.Model):
    """The stored outcome of a request sent with an ``Idempotency-Key`` header.

    The row is written in the same transaction as the bookings it describes,
    so it exists exactly when they do: a request that failed leaves no key and
    can be retried, one that succeeded is replayed from ``response_body``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    response_status = models.PositiveSmallIntegerField(null=True)
    # The JSON text as first sent: PostgreSQL's jsonb would reorder its keys,
    # and a replay must be the same body.
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="bookings_idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
