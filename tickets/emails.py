"""The customer's e-mails about their tickets: the confirmation, with each
ticket's QR code and a calendar invite, and the cancellation.

Rendered by the outbox at delivery (outbox/registry.py) from the purchase
reference or the booking id, so the booking's transaction only writes a row.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from email.mime.image import MIMEImage
from typing import Any

import icalendar
import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from bookings.codes import display_code
from bookings.models import Booking
from bookings.services import CANCELLED, CONFIRMED
from catalog.layouts import STANDARD
from catalog.models import Show, TicketType

from . import signing

__all__ = ["CANCELLED", "CONFIRMED", "render_cancellation", "render_confirmation"]


def _email(template: str, subject: str, context: dict[str, Any]) -> EmailMultiAlternatives:
    context = {"cinema_name": settings.CINEMA_NAME, **context}
    email = EmailMultiAlternatives(
        subject=f"{settings.CINEMA_NAME}: {subject}",
        body=render_to_string(f"tickets/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    email.attach_alternative(render_to_string(f"tickets/email/{template}.html", context), "text/html")
    return email


def _show_context(show: Show) -> dict[str, Any]:
    starts = timezone.localtime(show.date_time)
    return {"show": show, "movie": show.movie, "screen": show.screen, "starts": starts}


def render_confirmation(data: dict[str, Any]) -> EmailMultiAlternatives | None:
    tickets = list(
        Booking.objects.filter(reference=data["reference"], status=Booking.Status.BOOKED)
        .select_related("user", "show__movie", "show__screen")
        .order_by("seat_number")
    )
    if not tickets:  # every seat cancelled before the message went out: nothing to confirm
        return None
    show = tickets[0].show
    types = {kind.code: kind for kind in TicketType.objects.filter(code__in={t.ticket_type_id for t in tickets})}
    paid = data.get("paid")  # a paid order's receipt: amount, currency, how, at; subtotal, discount, fee, promo_code
    fee = Decimal(paid.get("fee", "0")) if paid else Decimal("0")
    context = {
        **_show_context(show),
        "user": tickets[0].user,
        "reference": data["reference"],
        "tickets": [
            {
                "seat_label": t.seat_label,
                "ticket_type": types[t.ticket_type_id].name if t.ticket_type_id in types else t.ticket_type_id,
                "note": types[t.ticket_type_id].note if t.ticket_type_id in types else "",
                "list_price": t.price + t.discount,
                "discount": t.discount,
                "price": t.price,
                "code": display_code(t.code),
                "cid": f"ticket-{t.pk}",
            }
            for t in tickets
        ],
        "subtotal": sum(t.price + t.discount for t in tickets),
        "discount": sum(t.discount for t in tickets),
        "fee": fee,
        "total": sum((t.price for t in tickets), fee),
        "currency": tickets[0].currency,
        "paid": paid,
        # Where wheelchair users get in, for purchases with a wheelchair space or a companion seat.
        "step_free": settings.STEP_FREE_ENTRANCE if _accessible(show, tickets) else "",
    }
    seats = ", ".join(t.seat_label for t in tickets)
    email = _email(
        "booking_confirmed", f"your tickets for {show.movie.title}, {context['starts']:%a %d %b %H:%M}", context
    )
    # The HTML shows each QR code from an inline part (cid:), so it works offline and without remote images.
    email.mixed_subtype = "related"  # type: ignore[attr-defined]  # Django's attribute, missing from its stubs
    for ticket in tickets:
        email.attach(_qr_image(ticket))
    email.attach("invite.ics", _invite(show, data["reference"], seats), "text/calendar; method=PUBLISH; charset=utf-8")
    return email


def _accessible(show: Show, tickets: list[Booking]) -> bool:
    plan = show.screen.plan
    return any((seat := plan.seat(t.seat_number)) is not None and seat.kind != STANDARD for t in tickets)


def _qr_image(ticket: Booking) -> MIMEImage:
    payload = signing.sign(signing.Claims(ticket=ticket.pk, show=ticket.show_id, seat=ticket.seat_label))
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=5, border=4)
    image = MIMEImage(buffer.getvalue(), "png")
    image.add_header("Content-ID", f"<ticket-{ticket.pk}>")
    image.add_header("Content-Disposition", "inline", filename=f"ticket-{ticket.seat_label}.png")
    return image


def _invite(show: Show, reference: str, seats: str) -> bytes:
    """An iCalendar event at the show's time in the cinema's time zone (with its VTIMEZONE)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.CINEMA_NAME}//tickets//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    starts = timezone.localtime(show.date_time)
    event.add("uid", f"{reference}@{settings.EMAIL_MESSAGE_ID_DOMAIN}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", starts)
    event.add("dtend", starts + timedelta(minutes=show.movie.duration_minutes))
    event.add("summary", show.movie.title)
    event.add("location", f"{settings.CINEMA_NAME}, {show.screen.name}")
    event.add("description", f"Seats {seats}. Purchase {reference}.")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical


def render_cancellation(data: dict[str, Any]) -> EmailMultiAlternatives | None:
    booking = Booking.objects.select_related("user", "show__movie", "show__screen").get(pk=data["booking"])
    context = {**_show_context(booking.show), "user": booking.user, "booking": booking}
    subject = f"cancelled: {booking.show.movie.title}, {context['starts']:%a %d %b %H:%M}, seat {booking.seat_label}"
    return _email("booking_cancelled", subject, context)
