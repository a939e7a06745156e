"""Every change of an order: made from a hold, paid (and so booked), cancelled, refunded.

Each runs under its show's lock (bookings.services.hold_change), the lock
every change of a seat's owner takes, with the hold and then the order row
locked after it, always in that order. A payment provider is never asked
inside any of them (orders.providers): what it says is read first, and what
it must be told (a refund) goes through the outbox once the change commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from accounts.models import User
from bookings.exceptions import HoldNotActive, SeatsChanged, SeatTaken
from bookings.models import Booking, Hold
from bookings.services import (
    Sale,
    hold_book,
    hold_change,
    hold_create,
    hold_extension,
    hold_free,
    hold_lengthen,
    hold_reprice,
    purchase_cancel,
)
from catalog.layouts import Seat, SeatPlan
from catalog.models import Show, TicketType
from core.db import after_commit
from core.events import log_event
from core.exceptions import FieldError, NotFound
from outbox.models import Message
from outbox.services import message_enqueue
from pricing.models import PromoCode
from pricing.quote import Line, price_lines
from pricing.services import PromoUsedUp, booking_fee, promo_check_uses, promo_discount, promo_locked

from .exceptions import BookingOfOrder, OrderExists, OrderNotPending, RefundRefused
from .models import IntentStatus, Order, Payment, ProviderEvent, Refund
from .providers import PROVIDERS, STRIPE, Intent, ProviderRefused

REFUND = "refund"  # outbox kind: ask the provider to give a refund's money back
REFUNDED = "order_refunded"  # outbox kind: the customer's e-mail about it


@dataclass(frozen=True)
class Choice:
    """A ticket type the customer chose for one seat of the hold, by label or number."""

    ticket_type: str
    seat_label: str | None = None
    seat_number: int | None = None


def order_create(
    *, user: User, hold_id: int, seats: Sequence[Choice] = (), promo_code: str = "", online: bool = True
) -> Order:
    """Order the seats of the caller's active hold: each seat as the ticket type
    chosen for it (the default type, at the price the hold quoted, when none
    is), less what ``promo_code`` takes off, plus the booking fee when ordered
    ``online`` (pricing.quote.price_lines does the arithmetic).

    The hold gets its one extension now if it has not had it (within
    HOLD_MAX_LIFETIME_MINUTES), so that paying has the most time; the order
    expires with it. One order per hold: a second is OrderExists. A code's
    uses are counted and taken under its row's lock, after the show's and
    the hold's (pricing.services.promo_locked). An order that costs nothing
    is paid, and its seats booked, at once.
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
        lines = _lines(hold, seats)
        code = promo_locked(promo_code) if promo_code.strip() else None
        discount = None
        if code is not None:
            discount = promo_discount(code, show=hold.show, lines=lines, now=now)
            using = Order.objects.filter(Order.counting(now), promo_code=code)
            promo_check_uses(code, in_all=using.count(), by_customer=using.filter(user=user).count())
        priced = price_lines(lines, currency=settings.CURRENCY, discount=discount, fee=booking_fee(online=online))
        ordered = [_line_data(line) for line in priced.lines]
        if any(line.ticket_type != settings.DEFAULT_TICKET_TYPE or line.discount for line in priced.lines):
            hold_reprice(hold, ordered)
        expires = hold_extension(hold)
        if expires is not None:
            hold_lengthen(hold, expires)
        try:
            order = Order.objects.create(
                user=user,
                show=hold.show,
                hold=hold,
                seats=ordered,
                subtotal=priced.subtotal,
                discount=priced.discount,
                fee=priced.fee,
                total=priced.total,
                promo_code=code,
                channel=Order.Channel.ONLINE if online else Order.Channel.BOX_OFFICE,
                currency=settings.CURRENCY,
                reference=hold.reference,
                created_at=now,
                expires_at=hold.expires_at,
            )
        except IntegrityError as exc:  # only reachable past the show's lock; the constraint still holds
            raise OrderExists("This hold is already ordered.") from exc
        if order.total == 0:
            hold_book(hold, user=user, now=now, receipt=_receipt(order, None), order=order.pk)
            order.status, order.paid_at = Order.Status.PAID, now
            order.save(update_fields=["status", "paid_at"])
        after_commit(lambda: log_event("order_created", order_id=order.pk, user_id=user.pk, hold_id=hold.pk))
        return order


