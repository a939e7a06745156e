from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin, StaffAdmin
from outbox.services import message_send_again

from . import services
from .models import SUBSCRIBABLE, Attempt, Endpoint


class EndpointAdminForm(forms.ModelForm[Endpoint]):
    """No Meta: the admin builds the fields. The events are ticked, not typed as JSON;
    a URL deliveries would refuse is refused on the form."""

    events = forms.MultipleChoiceField(
        choices=[(event, event) for event in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        help_text="The event types it receives.",
    )

    def clean_events(self) -> list[str]:
        return services.endpoint_events(self.cleaned_data["events"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.cleaned_data.get("url"):
            services.endpoint_check_url(self.cleaned_data["url"])
        return self.cleaned_data


@admin.register(Endpoint)
class EndpointAdmin(StaffAdmin):
    form = EndpointAdminForm
    list_display = ["id", "url", "description", "active", "consecutive_failures", "deactivated_reason", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    readonly_fields = ["signing_secret", "created_at", "consecutive_failures", "deactivated_reason"]
    fields = ["url", "description", "events", "active", *readonly_fields]
    actions = ["ping"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="secret")
    def signing_secret(self, endpoint: Endpoint) -> str:
        # Shown in full once, when the endpoint is added (save_model); after that only its end.
        return f"whsec_…{endpoint.secret[-6:]}" if endpoint.pk else "made when saved"

    def save_model(self, request: HttpRequest, obj: Endpoint, form: Any, change: bool) -> None:
        if not change:
            obj.save()
            self.message_user(request, f"The signing secret, shown this once: {obj.secret}", messages.WARNING)
            return
        if obj.active and not Endpoint.objects.get(pk=obj.pk).active:
            obj.consecutive_failures, obj.deactivated_reason = 0, ""
        obj.save()

    @admin.action(description="Send a test event (ping)")
    def ping(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            services.endpoint_ping(endpoint=endpoint)
        self.message_user(request, f"Sent a ping to {queryset.count()} endpoint(s).", messages.SUCCESS)


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    """Every delivery attempt, with what the receiver answered; an event can be sent again."""

    list_display = ["created_at", "endpoint", "event_type", "event_id", "status_code", "duration_ms", "error"]
    list_filter = ["event_type", "status_code", "endpoint"]
    search_fields = ["=event_id"]
    actions = ["send_again"]

    @admin.action(description="Send the events of selected attempts again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Attempt]) -> None:
        message_ids = set(queryset.values_list("message_id", flat=True))
        for message_id in message_ids:
            message_send_again(message_id=message_id)
        self.message_user(request, f"{len(message_ids)} event(s) queued again.", messages.SUCCESS)
