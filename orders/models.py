"""Orders: a hold's seats on their way to being paid for, and the payments taken."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from bookings.models import Hold
from catalog.models import Show


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Order(models.Model):
    """A customer's order of the seats of one hold, at the prices the hold quoted.

    It lives as long as its hold: pending until it is paid, when the hold's
    seats become bookings under the order's reference in the transaction that
    records the payment; a pending order past ``expires_at`` is expired for
    every reader (``state``). One order per hold, enforced by the database.
    """

    Status = OrderStatus

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    show = models.ForeignKey(Show, on_delete=models.PROTECT, related_name="orders")
    hold = models.OneToOneField(Hold, on_delete=models.PROTECT, related_name="order")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING_PAYMENT)
    # The hold's seats when the order was made: [{"seat_number", "label", "price"}].
    seats = models.JSONField()
    total = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    # The purchase it becomes: its bookings' reference, the hold's.
    reference = models.UUIDField(unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When it was cancelled or expired.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="orders_user_newest"),
            models.Index(fields=["status", "expires_at"], name="orders_status_expiry"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=OrderStatus.values), name="orders_status"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="orders_total_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(status=OrderStatus.PAID) | models.Q(paid_at__isnull=False),
                name="orders_paid_say_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.pk} of {self.show} ({self.status})"

    def state(self, now: datetime) -> str:
        """The status as a reader sees it now: a pending order past its expiry is expired."""
        if self.status == OrderStatus.PENDING_PAYMENT and self.expires_at <= now:
            return OrderStatus.EXPIRED
        return self.status


class PaymentMethod(models.TextChoices):
    CASH = "cash"
    CARD = "card"


class Payment(models.Model):
    """Money taken for an order: at the box office, by a staff member, in cash or by card."""

    Method = PaymentMethod

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=16, default="box_office")
    method = models.CharField(max_length=8, choices=Method.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(method__in=PaymentMethod.values), name="payments_method"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payments_amount_positive"),
            # One payment settles an order: a second one for the same order is refused.
            models.UniqueConstraint(fields=["order"], name="payments_one_per_order"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.method}) for order {self.order_id}"
