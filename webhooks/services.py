"""Webhook events: written to the outbox in the transaction that makes the change,
one message per subscribed endpoint, so an event exists exactly when its change
committed. Apps call ``event_emit`` inside their transactions."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from outbox.models import Message
from outbox.services import messages_enqueue

from . import queries
from .delivery import KIND, check_url
from .models import EVENT_TYPES, Endpoint


def subscriptions() -> dict[str, list[Endpoint]]:
    """Active endpoints by the event types they receive, in one query (the table is
    small: grouped here, which also works where the database can not search JSON)."""
    by_type: dict[str, list[Endpoint]] = {}
    for endpoint in queries.active_endpoints():
        for event_type in endpoint.events:
            by_type.setdefault(event_type, []).append(endpoint)
    return by_type


def event_emit(*, event_type: str, data: dict[str, Any], endpoints: list[Endpoint] | None = None) -> str | None:
    """Queue an event for ``endpoints`` (by default, every endpoint that subscribes to it;
    a caller emitting several events passes them from one ``subscriptions()``).
    Returns the event's id, None when nobody listens."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    endpoints = subscriptions().get(event_type, []) if endpoints is None else endpoints
    if not endpoints:
        return None
    event = {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": event_type,
        "created_at": timezone.now().isoformat(),
        # Decimals and times as JSON strings, as the receiver will read them.
        "data": json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
    }
    messages_enqueue(
        [
            Message(key=f"{KIND}:{event['id']}:{endpoint.pk}", kind=KIND, recipient=str(endpoint.pk), data=event)
            for endpoint in endpoints
        ]
    )
    return str(event["id"])


def endpoint_events(events: list[str]) -> list[str]:
    """An endpoint's event types as they are stored, whoever sets them: each once, sorted."""
    return sorted(set(events))


def endpoint_check_url(url: str) -> None:
    """Refuse, when it is saved, a URL that deliveries would refuse (they check again each time)."""
    from django.core.exceptions import ValidationError

    from .delivery import Refused

    try:
        check_url(url)
    except Refused as exc:
        raise ValidationError({"url": [str(exc)]}) from exc
    except OSError as exc:
        raise ValidationError({"url": [f"The host name does not resolve: {exc}"]}) from exc


def endpoint_ping(*, endpoint: Endpoint) -> str:
    """Send a test event to one endpoint, subscribed to it or not."""
    with transaction.atomic():
        event_id = event_emit(event_type="ping", data={"endpoint": endpoint.pk}, endpoints=[endpoint])
    assert event_id is not None
    return event_id
