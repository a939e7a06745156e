from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_default_ticket_type(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """The default ticket type exists wherever the tables do: made by the
    migrations, and again after a flush (which empties it, as tests do) and
    for a DEFAULT_TICKET_TYPE set to a new code."""
    from django.conf import settings

    from .models import TicketType

    code = settings.DEFAULT_TICKET_TYPE
    TicketType.objects.using(using).get_or_create(code=code, defaults={"name": code.replace("_", " ").title()})


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers

        post_migrate.connect(ensure_default_ticket_type, sender=self)
