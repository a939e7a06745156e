from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    PENDING = "pending"  # to deliver, at next_attempt_at
    SENT = "sent"
    FAILED = "failed"  # gave up after OUTBOX_MAX_ATTEMPTS; staff can send it again


class Message(models.Model):
    """An e-mail to deliver, written in the same transaction as the change it tells of.

    So a message exists exactly when its cause committed: a rolled-back
    booking leaves none, a committed one always has one, whatever happens to
    the broker or the mail server afterwards. ``key`` names what the message
    is about (``booking_confirmed:<reference>``): one message per key, so
    telling the same thing twice is impossible. What the message says is
    rendered at delivery from ``kind`` and ``data``, outside the request.
    """

    Status = Status

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=50)
    # An e-mail address, or the id of a webhook endpoint: what the kind's handler delivers to.
    recipient = models.CharField(max_length=254)
    data = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A delivery in progress holds the message until then; a worker that dies
    # mid-delivery lets the claim lapse, and the sweep hands the message on.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="outbox_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status=Status.SENT) | models.Q(sent_at__isnull=False), name="outbox_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"