def _lines(hold: Hold, chosen: Sequence[Choice]) -> list[Line]:
    """The hold's seats as ordered: the default type at the price the hold
    quoted, or the chosen type at the show's price for the seat's tier now."""
    plan = hold.show.screen.plan
    by_number = {seat["seat_number"]: seat for seat in hold.seats}
    by_label = {seat["label"]: seat["seat_number"] for seat in hold.seats}
    types: dict[int, str] = {}
    for choice in chosen:
        number = by_label.get(choice.seat_label or "") if choice.seat_number is None else choice.seat_number
        if number is None or number not in by_number:
            what = choice.seat_label if choice.seat_number is None else choice.seat_number
            raise FieldError(f"Seat {what} is not one of this hold's seats.", field="seats")
        if number in types:
            raise FieldError(f"Seat {by_number[number]['label']} is given twice.", field="seats")
        types[number] = choice.ticket_type
    named = set(types.values()) - {settings.DEFAULT_TICKET_TYPE}
    if named:
        known = set(TicketType.objects.filter(code__in=named).values_list("code", flat=True))
        if named - known:
            raise FieldError(f"No ticket type {', '.join(sorted(named - known))} (GET /ticket-types/).", field="seats")
    grid = hold.show.type_prices() if named else {}
    lines = []
    for number, seat in by_number.items():
        kind = types.get(number, settings.DEFAULT_TICKET_TYPE)
        if kind == settings.DEFAULT_TICKET_TYPE:
            price = Decimal(seat["price"])
        else:
            tier = _seat(plan, number).tier
            cell = grid.get(kind, {}).get(tier)
            if cell is None:
                raise FieldError(f"{kind} tickets are not sold for seat {seat['label']} of this show.", field="seats")
            price = Decimal(cell)
        lines.append(Line(seat_number=number, label=seat["label"], ticket_type=kind, list_price=price))
    return lines


def _seat(plan: SeatPlan, number: int) -> Seat:
    seat = plan.seat(number)
    if seat is None:  # the layout changed under a lapsed hold: hold_book refuses it with SeatsChanged
        raise SeatsChanged("This show's seats changed since the hold was made; release it and choose again.")
    return seat


def _line_data(line: Line) -> dict[str, Any]:
    return {
        "seat_number": line.seat_number,
        "label": line.label,
        "ticket_type": line.ticket_type,
        "list_price": str(line.list_price),
        "discount": str(line.discount),
        "price": str(line.price),
        "fee": str(line.fee),
    }


def order_cancel(*, order_id: int, user: User) -> Order:
    """Cancel the caller's order. Unpaid: its hold's seats are free at once.
    Paid: until REFUND_CUTOFF_MINUTES before the show, its seats are freed, its
    tickets void, and its total less REFUND_FEE refunded (refund_quote);
    after that, RefundRefused."""
    order = _order_of(order_id, user)
    now = timezone.now()
    with _order_change(order, user=user, action="order_cancel", now=now) as (hold, order):
        if order.status == Order.Status.PAID:
            quote = refund_quote(order, hold.show.date_time, now)
            if quote is None:
                raise RefundRefused(
                    f"A paid order can be cancelled until {settings.REFUND_CUTOFF_MINUTES} minutes "
                    "before the show; this one no longer can."
                )
            _refund_seats(
                order,
                show=hold.show,
                by=user,
                amount=quote.amount,
                fee=quote.fee,
                reason=Refund.Reason.CANCELLED,
                now=now,
            )
            return order
        if order.status not in (Order.Status.PENDING_PAYMENT, Order.Status.EXPIRED):
            raise OrderNotPending(f"This order is {order.status}; it can not be cancelled.")
        hold_free(hold, user=user, now=now)
        order.status, order.ended_at = Order.Status.CANCELLED, now
        order.save(update_fields=["status", "ended_at"])
        after_commit(lambda: log_event("order_cancelled", order_id=order.pk, user_id=user.pk))
        # An intent it had can no longer be paid: orders_reconcile cancels it at the provider.
        return order


