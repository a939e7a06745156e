"""Orders: a hold's seats on their way to being paid for, and the payments taken."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from bookings.models import Hold
from catalog.models import Show
from pricing.models import PromoCode


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Channel(models.TextChoices):
    ONLINE = "online"  # made by the customer: the booking fee applies
    BOX_OFFICE = "box_office"  # sold at the counter


class IntentStatus(models.TextChoices):
    """Where the order's online payment stands, as the provider last told it."""

    NONE = "", "none"
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    DECLINED = "declined"
    CANCELED = "canceled"
    SUCCEEDED = "succeeded"


class Order(models.Model):
    """A customer's order of the seats of one hold, at the prices the hold quoted.

    It lives as long as its hold: pending until it is paid, when the hold's
    seats become bookings under the order's reference in the transaction that
    records the payment; a pending order past ``expires_at`` is expired for
    every reader (``state``). One order per hold, enforced by the database.
    """

    Status = OrderStatus
    IntentStatus = IntentStatus
    Channel = Channel

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    show = models.ForeignKey(Show, on_delete=models.PROTECT, related_name="orders")
    hold = models.OneToOneField(Hold, on_delete=models.PROTECT, related_name="order")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    # The hold's seats as ordered, one line each: {"seat_number", "label",
    # "ticket_type", "list_price", "discount", "price", "fee"} (pricing.quote);
    # orders made before ticket types have only the first three and "price".
    seats = models.JSONField()
    # The lines' list prices, what the promo code took off them, the booking
    # fee (per ticket and per order), and what is charged: subtotal - discount + fee.
    subtotal = models.DecimalField(max_digits=10, decimal_places=2)
    discount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    fee = models.DecimalField(max_digits=10, decimal_places=2, default=0, help_text="The booking fee.")
    total = models.DecimalField(max_digits=10, decimal_places=2)
    promo_code = models.ForeignKey(PromoCode, on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    currency = models.CharField(max_length=3)
    # The purchase it becomes: its bookings' reference, the hold's.
    reference = models.UUIDField(unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When it was cancelled or expired.")
    # Online payment: the provider's PaymentIntent for this order (one per
    # order; a second POST /pay/ returns the same), where it stands and why.
    payment_intent = models.CharField(max_length=255, blank=True, default="")
    payment_status = models.CharField(max_length=32, choices=IntentStatus.choices, blank=True, default="")
    payment_error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="orders_user_newest"),
            models.Index(fields=["status", "expires_at"], name="orders_status_expiry"),
            models.Index(fields=["payment_status", "created_at"], name="orders_payment_waiting"),
            models.Index(fields=["promo_code", "status"], name="orders_promo_uses"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=OrderStatus.values), name="orders_status"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="orders_total_not_negative"),
            # That total = subtotal - discount + fee is pricing.quote's (property-tested):
            # SQLite would compare the sum as a float, so it is not a constraint here.
            models.CheckConstraint(
                condition=models.Q(discount__gte=0, fee__gte=0, discount__lte=models.F("subtotal")),
                name="orders_discount_and_fee_in_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=OrderStatus.PAID) | models.Q(paid_at__isnull=False),
                name="orders_paid_say_when",
            ),
            models.UniqueConstraint(
                fields=["payment_intent"], condition=~models.Q(payment_intent=""), name="orders_one_intent_each"
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.pk} of {self.show} ({self.status})"

    @property
    def payment_status_or_none(self) -> str | None:
        return self.payment_status or None

    def state(self, now: datetime) -> str:
        """The status as a reader sees it now: a pending order past its expiry is expired."""
        if self.status == OrderStatus.PENDING_PAYMENT and self.expires_at <= now:
            return OrderStatus.EXPIRED
        return self.status

    @staticmethod
    def counting(now: datetime, prefix: str = "") -> models.Q:
        """Orders that hold on to what they were given (a promo code's use): paid,
        or pending and not expired; cancelled, expired and refunded ones let go.
        ``prefix`` reaches orders across a relation ("orders__" from a code)."""
        return models.Q(**{f"{prefix}status__in": [OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED]}) | models.Q(
            **{f"{prefix}status": OrderStatus.PENDING_PAYMENT, f"{prefix}expires_at__gt": now}
        )


class PaymentMethod(models.TextChoices):
    CASH = "cash"
    CARD = "card"


class Provider(models.TextChoices):
    BOX_OFFICE = "box_office"
    STRIPE = "stripe"


class Payment(models.Model):
    """Money taken for an order: online through a provider, or at the box office
    by a staff member in cash or by card; and how much of it went back.

    Every payment ends in the order's bookings or in a refund of all of it: a
    payment that could not book its seats (they were taken after the hold
    lapsed, or the order was settled already) is refunded automatically.
    """

    Method = PaymentMethod
    Provider = Provider

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.BOX_OFFICE)
    # The provider's id of the payment (a PaymentIntent's "pi_..."): each is recorded once.
    provider_ref = models.CharField(max_length=255, blank=True, default="")
    method = models.CharField(max_length=8, choices=Method.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    refunded = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(method__in=PaymentMethod.values), name="payments_method"),
            models.CheckConstraint(condition=models.Q(provider__in=Provider.values), name="payments_provider"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payments_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(refunded__gte=0, refunded__lte=models.F("amount")),
                name="payments_refund_within_amount",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_ref"],
                condition=~models.Q(provider_ref=""),
                name="payments_recorded_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.provider}, {self.method}) for order {self.order_id}"


class RefundReason(models.TextChoices):
    CANCELLED = "cancelled", "cancelled by the customer"
    STAFF = "staff", "refunded by staff"
    LATE = "late", "paid after its seats could no longer be sold"
    ALREADY_SETTLED = "already_settled", "paid for an order that was settled already"


class RefundStatus(models.TextChoices):
    PENDING = "pending"  # recorded; the provider is being asked
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the provider refused: staff must settle it by hand


class Refund(models.Model):
    """Money given back from one payment. Recorded in the transaction that frees
    the seats; the provider is asked afterwards, from the outbox (kind
    ``refund``), with an idempotency key, and never under a lock."""

    Reason = RefundReason
    Status = RefundStatus

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    fee = models.DecimalField(max_digits=10, decimal_places=2, default=0, help_text="Kept back from the refund.")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    provider_ref = models.CharField(max_length=255, blank=True, default="")
    failure = models.CharField(max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refunds_amount_positive"),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="refunds_fee_not_negative"),
            models.CheckConstraint(condition=models.Q(reason__in=RefundReason.values), name="refunds_reason"),
            models.CheckConstraint(condition=models.Q(status__in=RefundStatus.values), name="refunds_status"),
        ]

    def __str__(self) -> str:
        return f"Refund of {self.amount} {self.currency} from payment {self.payment_id} ({self.status})"


class ProviderEvent(models.Model):
    """A provider's webhook event, recorded in the transaction that acts on it:
    an event delivered twice is acted on once."""

    provider = models.CharField(max_length=16, choices=Provider.choices)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="provider_events_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"
