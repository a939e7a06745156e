"""Stripe's webhook events, checked with their signature before anything reads them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings

from core.exceptions import NotFound, ServiceError


class BadSignature(ServiceError):
    code = "bad_signature"


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    obj: dict[str, Any]


def verified_event(payload: bytes, signature: str) -> Event:
    """The event in ``payload`` if Stripe signed it with STRIPE_WEBHOOK_SECRET
    within the last five minutes (stripe.Webhook), BadSignature otherwise."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise NotFound("No Stripe webhook is configured here.")
    try:
        event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except stripe.SignatureVerificationError as exc:
        raise BadSignature("The Stripe-Signature header does not match this body.") from exc
    except ValueError as exc:  # not JSON, or not an object
        raise BadSignature("The body is not a Stripe event.") from exc
    try:
        obj = event["data"]["object"]
        return Event(
            id=str(event["id"]), type=str(event["type"]), obj=obj.to_dict() if hasattr(obj, "to_dict") else obj
        )
    except (KeyError, TypeError) as exc:
        raise BadSignature("The body is not a Stripe event.") from exc