def _promo_taken_again(order: Order, now: datetime) -> None:
    """An order past its expiry gave its promo code's use back (Order.counting):
    paid late, it takes one again if one is left, PromoUsedUp otherwise. Under
    the show's and the order's locks, then the code's, as order_create takes them."""
    if order.promo_code_id is None or order.state(now) != Order.Status.EXPIRED:
        return
    code = PromoCode.objects.select_for_update().get(pk=order.promo_code_id)
    using = Order.objects.filter(Order.counting(now), promo_code=code).exclude(pk=order.pk)
    promo_check_uses(code, in_all=using.count(), by_customer=using.filter(user_id=order.user_id).count())


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
    with _order_change(order, user=customer, action="pay", now=now, refuse_started="it can no longer be sold") as (
        hold,
        order,
    ):
        if order.status not in (Order.Status.PENDING_PAYMENT, Order.Status.EXPIRED):
            raise OrderNotPending(f"This order is {order.status}; only an unpaid order can be paid.")
        _promo_taken_again(order, now)
        payment = Payment(
            order=order, method=method, amount=order.total, currency=order.currency, taken_by=by, taken_at=now
        )
        sale = hold_book(hold, user=customer, now=now, receipt=_receipt(order, payment), order=order.pk)
        payment.save()
        order.status, order.paid_at = Order.Status.PAID, now
        order.save(update_fields=["status", "paid_at"])
        after_commit(lambda: log_event("order_paid", order_id=order.pk, payment_id=payment.pk, method=method, by=by.pk))
        return Paid(order, payment, sale)


# Online payment


@dataclass(frozen=True)
class Checkout:
    """What a client needs to have the customer pay an order with the provider."""

    order: Order
    intent: Intent


def order_checkout(*, order_id: int, user: User) -> Checkout:
    """The caller's unpaid order's PaymentIntent, made on the first call: the
    client confirms it with Stripe (Stripe.js or a mobile SDK); the webhook or
    the reconciliation then settles the order (payment_seen).

    Outside any transaction: the provider is asked with nothing locked. Two
    concurrent first calls make two intents; the one recorded first is the
    order's, and the other is cancelled at once and never shown.
    """
    order = _order_of(order_id, user)
    now = timezone.now()
    if order.state(now) != Order.Status.PENDING_PAYMENT:
        raise OrderNotPending(f"This order is {order.state(now)}; only a pending order can be paid.")
    intent: Intent | None = None
    if not order.payment_intent:
        intent = STRIPE.intent_create(order)
        claimed = Order.objects.filter(pk=order.pk, payment_intent="").update(
            payment_intent=intent.ref, payment_status=_intent_status(intent)
        )
        if not claimed:
            STRIPE.intent_cancel(intent.ref)
            intent = None
        order.refresh_from_db()
    if intent is None:
        intent = STRIPE.intent_retrieve(order.payment_intent)
        payment_seen(intent)
        order.refresh_from_db()
    return Checkout(order, intent)


def payment_seen(intent: Intent) -> Order | None:
    """Act on what the provider says of an order's PaymentIntent, from a webhook
    event or a question it was asked. Safe to repeat and in any order: a
    success is recorded once (one Payment per intent), and nothing said
    after it changes a settled order."""
    order = _order_paid_by(intent)
    if order is None:
        return None
    if intent.status == "succeeded":
        return payment_succeeded(order, intent)
    if intent.status == "canceled":
        return _payment_canceled(order, intent)
    status = _intent_status(intent)
    Order.objects.filter(pk=order.pk, status=Order.Status.PENDING_PAYMENT).exclude(
        payment_status__in=[IntentStatus.SUCCEEDED, IntentStatus.CANCELED]
    ).update(payment_status=status, payment_error=intent.error)
    return order


