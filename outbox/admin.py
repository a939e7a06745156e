from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin

from . import services
from .models import Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """Every e-mail and webhook delivery the service made or will make; failed ones can be sent again."""

    list_display = ["id", "kind", "recipient", "status", "attempts", "created_at", "sent_at", "next_attempt_at"]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["recipient", "=key"]
    actions = ["send_again"]

    @admin.action(description="Send selected failed messages again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        failed = list(queryset.filter(status=Message.Status.FAILED).values_list("pk", flat=True))
        for message_id in failed:
            services.message_send_again(message_id=message_id)
        skipped = queryset.count() - len(failed)
        if skipped:
            self.message_user(request, f"{skipped} message(s) were not failed and were left alone.", messages.WARNING)
        if failed:
            self.message_user(request, f"{len(failed)} message(s) queued again.", messages.SUCCESS)
