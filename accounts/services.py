from __future__ import annotations

import uuid

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.http import urlsafe_base64_decode
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from core.events import log_event
from outbox.models import Message
from outbox.services import message_enqueue

from .exceptions import InvalidResetToken
from .identity import username_key, validate_single_script
from .models import User

PASSWORD_RESET = "password_reset"  # the outbox kind, rendered by accounts.emails
PASSWORD_RESET_REQUEST = "password_reset_request"  # the outbox kind delivered by password_reset_fan_out

USERNAME_TAKEN = "A user with that username already exists."


def username_taken(username: str, *, exclude_pk: int | None = None) -> bool:
    """Whether another account has this name in its canonical form (accounts/identity.py)."""
    others = User.objects.filter(username_key=username_key(username))
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def user_create(*, username: str, password: str, email: str = "") -> User:
    """Register a customer. Raises ValidationError for a taken or look-alike name or a weak password."""
    try:
        validate_single_script(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from exc
    user = User(username=User.normalize_username(username), email=email)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    if username_taken(username):
        raise ValidationError({"username": USERNAME_TAKEN})
    user.set_password(password)
    try:
        # Two sign-ups with one name can both pass the check above; the
        # unique canonical key decides.
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError({"username": USERNAME_TAKEN}) from exc
    return user


def user_change_password(*, user: User, old_password: str, new_password: str) -> None:
    """Set a new password and revoke every refresh token issued to the user so far:
    whoever may have learned the old password loses the sessions it opened."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": "The current password is not correct."})
    _set_password(user, new_password)


def _set_password(user: User, new_password: str) -> None:
    """Validate and set a password, and revoke every refresh token issued to the user so far."""
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        tokens = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
        BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in tokens])


def password_reset_request(*, email: str) -> None:
    """Queue the request for a reset e-mail; the worker finds the accounts (``password_reset_fan_out``).

    The caller answers the same whatever happens here, and the request does
    the same work whether the address has an account or not (one INSERT), so
    neither the answer nor its timing tells anyone whether it has.
    """
    with transaction.atomic():
        message_enqueue(
            kind=PASSWORD_RESET_REQUEST,
            key=f"{PASSWORD_RESET_REQUEST}:{uuid.uuid4()}",  # every request is a new e-mail
            recipient=email,
            data={"email": email},
        )


def password_reset_fan_out(message: Message) -> None:
    """Deliver a reset request: one reset e-mail to every active account with the address that has a password.

    Keyed on the request, so a delivery tried again after it queued some of them queues each once.
    """
    # The domain in lower case, as accounts keep it: iexact alone folds only ASCII on SQLite.
    email = User.objects.normalize_email(message.data["email"])
    users = [user for user in User.objects.filter(email__iexact=email, is_active=True) if user.has_usable_password()]
    keys = {user.pk: f"{PASSWORD_RESET}:{message.key.partition(':')[2]}:{user.pk}" for user in users}
    queued = set(Message.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    with transaction.atomic():
        for user in users:
            if keys[user.pk] not in queued:
                message_enqueue(kind=PASSWORD_RESET, key=keys[user.pk], recipient=user.email, data={"user": user.pk})
                log_event("password_reset_requested", user_id=user.pk)


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password with a reset e-mail's uid and token (one use, PASSWORD_RESET_TIMEOUT
    long: the token is bound to the password it replaces) and revoke every refresh token."""
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uid)), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        raise InvalidResetToken("This reset link is invalid, used or expired; ask for a new one.")
    _set_password(user, new_password)
    log_event("password_reset", user_id=user.pk)
    return user
