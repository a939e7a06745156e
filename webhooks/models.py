import secrets

from django.db import models
from django.utils import timezone

# Every event a receiver can get (docs/webhooks.md describes each payload).
EVENT_TYPES = [
    "booking.created",
    "booking.cancelled",
    "hold.confirmed",
    "checkin.created",
    "show.created",
    "show.changed",
    "show.deleted",
    "show.sold_out",
    "waiting_list.joined",
    "waiting_list.offered",
    "ping",
]
# The ones an endpoint subscribes to: a ping goes to one endpoint when staff ask, subscribed or not.
SUBSCRIBABLE = [event for event in EVENT_TYPES if event != "ping"]


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class Endpoint(models.Model):
    """A URL that receives the events it subscribes to, signed with its secret."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(help_text='The event types it receives, e.g. ["booking.created"].')
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Deliveries that failed in a row; at WEBHOOKS_DISABLE_AFTER_FAILURES the
    # endpoint is deactivated, and why is kept for staff.
    consecutive_failures = models.PositiveIntegerField(default=0)
    deactivated_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or self.url


class Attempt(models.Model):
    """One try to deliver one event to one endpoint: what the receiver answered, and how fast."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="attempts")
    message = models.ForeignKey("outbox.Message", on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    response = models.TextField(blank=True, help_text="The start of the receiver's answer.")
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} to {self.endpoint_id}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
