"""Admin pieces every app may use."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.http import HttpRequest

from .exceptions import ServiceError

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:  # not subscriptable at run time
    _ModelAdmin = admin.ModelAdmin


class ReadOnlyAdmin(_ModelAdmin):
    """Rows only services write (holds, check-ins, messages, delivery attempts): staff
    read them, and change them only through the admin's actions, which call the services."""

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


Call = tuple[str, Callable[[], object]]  # a row's label, and the service call to make for it


def act_on_each(model_admin: admin.ModelAdmin[Any], request: HttpRequest, calls: Iterable[Call], done: str) -> None:
    """Run an admin action's service call for each selected row: a refusal is a warning
    naming the row (``label``), the rest go on; ``done`` reports how many succeeded ({n})."""
    succeeded = 0
    for label, call in calls:
        try:
            call()
            succeeded += 1
        except ServiceError as exc:
            model_admin.message_user(request, f"{label}: {exc.message}", messages.WARNING)
    if succeeded:
        model_admin.message_user(request, done.format(n=succeeded), messages.SUCCESS)
