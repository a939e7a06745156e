from django.contrib import admin, messages
from django.db import models

from core.admin import ReadOnlyAdmin
from outbox.services import message_send_again

from . import services
from .models import Attempt, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
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

    def save_model(self, request, obj, form, change):
        services.endpoint_check_url(obj.url)
        if not change:
            obj.save()
            self.message_user(request, f"The signing secret, shown this once: {obj.secret}", messages.WARNING)
            return
        if obj.active and not Endpoint.objects.get(pk=obj.pk).active:
            obj.consecutive_failures, obj.deactivated_reason = 0, ""
        obj.save()

    @admin.action(description="Send a test event (ping)")
    def ping(self, request, queryset):
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
    def send_again(self, request, queryset):
        message_ids = set(queryset.values_list("message_id", flat=True))
        for message_id in message_ids:
            message_send_again(message_id=message_id)
        self.message_user(request, f"{len(message_ids)} event(s) queued again.", messages.SUCCESS)
