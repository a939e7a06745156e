"""The password reset e-mail, rendered by the outbox at delivery."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User


def render_password_reset(data: dict[str, Any]) -> EmailMultiAlternatives | None:
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    if user is None:
        return None
    # Made now, not when asked: the outbox never holds a usable token.
    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    context = {
        "cinema_name": settings.CINEMA_NAME,
        "user": user,
        "uid": uid,
        "token": token,
        "link": settings.PASSWORD_RESET_LINK.format(uid=uid, token=token) if settings.PASSWORD_RESET_LINK else "",
        "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }
    email = EmailMultiAlternatives(
        subject=f"{settings.CINEMA_NAME}: reset your password",
        body=render_to_string("accounts/email/password_reset.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    email.attach_alternative(render_to_string("accounts/email/password_reset.html", context), "text/html")
    return email
