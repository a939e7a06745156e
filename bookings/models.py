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
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

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
