"""Admin pieces every app may use."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.http import HttpRequest, HttpResponse

from .exceptions import ServiceError

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
    _ModelMultipleChoiceField = forms.ModelMultipleChoiceField[Any]
else:  # not subscriptable at run time
    _ModelAdmin = admin.ModelAdmin
    _ModelMultipleChoiceField = forms.ModelMultipleChoiceField


def is_key(field: models.Field[Any, Any], value: object) -> bool:
    """Whether a form's ``value`` can be looked up in ``field`` without the database
    refusing it: a number, and one the column can hold (SQLite can not bind an integer
    over 64 bits at all)."""
    try:
        value = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(value, int):
        target = getattr(field, "target_field", field)  # a key that is a relation (one-to-one): its target
        low, high = connection.ops.integer_field_range(target.get_internal_type())
        return (low is None or value >= low) and (high is None or value <= high)
    return True


class CheckedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, which looks the submitted value up again to show
    the form once more; a value that is no key ("abc") made that query raise."""

    def optgroups(self, name: str, value: Sequence[str], attr: Any = None) -> Any:
        # The field the widget looks values up in, found as Django's optgroups finds it.
        meta = self.field.remote_field.model._meta
        key = meta.get_field(getattr(self.field.remote_field, "field_name", meta.pk.attname))
        return super().optgroups(name, [item for item in value if is_key(key, item)], attr)


class CheckedAutocompleteSelectMultiple(CheckedAutocompleteSelect, AutocompleteSelectMultiple):
    pass


class CheckedModelMultipleChoiceField(_ModelMultipleChoiceField):
    """Django's, refusing a value that is no key as the form error it gives for "abc",
    before its ``IN`` query can fail on it (an integer over 64 bits, on SQLite)."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple) and self.queryset is not None:
            meta = self.queryset.model._meta
            key = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
            for item in value:
                if not is_key(key, item):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                    )
        return super().clean(value)


class CheckedChangeList(ChangeList):
    """Django's list, taking filters the database can not run for the bad filters
    they are (the list again, marked as an error): a date drill-down past the
    calendar's ends (``?date_time__year=10000``), whose date arithmetic Django does
    outside its check for bad dates, and on SQLite an id past 64 bits
    (``?show=99999999999999999999999``), which it can not bind."""

    def get_filters(self, request: HttpRequest) -> Any:
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_results(self, request: HttpRequest) -> None:
        try:
            super().get_results(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc


REFUSED = "_refused_while_saving"


class StaffAdmin(_ModelAdmin):
    """The base of every admin page (the site gives it to every registered admin,
    Django's and other apps' too): no input gives a 500.

    Related-object fields refuse values that are no key as form errors, and an
    action's selection that is no list of keys is a message (Django lets both reach
    the database); a list filter the database can not run is a bad filter
    (CheckedChangeList). And a rule that refuses only when the row is saved, under
    its lock (a hold taken between the form's checks and the save, say), is shown
    on the form with the staff member's input, like the checks' own refusals: the
    admin's transaction has rolled back, so nothing is saved, and the form is
    validated once more with the refusal added.
    """

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest | None = None, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", CheckedModelMultipleChoiceField)
        assert request is not None, "the admin passes the request"
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CheckedChangeList

    def response_action(self, request: HttpRequest, queryset: Any, *args: Any, **kwargs: Any) -> HttpResponse | None:
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_key(self.model._meta.pk, pk) for pk in selected):
            self.message_user(request, "Tick the rows to act on in the list.", messages.WARNING)
            return None  # the list again, nothing done
        return super().response_action(request, queryset, *args, **kwargs)

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except (ServiceError, ValidationError) as exc:
            if getattr(request, REFUSED, None) is not None:
                raise  # refused again although the form now refuses first: a bug, not a race
            setattr(request, REFUSED, exc.message if isinstance(exc, ServiceError) else exc.messages)
            return super().changeform_view(request, *args, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        # change by name: the user admin's get_form takes it only among the keywords.
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal: str | list[str] | None = getattr(request, REFUSED, None)
        if refusal is None:
            return form
        reason: str | list[str] = refusal

        class Refused(form):  # type: ignore[valid-type,misc]
            def clean(self) -> Any:
                super().clean()
                raise ValidationError(reason)

        return Refused


class ReadOnlyAdmin(StaffAdmin):
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
