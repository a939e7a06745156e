from functools import partial

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.auth import customer
from core.admin import ReadOnlyAdmin, act_on_each

from . import services
from .models import Entry


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    """Waiting list entries in turn, read-only; staff take one off the list for a
    customer, or run a show's turn of the list now instead of at the next sweep."""

    list_display = ["id", "show", "user", "seats", "state", "position", "created_at", "offered_at", "hold"]
    list_filter = ["status", "show__screen", "show"]
    list_select_related = ["user", "show__movie", "show__screen", "hold"]
    search_fields = ["user__username", "user__email"]
    ordering = ["show", "created_at", "id"]
    actions = ["remove", "offer_now"]

    @admin.display(description="status")
    def state(self, entry: Entry) -> str:
        return entry.state(timezone.now())

    @admin.display(description="place in queue")
    def position(self, entry: Entry) -> int | None:
        return services.entry_position(entry)

    @admin.action(description="Take off the waiting list (a standing offer's seats are released)")
    def remove(self, request: HttpRequest, queryset: QuerySet[Entry]) -> None:
        calls = [
            (
                f"Entry {entry.pk}",
                partial(services.entry_leave, user=entry.user, show_id=entry.show_id, by=customer(request)),
            )
            for entry in queryset.filter(status__in=services.ACTIVE).select_related("user")
        ]
        act_on_each(self, request, calls, "{n} entr(ies) taken off the waiting list.")

    @admin.action(description="Offer seats that came back to these shows' lists now")
    def offer_now(self, request: HttpRequest, queryset: QuerySet[Entry]) -> None:
        shows = set(queryset.values_list("show_id", flat=True))
        made = sum(services.show_offers(show_id=show_id) for show_id in shows)
        self.message_user(request, f"{made} offer(s) made.")