def payment_succeeded(order: Order, intent: Intent) -> Order:
    """Record the money and book the seats, in one transaction under the show's lock.

    An order still unpaid is paid and its seats booked, if they are still its
    (a lapsed hold's seats are booked if nobody took them). Otherwise, or if
    the show has started, the payment is recorded and refunded in full: money
    taken always ends in tickets or back with the customer.
    """
    now = timezone.now()
    with _order_change(order, action="pay_online", now=now) as (hold, order):
        if Payment.objects.filter(provider=Payment.Provider.STRIPE, provider_ref=intent.ref).exists():
            return order  # told twice: recorded the first time
        payment = Payment(
            order=order,
            provider=Payment.Provider.STRIPE,
            provider_ref=intent.ref,
            method=Payment.Method.CARD,
            amount=intent.amount,
            currency=intent.currency,
            taken_at=now,
        )
        booked = False
        if (
            order.status in (Order.Status.PENDING_PAYMENT, Order.Status.EXPIRED)
            and (intent.amount, intent.currency) == (order.total, order.currency)
            and hold.show.date_time > now
        ):
            try:
                with transaction.atomic():
                    _promo_taken_again(order, now)
                    hold_book(hold, user=order.user, now=now, receipt=_receipt(order, payment), order=order.pk)
                booked = True
            except (SeatTaken, SeatsChanged, HoldNotActive, PromoUsedUp):
                pass
        payment.save()
        order.payment_status, order.payment_error = IntentStatus.SUCCEEDED, ""
        if booked:
            order.status, order.paid_at = Order.Status.PAID, now
        elif order.status in (Order.Status.PENDING_PAYMENT, Order.Status.EXPIRED):
            order.status, order.ended_at = Order.Status.EXPIRED, order.ended_at or now
            if hold.status == Hold.Status.ACTIVE:
                hold_free(hold, user=order.user, now=now)
        order.save(update_fields=["status", "paid_at", "ended_at", "payment_status", "payment_error"])
        if not booked:
            reason = Refund.Reason.LATE if order.paid_at is None else Refund.Reason.ALREADY_SETTLED
            refund_record(payment, amount=payment.amount, reason=reason, by=None, now=now)
        after_commit(
            lambda: log_event(
                "order_payment_succeeded", order_id=order.pk, payment_id=payment.pk, booked=booked, intent=intent.ref
            )
        )
        return order


def _payment_canceled(order: Order, intent: Intent) -> Order:
    """A cancelled intent can never be paid: an order waiting for it is cancelled, its seats freed."""
    now = timezone.now()
    with _order_change(order, action="pay_cancelled", now=now) as (hold, order):
        if order.payment_status == IntentStatus.SUCCEEDED:
            return order
        order.payment_status, order.payment_error = IntentStatus.CANCELED, "The payment was cancelled."
        if order.status in (Order.Status.PENDING_PAYMENT, Order.Status.EXPIRED):
            if hold.status == Hold.Status.ACTIVE:
                hold_free(hold, user=order.user, now=now)
            ended = Order.Status.EXPIRED if order.state(now) == Order.Status.EXPIRED else Order.Status.CANCELLED
            order.status, order.ended_at = ended, order.ended_at or now
        order.save(update_fields=["status", "ended_at", "payment_status", "payment_error"])
        return order


