from django.conf import settings
from django.db import models
from django.utils import timezone

from bookings.models import Booking


class EndReason(models.TextChoices):
    UNDONE = "undone"  # a mistaken scan, undone by door staff or staff
    EARLIER_SCAN = "earlier_scan"  # an offline device uploaded an earlier scan of the same ticket


class CheckIn(models.Model):
    """A ticket used at the door.

    Rows are never deleted: an undone check-in, or one replaced by an earlier
    offline scan, is ended, so the door's history stays (the audit trail).
    The database allows one active (not ended) check-in per ticket, which is
    what makes a second scan a 409 whatever the timing.
    """

    EndReason = EndReason

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="check_ins")
    # When the ticket was scanned at the door: the device's time for an upload
    # of offline scans, the server's otherwise.
    scanned_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device = models.CharField(max_length=64, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-scanned_at", "-id"]
        permissions = [("check_in", "Can check tickets in at the door")]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"], condition=models.Q(ended_at__isnull=True), name="tickets_one_active_check_in"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True, end_reason="")
                | models.Q(ended_at__isnull=False, end_reason__in=EndReason.values),
                name="tickets_ended_check_ins_say_why",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in of ticket {self.booking_id} at {self.scanned_at:%Y-%m-%d %H:%M:%S}"
