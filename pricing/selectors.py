from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db.models import Aggregate, IntegerField, QuerySet, Value
from django.utils import timezone

from .models import PromoCode

# What counts as a use of a code is the orders' business (Order.counting):
# orders adds its annotation here in ready(), as pricing sits below it.
uses_counted: list[Callable[[datetime], Aggregate]] = []


def with_uses(codes: QuerySet[PromoCode], now: datetime | None = None) -> QuerySet[PromoCode]:
    """Codes with ``uses``: how many orders use each now, in the same query."""
    now = now or timezone.now()
    uses = uses_counted[0](now) if uses_counted else Value(0, output_field=IntegerField())
    return codes.annotate(uses=uses).prefetch_related("movies", "shows", "ticket_types")