def provider_event(*, provider: str, event_id: str, event_type: str, obj: dict[str, object]) -> bool:
    """Act on a verified webhook event once: False when it was seen before.
    The event is recorded in the transaction that acts on it, so a failure
    leaves it unrecorded and the provider's retry acts on it again."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProviderEvent.objects.create(provider=provider, event_id=event_id, event_type=event_type)
        except IntegrityError:
            return False
        if event_type.startswith("payment_intent."):
            payment_seen(Intent.of(obj))
    return True


def orders_reconcile(*, now: datetime | None = None, limit: int = 200) -> int:
    """Ask the provider about orders that have waited for it longer than
    PAYMENT_RECONCILE_AFTER_MINUTES (a webhook lost or late), and settle them
    as the webhook would have; an expired order's intent is cancelled, so that
    it can no longer be paid. Returns how many were asked about. A provider
    that does not answer is asked again next time."""
    now = now or timezone.now()
    waiting = (
        Order.objects.filter(
            status__in=[Order.Status.PENDING_PAYMENT, Order.Status.EXPIRED, Order.Status.CANCELLED],
            created_at__lte=now - timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES),
        )
        .exclude(payment_intent="")
        .exclude(payment_status__in=[IntentStatus.SUCCEEDED, IntentStatus.CANCELED])
        .order_by("created_at")[:limit]
    )
    asked = 0
    for order in waiting:
        asked += 1
        try:
            intent = STRIPE.intent_retrieve(order.payment_intent)
            if intent.status not in ("succeeded", "canceled", "processing") and order.state(now) != (
                Order.Status.PENDING_PAYMENT
            ):
                intent = STRIPE.intent_cancel(order.payment_intent)
            payment_seen(intent)
        except Exception:  # one order's trouble must not stop the others
            logging.getLogger(__name__).exception("reconciling order %s failed", order.pk)
    return asked


# Refunds


@dataclass(frozen=True)
class Quote:
    """What cancelling a paid order would give back now, and until when."""

    amount: Decimal
    fee: Decimal
    until: datetime


def refund_quote(order: Order, starts: datetime, now: datetime) -> Quote | None:
    """A customer's cancellation of a paid order: the total less REFUND_FEE,
    until REFUND_CUTOFF_MINUTES before the show; None when none is possible."""
    until = starts - timedelta(minutes=settings.REFUND_CUTOFF_MINUTES)
    if order.status != Order.Status.PAID or now >= until:
        return None
    back = order.total - (Decimal("0") if settings.BOOKING_FEE_REFUNDABLE else order.fee)
    fee = min(settings.REFUND_FEE, back)
    return Quote(amount=back - fee, fee=fee, until=until)


def order_refund(
    *, order_id: int, by: User, seat_numbers: list[int] | None = None, amount: Decimal | None = None
) -> Order:
    """Staff refund a paid order, in full or for some of its seats: those seats
    are freed and their tickets void; ``amount`` (default: their prices) goes
    back from the order's payments. The whole order refunded is ``refunded``,
    part of it ``partially_refunded``."""
    order = Order.objects.filter(pk=order_id).select_related("user").first()
    if order is None:
        raise NotFound("Order not found.")
    now = timezone.now()
    with _order_change(order, action="refund", now=now) as (hold, order):
        if order.status not in (Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED):
            raise OrderNotPending(f"This order is {order.status}; only a paid order can be refunded.")
        _refund_seats(
            order,
            show=hold.show,
            by=by,
            amount=amount,
            fee=Decimal("0"),
            reason=Refund.Reason.STAFF,
            now=now,
            seats=seat_numbers,
        )
        return order


def _refund_seats(
    order: Order,
    *,
    show: Show,
    by: User,
    amount: Decimal | None,
    fee: Decimal,
    reason: str,
    now: datetime,
    seats: list[int] | None = None,
) -> None:
    """Under the show's and the order's locks: cancel the seats, then record the refunds."""
    cancelled = purchase_cancel(show=show, reference=order.reference, by=by, now=now, seat_numbers=seats)
    if seats is not None and len(cancelled) != len(set(seats)):
        raise FieldError("Only booked seats of this order can be refunded.", field="seat_numbers")
    left = _refundable(order)
    still_booked = Booking.objects.filter(reference=order.reference, status=Booking.Status.BOOKED).exists()
    if amount is None:
        give = sum((b.price for b in cancelled), _fee_back(order, cancelled, all_gone=not still_booked)) - fee
    else:
        give = amount
    if give < 0 or give > left:
        raise FieldError(f"A refund of this order is between 0 and {left} {order.currency}.", field="amount")
    for payment in order.payments.select_for_update().order_by("taken_at", "pk"):
        part = min(give, payment.amount - payment.refunded)
        if part > 0:
            refund_record(payment, amount=part, reason=reason, by=by, now=now, fee=fee)
            give, fee = give - part, Decimal("0")
    order.status = Order.Status.PARTIALLY_REFUNDED if still_booked else Order.Status.REFUNDED
    order.ended_at = None if still_booked else now
    order.save(update_fields=["status", "ended_at"])
    _tell_of_refund(order, now)


def _fee_back(order: Order, cancelled: list[Booking], *, all_gone: bool) -> Decimal:
    """The booking fee a refund of these seats gives back: none unless
    BOOKING_FEE_REFUNDABLE; then each seat's fee, and the order's own part
    with its last seat."""
    if not settings.BOOKING_FEE_REFUNDABLE:
        return Decimal("0")
    fees = {line["seat_number"]: Decimal(line.get("fee", "0")) for line in order.seats}
    per_ticket = sum((fees.get(b.seat_number, Decimal("0")) for b in cancelled), Decimal("0"))
    per_order = order.fee - sum(fees.values(), Decimal("0"))
    return per_ticket + (per_order if all_gone else Decimal("0"))


def refund_record(
    payment: Payment, *, amount: Decimal, reason: str, by: User | None, now: datetime, fee: Decimal = Decimal("0")
) -> Refund:
    """Record a refund from a payment, in the caller's transaction; the provider
    is asked once it commits (outbox kind REFUND). The box office's is handed
    over at the counter: done at once."""
    Payment.objects.filter(pk=payment.pk).update(refunded=F("refunded") + amount)
    at_counter = payment.provider == Payment.Provider.BOX_OFFICE
    refund = Refund.objects.create(
        payment=payment,
        amount=amount,
        currency=payment.currency,
        fee=fee,
        reason=reason,
        status=Refund.Status.SUCCEEDED if at_counter else Refund.Status.PENDING,
        created_by=by,
        created_at=now,
        done_at=now if at_counter else None,
    )
    if not at_counter:
        message_enqueue(
            kind=REFUND, key=f"{REFUND}:{refund.pk}", recipient=payment.provider, data={"refund": refund.pk}
        )
    after_commit(lambda: log_event("refund_recorded", refund_id=refund.pk, payment_id=payment.pk, amount=str(amount)))
    return refund


def deliver_refund(message: Message) -> None:
    refund_send(int(message.data["refund"]))


def refund_send(refund_id: int) -> None:
    """The outbox's delivery of a refund: ask its provider (with an idempotency
    key), then record the answer. A provider that does not answer raises (the
    outbox tries again); one that refuses marks the refund failed for staff."""
    refund = Refund.objects.select_related("payment").filter(pk=refund_id).first()
    if refund is None or refund.status != Refund.Status.PENDING:
        return
    try:
        ref = PROVIDERS[refund.payment.provider].refund(refund)
    except ProviderRefused as exc:
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.FAILED, failure=str(exc)[:500], done_at=timezone.now()
        )
        log_event("refund_failed", level=logging.ERROR, refund_id=refund.pk, reason=str(exc))
        return
    with transaction.atomic():
        now = timezone.now()
        done = Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.SUCCEEDED, provider_ref=ref, done_at=now
        )
        if done and refund.reason in (Refund.Reason.LATE, Refund.Reason.ALREADY_SETTLED):
            _tell_of_refund(refund.payment.order, now)


def _tell_of_refund(order: Order, now: datetime) -> None:
    message_enqueue(
        kind=REFUNDED,
        key=f"{REFUNDED}:{order.pk}:{now.isoformat()}",
        recipient=order.user.email,
        data={"order": order.pk},
    )


def _refundable(order: Order) -> Decimal:
    left = order.payments.aggregate(left=Sum(F("amount") - F("refunded")))["left"]
    return left or Decimal("0")


def _receipt(order: Order, payment: Payment | None) -> dict[str, str]:
    """What the confirmation e-mail says of the money: the order's sums, and how it was paid."""
    if payment is None:
        how, amount, at = "nothing to pay", Decimal("0"), order.created_at
    else:
        how = {
            Payment.Provider.STRIPE: "by card online",
            Payment.Provider.BOX_OFFICE: f"at the box office ({payment.method})",
        }[Payment.Provider(payment.provider)]
        amount, at = payment.amount, payment.taken_at
    return {
        "amount": str(amount),
        "currency": order.currency,
        "how": how,
        "at": f"{timezone.localtime(at):%d %b %Y %H:%M}",
        "subtotal": str(order.subtotal),
        "discount": str(order.discount),
        "fee": str(order.fee),
        "promo_code": order.promo_code.code if order.promo_code is not None else "",
    }


