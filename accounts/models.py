from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import models

from .identity import collision_key, username_key


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # Log-in finds the account by the canonical key, which the database
        # keeps unique: one name can never match two accounts.
        return self.get(username_key=username_key(username or ""))


class User(AbstractUser):
    """A customer or a member of staff (``is_staff``)."""

    # The canonical form of ``username`` (accounts/identity.py), kept on every
    # save, whoever saves: sign-up, the admin, createsuperuser, scripts.
    username_key = models.CharField(max_length=300, unique=True, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    def save(self, *args: Any, **kwargs: Any) -> None:
        key = username_key(self.username)
        # An account that shared its name with an older one when keys were
        # introduced keeps the marked key the migration gave it until renamed.
        if self.username_key != collision_key(key, self.pk):
            self.username_key = key
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_key"}
        super().save(*args, **kwargs)
