"""Money is Decimal from the price list to the receipt, rounded in one place.

The rule: every amount that is computed rather than typed (a percentage off a
seat) is rounded per order line, half up, to the currency's minor unit; sums
of rounded lines are exact, so totals always add up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Currencies without a minor unit (Stripe's list): amounts are whole.
ZERO_DECIMAL = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()  # noqa: SIM905  # as Stripe lists them
)


def exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit (EUR 2, JPY 0)."""
    return 0 if currency.upper() in ZERO_DECIMAL else 2


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


def rounded(amount: Decimal, currency: str) -> Decimal:
    """The rounding rule: half up, to the currency's minor unit."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """An amount in the currency's smallest unit, as providers count it (12.50 EUR is 1250)."""
    return int(rounded(amount, currency).scaleb(exponent(currency)))


def from_minor(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-exponent(currency)).quantize(quantum(currency))