def _intent_status(intent: Intent) -> str:
    if intent.status == "requires_payment_method" and intent.error:
        return IntentStatus.DECLINED
    if intent.status in IntentStatus.values:
        return intent.status
    return IntentStatus.PROCESSING  # requires_confirmation, requires_capture: on its way


def _order_paid_by(intent: Intent) -> Order | None:
    order = Order.objects.filter(payment_intent=intent.ref).select_related("user").first()
    if order is None and intent.order_id is not None:  # an intent the order lost a race with, paid anyway
        order = Order.objects.filter(pk=intent.order_id).select_related("user").first()
    return order


def box_office_sale(
    *,
    show_id: int,
    seat_labels: list[str],
    method: str,
    by: User,
    customer: User | None = None,
    seats: Sequence[Choice] = (),
    promo_code: str = "",
) -> Order:
    """A walk-in sale at the counter: the seats held, ordered (as the ticket types
    chosen, with a promo code, never a booking fee) and paid in one transaction,
    so either the customer leaves with tickets or nothing is recorded. Sold to
    ``customer`` (whose receipt then goes to them) or, for an anonymous walk-in,
    to the staff member selling. Staff sell any seat (bookings.services.hold_create's
    ``staff``): seats blocked for the show (their block ends) or kept off sale by
    the screen, a companion seat alone, a choice that leaves a single seat."""
    buyer = customer or by
    with transaction.atomic():
        hold = hold_create(user=buyer, show_id=show_id, seat_labels=seat_labels, seats_field="seats", staff=True)
        order = order_create(user=buyer, hold_id=hold.pk, seats=seats, promo_code=promo_code, online=False)
        if order.status == Order.Status.PAID:  # it cost nothing
            return order
        return order_pay_at_box_office(order_id=order.pk, method=method, by=by).order


