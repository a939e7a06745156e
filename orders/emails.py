"""The customer's e-mail about money given back (outbox kind services.REFUNDED)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Order


def render_refunded(data: dict[str, Any]) -> EmailMultiAlternatives | None:
    order = Order.objects.select_related("user", "show__movie", "show__screen").filter(pk=data["order"]).first()
    if order is None:
        return None
    refunds = [refund for payment in order.payments.all() for refund in payment.refunds.all()]
    context = {
        "cinema_name": settings.CINEMA_NAME,
        "order": order,
        "user": order.user,
        "movie": order.show.movie,
        "starts": timezone.localtime(order.show.date_time),
        "refunds": refunds,
        "refunded": sum((refund.amount for refund in refunds), start=0),
        "paid": sum((payment.amount for payment in order.payments.all()), start=0),
    }
    return EmailMultiAlternatives(
        subject=f"{settings.CINEMA_NAME}: your refund for {order.show.movie.title}",
        body=render_to_string("orders/email/order_refunded.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
