"""The payment providers behind one small interface: the box office and Stripe.

A provider is asked only outside any transaction and any lock (the caller
reads and writes the order before and after), each call bounded in time
(STRIPE_TIMEOUT_SECONDS per attempt, STRIPE_MAX_NETWORK_RETRIES retries), and
each call that changes something at the provider carries an idempotency key.
What the project guarantees does not rest on the provider honouring those
keys: a refund looks for an earlier attempt of itself before it is sent
(Stripe.refund), and an order keeps the first PaymentIntent made for it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

import stripe
from django.conf import settings
from django.db import connection

from core.exceptions import Conflict, ServiceError
from pricing.money import from_minor, to_minor

if TYPE_CHECKING:
    from .models import Order, Refund


class ProviderUnavailable(ServiceError):
    """The provider did not answer in time or at all: nothing changed here; try again shortly."""

    status_code = 503
    code = "payment_provider_unavailable"
    headers = {"Retry-After": "5"}


class OnlinePaymentOff(Conflict):
    """No STRIPE_SECRET_KEY: this cinema is paid at the box office only."""

    code = "online_payment_off"


class ProviderRefused(ServiceError):
    """The provider refused the request itself (not the card): a 502 with its reason."""

    status_code = 502
    code = "payment_provider_refused"


@dataclass(frozen=True)
class Intent:
    """A provider's payment attempt for one order, as the provider sees it now."""

    ref: str
    status: str  # Stripe's: requires_payment_method, requires_action, processing, succeeded, canceled, ...
    amount: Decimal
    currency: str
    client_secret: str
    order_id: int | None  # from the metadata the order put on it
    error: str  # why the last attempt failed ("Your card was declined."), or ""

    @classmethod
    def of(cls, obj: Any) -> Intent:
        """From a PaymentIntent, fetched or inside a webhook event."""
        currency = str(obj.get("currency") or "").upper()
        received = obj.get("amount_received") or obj.get("amount") or 0
        metadata = obj.get("metadata") or {}
        order = str(metadata.get("order", ""))
        error = obj.get("last_payment_error") or {}
        return cls(
            ref=str(obj.get("id", "")),
            status=str(obj.get("status", "")),
            amount=from_minor(int(received), currency),
            currency=currency,
            client_secret=str(obj.get("client_secret") or ""),
            order_id=int(order) if order.isdigit() else None,
            error=str(error.get("message") or "")[:500],
        )


class Provider(Protocol):
    name: str

    def refund(self, refund: Refund) -> str:
        """Give the refund's amount back; the provider's id of it ("" if it has none)."""
        ...


class BoxOffice:
    """Money taken at the counter goes back at the counter: a staff member hands it over."""

    name = "box_office"

    def refund(self, refund: Refund) -> str:
        return ""


class Stripe:
    """Stripe's PaymentIntents, through Stripe's official library."""

    name = "stripe"

    def intent_create(self, order: Order) -> Intent:
        params: Any = {
            "amount": to_minor(order.total, order.currency),
            "currency": order.currency.lower(),
            "payment_method_types": ["card"],
            "metadata": {"order": str(order.pk), "reference": str(order.reference)},
        }
        return self._call(lambda c: c.payment_intents.create(params, {"idempotency_key": f"order-{order.pk}-intent"}))

    def intent_retrieve(self, ref: str) -> Intent:
        return self._call(lambda c: c.payment_intents.retrieve(ref))

    def intent_cancel(self, ref: str) -> Intent:
        return self._call(lambda c: c.payment_intents.cancel(ref, None, {"idempotency_key": f"cancel-{ref}"}))

    def refund(self, refund: Refund) -> str:
        # An earlier attempt of this refund may have reached Stripe before its
        # answer was lost: find it by its metadata instead of refunding twice.
        ref = refund.payment.provider_ref
        client = _client()
        try:
            for earlier in client.v1.refunds.list({"payment_intent": ref, "limit": 100}).data:
                metadata = earlier.to_dict().get("metadata") or {}
                if metadata.get("refund") == str(refund.pk):
                    return str(earlier.id)
            made = client.v1.refunds.create(
                {
                    "payment_intent": ref,
                    "amount": to_minor(refund.amount, refund.currency),
                    "metadata": {"refund": str(refund.pk), "order": str(refund.payment.order_id)},
                },
                {"idempotency_key": f"refund-{refund.pk}"},
            )
        except stripe.StripeError as exc:
            raise _translated(exc) from exc
        return str(made.id)

    def _call(self, call: Any) -> Intent:
        try:
            return Intent.of(call(_client().v1).to_dict())
        except stripe.StripeError as exc:
            raise _translated(exc) from exc


def _translated(exc: stripe.StripeError) -> ServiceError:
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError) or (exc.http_status or 500) >= 500:
        return ProviderUnavailable("The payment provider is not answering; nothing was charged. Try again shortly.")
    return ProviderRefused(f"The payment provider refused: {exc.user_message or 'no reason given'}.")


def _client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise OnlinePaymentOff("This cinema takes no payment online: pay at the box office.")
    if connection.in_atomic_block:  # a lock or a transaction would wait for the provider
        raise RuntimeError("a payment provider is never asked inside a transaction")
    return _client_for(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE,
        settings.STRIPE_TIMEOUT_SECONDS,
        settings.STRIPE_MAX_NETWORK_RETRIES,
    )


@functools.lru_cache(maxsize=4)  # one per configuration: its HTTP session keeps connections open
def _client_for(key: str, base: str, timeout: float, retries: int) -> stripe.StripeClient:
    return stripe.StripeClient(
        key,
        base_addresses={"api": base},
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


BOX_OFFICE = BoxOffice()
STRIPE = Stripe()
PROVIDERS: dict[str, Provider] = {BOX_OFFICE.name: BOX_OFFICE, STRIPE.name: STRIPE}
