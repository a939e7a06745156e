from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import models
from django.db.models.functions import Lower


class UserManager(BaseUserManager):
    def get_by_natural_key(self, username: str):
        # Log-in ignores case, matching the case-insensitive uniqueness below.
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A customer or a member of staff (``is_staff``)."""

    objects = UserManager()

    class Meta:
        constraints = [
            # "Alice" and "alice" are one account: nobody can register a
            # look-alike of an existing name.
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]
