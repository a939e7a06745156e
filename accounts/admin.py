from typing import Any

from axes.admin import AccessAttemptAdmin as BaseAccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import StaffAdmin

from .exceptions import LockedOut
from .lockout import login_authenticate
from .models import User
from .services import USERNAME_TAKEN, username_taken


class CanonicalUsernameMixin(forms.ModelForm[User]):
    """Staff get a form error, not a database error, for a name another account already has."""

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if username_taken(username, exclude_pk=self.instance.pk):
            raise forms.ValidationError(USERNAME_TAKEN, code="unique")
        return username


class UserAddForm(CanonicalUsernameMixin, AdminUserCreationForm[User]):
    class Meta(AdminUserCreationForm.Meta):
        model = User


class UserEditForm(CanonicalUsernameMixin, UserChangeForm[User]):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(StaffAdmin, BaseUserAdmin[User]):
    add_form = UserAddForm
    form = UserEditForm


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)

    @admin.register(AccessAttempt)
    class AccessAttemptAdmin(StaffAdmin, BaseAccessAttemptAdmin):  # type: ignore[misc]  # django-axes has no type hints
        @admin.action(description="Clean up expired attempts")
        def cleanup_expired_attempts(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> Any:
            # django-axes dates the expiry from the time of the log-in being made, which
            # it puts on the request only during a log-in; here the time is now (None).
            request.axes_attempt_time = None  # type: ignore[attr-defined]  # django-axes's own attribute
            return super().cleanup_expired_attempts(request, queryset)


class LockoutAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's log-in goes through the same lockout as POST /login/."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            assert self.request is not None, "the admin passes the request to its log-in form"
            try:
                self.user_cache = login_authenticate(self.request, username=username, password=password)
            except LockedOut as exc:
                raise forms.ValidationError(exc.message, code="locked_out") from exc
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
