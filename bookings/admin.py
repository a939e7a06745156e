from functools import partial

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.auth import customer
from core.admin import ReadOnlyAdmin, StaffAdmin, act_on_each

from . import services
from .models import Booking, Hold


@admin.register(Booking)
class BookingAdmin(StaffAdmin):
    list_display = [
        "id",
        "user",
        "show",
        "seat_label",
        "seat_number",
        "price",
        "status",
        "created_at",
        "cancelled_at",
        "cancelled_by",
    ]
    list_filter = ["status", "show__screen", "show__date_time", "show"]
    list_select_related = ["user", "show__movie", "show__screen", "cancelled_by"]
    search_fields = ["user__username", "user__email", "show__movie__title", "=seat_number", "=seat_label", "=reference"]
    readonly_fields = [
        "user",
        "show",
        "seat_number",
        "seat_label",
        "ticket_type",
        "price",
        "discount",
        "currency",
        "status",
        "reference",
        "created_at",
        "cancelled_at",
        "cancelled_by",
    ]
    actions = ["cancel_bookings"]

    # Bookings are made by customers through the API (under the show lock)
    # and only changed by the cancel action, never edited by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Booking | None = None) -> bool:
        return False

    @admin.action(description="Cancel selected bookings")
    def cancel_bookings(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        calls = [
            (f"Booking {pk}", partial(services.booking_cancel, booking_id=pk, by=customer(request), own_only=False))
            for pk in queryset.values_list("id", flat=True)
        ]
        act_on_each(self, request, calls, "Cancelled {n} booking(s).")


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    """Holds per show, active and ended, read-only: customers make and end them."""

    list_display = ["id", "show", "user", "state", "seat_labels", "created_at", "expires_at", "extended"]
    list_filter = ["status", "show__screen", "show"]
    list_select_related = ["show__movie", "show__screen", "user"]
    search_fields = ["user__username", "show__movie__title", "=reference"]

    @admin.display(description="status")
    def state(self, hold: Hold) -> str:
        return hold.state(timezone.now())

    @admin.display(description="seats")
    def seat_labels(self, hold: Hold) -> str:
        return ", ".join(seat["label"] for seat in hold.seats)
