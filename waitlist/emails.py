"""The customer's e-mail with an offer from the waiting list (outbox kind services.OFFER_EMAIL)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Entry


def offer_link(entry: Entry) -> str:
    """Where the customer takes the offer: the cinema's page (WAITING_LIST_OFFER_LINK,
    with {hold} and {show}), or the API's hold."""
    assert entry.hold_id is not None
    if settings.WAITING_LIST_OFFER_LINK:
        return settings.WAITING_LIST_OFFER_LINK.format(hold=entry.hold_id, show=entry.show_id)
    return f"/holds/{entry.hold_id}/"


def render_offer(data: dict[str, Any]) -> EmailMultiAlternatives | None:
    entry = Entry.objects.select_related("user", "hold", "show__movie", "show__screen").filter(pk=data["entry"]).first()
    now = timezone.now()
    if entry is None or entry.hold is None or entry.state(now) != Entry.Status.OFFERED:
        return None  # the offer ended before the message went out: nothing to take any more
    context = {
        "cinema_name": settings.CINEMA_NAME,
        "user": entry.user,
        "movie": entry.show.movie,
        "screen": entry.show.screen,
        "starts": timezone.localtime(entry.show.date_time),
        "seat_labels": [seat["label"] for seat in entry.hold.seats],
        "until": timezone.localtime(entry.hold.expires_at),
        "link": offer_link(entry),
        "hold": entry.hold_id,
        "pay_first": settings.BOOKING_REQUIRES_PAYMENT,
    }
    return EmailMultiAlternatives(
        subject=f"{settings.CINEMA_NAME}: seats for {entry.show.movie.title} are held for you",
        body=render_to_string("waitlist/email/offer.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
