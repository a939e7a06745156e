"""What the orders' money adds up to."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from .models import Payment, Refund


def takings(start: datetime, end: datetime) -> dict[str, Any]:
    """The money taken between ``start`` and ``end``, less what went back in that time:
    at the box office per method (what the till should hold), online, and refunded
    (recorded, whether or not the provider has paid it out yet)."""
    taken = {
        (provider, method): total
        for provider, method, total in Payment.objects.filter(taken_at__gte=start, taken_at__lt=end)
        .values("provider", "method")
        .annotate(total=Sum("amount"))
        .values_list("provider", "method", "total")
    }
    counter = {
        method: taken.get((Payment.Provider.BOX_OFFICE, method), Decimal("0")) for method in Payment.Method.values
    }
    online = sum((t for (provider, _), t in taken.items() if provider == Payment.Provider.STRIPE), Decimal("0"))
    refunded = Refund.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        status=Refund.Status.FAILED
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    gross = sum(taken.values(), Decimal("0"))
    return {
        "counter": counter,
        "counter_total": sum(counter.values(), Decimal("0")),
        "online": online,
        "refunded": refunded,
        "net": gross - refunded,
    }
