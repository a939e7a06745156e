"""An order's lines priced: ticket types' list prices, a promo code's discount,
the booking fee, and the totals. Pure: no database, so every rule of the
arithmetic is here and property-tested (pricing/tests/test_quote.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from .models import PromoKind
from .money import rounded

ZERO = Decimal("0")


@dataclass(frozen=True)
class Line:
    """One seat of an order before any discount."""

    seat_number: int
    label: str
    ticket_type: str
    list_price: Decimal
    discount: Decimal = ZERO
    fee: Decimal = ZERO

    @property
    def price(self) -> Decimal:
        """What the seat costs: its list price less its discount (the fee is apart)."""
        return self.list_price - self.discount


@dataclass(frozen=True)
class Discount:
    """What a promo code does to the lines it applies to (``types``: None for every type)."""

    kind: str
    value: Decimal
    types: frozenset[str] | None = None

    def applies_to(self, line: Line) -> bool:
        return self.types is None or line.ticket_type in self.types


@dataclass(frozen=True)
class Fee:
    """The booking fee: ``amount`` per ticket or per order."""

    amount: Decimal
    per: str  # "ticket" or "order"


NO_FEE = Fee(ZERO, "order")


@dataclass(frozen=True)
class Priced:
    lines: tuple[Line, ...]
    currency: str
    order_fee: Decimal  # the part of the fee charged per order, not per ticket

    @property
    def subtotal(self) -> Decimal:
        return sum((line.list_price for line in self.lines), ZERO)

    @property
    def discount(self) -> Decimal:
        return sum((line.discount for line in self.lines), ZERO)

    @property
    def fee(self) -> Decimal:
        return sum((line.fee for line in self.lines), self.order_fee)

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount + self.fee


def price_lines(lines: Sequence[Line], *, currency: str, discount: Discount | None, fee: Fee) -> Priced:
    """Apply ``discount`` and ``fee`` to the lines (kept in their order).

    percent: each line it applies to loses that share of its list price,
    rounded per line (money.rounded). amount: that much off the order, taken
    from the lines it applies to in their order, never more than a line's
    price. free_seats: that many of the dearest lines it applies to cost
    nothing. No line costs less than nothing and every sum is of rounded lines.
    """
    priced = [replace(line, list_price=rounded(line.list_price, currency), discount=ZERO, fee=ZERO) for line in lines]
    if discount is not None:
        eligible = [i for i, line in enumerate(priced) if discount.applies_to(line)]
        if discount.kind == PromoKind.PERCENT:
            for i in eligible:
                off = rounded(priced[i].list_price * discount.value / 100, currency)
                priced[i] = replace(priced[i], discount=min(off, priced[i].list_price))
        elif discount.kind == PromoKind.AMOUNT:
            left = rounded(discount.value, currency)
            for i in eligible:
                off = min(left, priced[i].list_price)
                priced[i] = replace(priced[i], discount=off)
                left -= off
        elif discount.kind == PromoKind.FREE_SEATS:
            dearest = sorted(eligible, key=lambda i: (-priced[i].list_price, priced[i].seat_number))
            for i in dearest[: int(discount.value)]:
                priced[i] = replace(priced[i], discount=priced[i].list_price)
        else:
            raise ValueError(f"no such discount kind: {discount.kind}")
    amount = rounded(fee.amount, currency)
    if fee.per == "ticket":
        priced = [replace(line, fee=amount) for line in priced]
    order_fee = amount if fee.per == "order" and priced else ZERO
    return Priced(lines=tuple(priced), currency=currency, order_fee=order_fee)
