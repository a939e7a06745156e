from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """The stored outcome of a request sent with an ``Idempotency-Key`` header
    (core.idempotency).

    The row is written in the same transaction as the change it describes, so
    it exists exactly when the change does: a request that failed leaves no
    key and can be retried, one that succeeded is replayed from
    ``response_body``.
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
        # Made by bookings, where the keys were first used (its 0002); only the
        # model moved (core 0003, bookings 0008).
        db_table = "bookings_idempotencykey"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="bookings_idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
