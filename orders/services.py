"""Every change of an order: made from a hold, paid (and so booked), cancelled.

Each runs under its show's lock (bookings.services.hold_change), the lock
every change of a seat's owner takes, with the hold and then the order row
locked after it, always in that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import User
from bookings.exceptions import HoldNotActive
from bookings.models import Hold
from bookings.services import Sale, hold_book, hold_change, hold_extension, hold_free, hold_lengthen
from core.db import after_commit
from core.events import log_event
from core.exceptions import NotFound

from .exceptions import OrderExists, OrderNotPending
from .models import Order, Payment


def order_create(*, user: User, hold_id: int) -> Order:
    """Order the seats of the caller's active hold at the prices it quoted.

    The hold gets its one extension now if it has not had it (within
    HOLD_MAX_LIFETIME_MINUTES), so that paying has the most time; the order
    expires with it. One order per hold: a second is OrderExists.
    """
    now = timezone.now()
    with hold_change(
        hold_id=hold_id, user=user, action="order", now=now, refuse_started="its seats can no longer be ordered"
    ) as hold:
        if hold.state(now) != Hold.Status.ACTIVE:
            raise HoldNotActive(f"This hold is {hold.state(now)}; only an active hold can be ordered.")
        existing = Order.objects.filter(hold=hold).values_list("pk", flat=True).first()
        if existing is not None:
            raise OrderExists(f"This hold is already ordered: order {existing}.", order=existing)
        expires = hold_extension(hold)
        if expires is not None:
            hold_lengthen(hold, expires)
        try:
            order = Order.objects.create(
                user=user,
                show=hold.show,
                hold=hold,
                seats=hold.seats,
                total=sum((Decimal(seat["price"]) for seat in hold.seats), Decimal("0")),
                currency=settings.CURRENCY,
                reference=hold.reference,
                created_at=now,
                expires_at=hold.expires_at,
            )
        except IntegrityError as exc:  # only reachable past the show's lock; the constraint still holds
            raise OrderExists("This hold is already ordered.") from exc
        after_commit(lambda: log_event("order_created", order_id=order.pk, user_id=user.pk, hold_id=hold.pk))
        return order


def order_cancel(*, order_id: int, user: User) -> Order:
    """Cancel the caller's unpaid order: its hold's seats are free at once."""
    order = _order_of(order_id, user)
    now = timezone.now()
    with hold_change(hold_id=order.hold_id, user=user, action="order_cancel", now=now) as hold:
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status not in (Order.Status.PENDING_PAYMENT, Order.Status.EXPIRED):
            raise OrderNotPending(f"This order is {order.status}; only an unpaid order can be cancelled.")
        hold_free(hold, user=user, now=now)
        order.status, order.ended_at = Order.Status.CANCELLED, now
        order.save(update_fields=["status", "ended_at"])
        after_commit(lambda: log_event("order_cancelled", order_id=order.pk, user_id=user.pk))
        return order


@dataclass(frozen=True)
class Paid:
    """What paying made: the order, its payment and the sale of its seats."""

    order: Order
    payment: Payment
    sale: Sale


def order_pay_at_box_office(*, order_id: int, method: str, by: User) -> Paid:
    """Record that staff took the order's total at the counter, and book its seats.

    Paid means booked: the payment, the bookings and the order's new state are
    one transaction under the show's lock, so either all are written or none.
    An order whose hold lapsed is still sold if every seat is still free
    (SeatTaken otherwise, and nothing is recorded: the money is not taken).
    """
    order = Order.objects.filter(pk=order_id).select_related("user").first()
    if order is None:
        raise NotFound("Order not found.")
    customer = order.user
    now = timezone.now()
    with hold_change(
        hold_id=order.hold_id, user=customer, action="pay", now=now, refuse_started="it can no longer be sold"
    ) as hold:
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status not in (Order.Status.PENDING_PAYMENT, Order.Status.EXPIRED):
            raise OrderNotPending(f"This order is {order.status}; only an unpaid order can be paid.")
        sale = hold_book(hold, user=customer, now=now, order=order.pk)
        payment = Payment.objects.create(
            order=order, method=method, amount=order.total, currency=order.currency, taken_by=by, taken_at=now
        )
        order.status, order.paid_at = Order.Status.PAID, now
        order.save(update_fields=["status", "paid_at"])
        after_commit(lambda: log_event("order_paid", order_id=order.pk, payment_id=payment.pk, method=method, by=by.pk))
        return Paid(order, payment, sale)


def refuse_release_of_ordered_hold(hold: Hold) -> None:
    """A hold that an order holds is given up by cancelling the order (bookings.services.release_checks)."""
    order = Order.objects.filter(hold=hold).values_list("pk", flat=True).first()
    if order is not None:
        raise HoldNotActive(
            f"This hold belongs to order {order}: cancel the order instead (POST /orders/{order}/cancel/).",
            order=order,
        )


def _order_of(order_id: int, user: User) -> Order:
    order = Order.objects.filter(pk=order_id, user=user).first()
    if order is None:
        raise NotFound("Order not found.")
    return order
