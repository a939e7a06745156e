from django.contrib import admin, messages
from django.utils import timezone

from core.exceptions import ServiceError

from . import services
from .models import Booking, Hold


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
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
        "price",
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
    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Cancel selected bookings")
    def cancel_bookings(self, request, queryset):
        cancelled = 0
        for booking_id in queryset.values_list("id", flat=True):
            try:
                services.booking_cancel(booking_id=booking_id, by=request.user, own_only=False)
                cancelled += 1
            except ServiceError as exc:
                self.message_user(request, f"Booking {booking_id}: {exc.message}", messages.WARNING)
        if cancelled:
            self.message_user(request, f"Cancelled {cancelled} booking(s).", messages.SUCCESS)


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    """Holds per show, active and ended, read-only: customers make and end them."""

    list_display = ["id", "show", "user", "state", "seat_labels", "created_at", "expires_at", "extended"]
    list_filter = ["status", "show__screen", "show"]
    list_select_related = ["show__movie", "show__screen", "user"]
    search_fields = ["user__username", "show__movie__title", "=reference"]
    readonly_fields = [field.name for field in Hold._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="status")
    def state(self, hold: Hold) -> str:
        return hold.state(timezone.now())

    @admin.display(description="seats")
    def seat_labels(self, hold: Hold) -> str:
        return ", ".join(seat["label"] for seat in hold.seats)
