"""Any change to the catalog retires the cached public catalog responses."""

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from core.db import after_commit
from core.httpcache import bump

from .models import Genre, Movie, Screen, Show, TicketType


@receiver([post_save, post_delete], sender=Movie)
@receiver([post_save, post_delete], sender=Show)
@receiver([post_save, post_delete], sender=Screen)
@receiver([post_save, post_delete], sender=Genre)
@receiver([post_save, post_delete], sender=TicketType)
@receiver(m2m_changed, sender=Movie.genres.through)
def catalog_changed(**kwargs: Any) -> None:
    # After the commit, so no request can cache the old rows under the new version.
    after_commit(lambda: bump("catalog"))


@receiver(post_delete, sender=TicketType)
def ticket_type_deleted(instance: TicketType, **kwargs: Any) -> None:
    """A type deleted (never one that was sold: tickets PROTECT it) leaves the price grids."""
    for model in (Screen, Show):
        for row in model.objects.filter(ticket_prices__has_key=instance.code):
            row.ticket_prices.pop(instance.code, None)
            model.objects.filter(pk=row.pk).update(ticket_prices=row.ticket_prices)
