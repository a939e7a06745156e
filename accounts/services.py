from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from .identity import username_key, validate_single_script
from .models import User

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
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        tokens = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
        BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in tokens])
