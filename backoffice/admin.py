from django.contrib import admin

from accounts.admin import LockoutAdminAuthenticationForm
from accounts.models import User


class BoxOfficeLoginForm(LockoutAdminAuthenticationForm):
    """The admin's log-in, with its lockout: staff, and door staff for the door page."""

    def confirm_login_allowed(self, user: User) -> None:
        if user.is_active and user.has_perm("tickets.check_in"):
            return
        super().confirm_login_allowed(user)


admin.site.login_form = BoxOfficeLoginForm