def refuse_release_of_ordered_hold(hold: Hold) -> None:
    """A hold that an order holds is given up by cancelling the order (bookings.services.release_checks)."""
    order = Order.objects.filter(hold=hold).values_list("pk", flat=True).first()
    if order is not None:
        raise HoldNotActive(
            f"This hold belongs to order {order}: cancel the order instead (POST /orders/{order}/cancel/).",
            order=order,
        )


def refuse_cancel_of_ordered_booking(booking: Booking) -> None:
    """A seat of an order goes back with the order and its refund (bookings.services.cancel_one_checks)."""
    order = Order.objects.filter(reference=booking.reference).values_list("pk", flat=True).first()
    if order is not None:
        raise BookingOfOrder(
            f"This seat was bought with order {order}: cancel the order (POST /orders/{order}/cancel/), "
            "which refunds it, or staff refund it from the admin.",
            order=order,
        )


def promo_uses(now: datetime) -> Count:
    """A promo code's uses now, as an annotation of codes (pricing.selectors.with_uses)."""
    return Count("orders", filter=Order.counting(now, prefix="orders__"))


# Holds an order points at outlive HOLD_RETENTION_DAYS (bookings.services.kept_holds).
ORDERED = Q(order__isnull=False)


@contextmanager
def _order_change(
    order: Order, *, action: str, now: datetime, user: User | None = None, refuse_started: str | None = None
) -> Iterator[tuple[Hold, Order]]:
    """The order's hold and the order itself, each locked, after the show's lock
    (hold_change): the order every change of an order takes them in. ``user``:
    whose hold it is (by default the order's customer)."""
    with hold_change(
        hold_id=order.hold_id, user=user or order.user, action=action, now=now, refuse_started=refuse_started
    ) as hold:
        yield hold, Order.objects.select_for_update(of=("self",)).select_related("user").get(pk=order.pk)


def _order_of(order_id: int, user: User) -> Order:
    order = Order.objects.filter(pk=order_id, user=user).first()
    if order is None:
        raise NotFound("Order not found.")
    return order
