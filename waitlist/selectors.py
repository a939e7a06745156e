"""Reads of the waiting list (through the ORM)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import Entry


def entries_of(*, user_id: int) -> QuerySet[Entry]:
    """The customer's entries, newest first, each with its show, movie, screen,
    offer and place in the queue (``ahead``: waiting entries before it) in
    one query."""
    ahead = (
        Entry.objects.filter(show=OuterRef("show"), status=Entry.Status.WAITING)
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")))
        .order_by()
        .values("show")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Entry.objects.filter(user_id=user_id)
        .select_related("show__movie", "show__screen", "hold")
        .annotate(ahead=Coalesce(Subquery(ahead, output_field=IntegerField()), 0))
        .order_by("-created_at", "-id")
    )
