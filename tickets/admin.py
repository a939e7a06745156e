"""The door in the admin: check-in status on bookings, progress on shows, and
checking in or undoing through the same services as the API.

Bookings' and shows' admins are extended here, not in their apps, because
bookings and catalog know nothing of check-ins (apps import downwards only).
"""

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.auth import customer
from bookings import selectors as bookings_selectors
from bookings.admin import BookingAdmin
from bookings.models import Booking
from catalog.admin import ShowAdmin
from catalog.models import Show
from core.admin import ReadOnlyAdmin, act_on_each

from . import selectors, services
from .models import CheckIn


class CheckedInFilter(admin.SimpleListFilter):
    title = "checked in"
    parameter_name = "checked_in"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # The bookings come annotated with checked_in_at (selectors.with_check_in).
        if self.value() in ("yes", "no"):
            return queryset.filter(checked_in_at__isnull=self.value() == "no")
        return queryset


admin.site.unregister(Booking)


@admin.register(Booking)
class TicketBookingAdmin(BookingAdmin):
    list_display = [*BookingAdmin.list_display, "checked_in"]
    list_filter = [BookingAdmin.list_filter[0], CheckedInFilter, *BookingAdmin.list_filter[1:]]
    readonly_fields = [*BookingAdmin.readonly_fields, "checked_in"]
    actions = [*BookingAdmin.actions, "check_in", "undo_check_in"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Booking]:
        return selectors.with_check_in(super().get_queryset(request))

    @admin.display(description="checked in", ordering="checked_in_at")
    def checked_in(self, booking: Booking) -> str:
        checked_in_at = getattr(booking, "checked_in_at", None)
        return f"{timezone.localtime(checked_in_at):%Y-%m-%d %H:%M}" if checked_in_at else "—"

    @admin.action(description="Check selected tickets in")
    def check_in(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        calls = [
            (f"Ticket {pk}", partial(services.check_in_create, code=code, by=customer(request), device="admin"))
            for pk, code in queryset.values_list("id", "code")
        ]
        act_on_each(self, request, calls, "Checked in {n} ticket(s).")

    @admin.action(description="Undo the check-in of selected tickets")
    def undo_check_in(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        active = CheckIn.objects.filter(booking__in=queryset.values("id"), ended_at__isnull=True)
        calls = [
            (f"Ticket {booking_id}", partial(services.check_in_undo, check_in_id=pk, by=customer(request)))
            for pk, booking_id in active.values_list("id", "booking_id")
        ]
        act_on_each(self, request, calls, "Undid the check-in of {n} ticket(s).")


admin.site.unregister(Show)


@admin.register(Show)
class ShowCheckInAdmin(ShowAdmin):
    readonly_fields = [*ShowAdmin.readonly_fields, "check_in_progress", "seat_map", "sales"]

    @admin.display(description="seats")
    def seat_map(self, show: Show) -> str:
        """The live seat map: free, held, booked, and checked in."""
        if show.pk is None:
            return "—"
        seats = bookings_selectors.seat_map(show_id=show.pk)
        inside = set(
            CheckIn.objects.filter(booking__show=show, ended_at__isnull=True).values_list(
                "booking__seat_number", flat=True
            )
        )
        legend: dict[str, int] = {}
        for row in seats["layout"]:
            for seat in row["seats"]:
                if seat["seat_number"] in inside:
                    seat["status"] = "checked_in"
                legend[seat["status"]] = legend.get(seat["status"], 0) + 1
        summary = ", ".join(f"{count} {state}" for state, count in legend.items())
        return render_to_string(
            "catalog/admin/seat_grid.html",
            {"rows": seats["layout"], "legend": sorted(legend.items()), "summary": f"Seat map: {summary}"},
        )

    @admin.display(description="sales")
    def sales(self, show: Show) -> str:
        if show.pk is None:
            return "—"
        sold = Booking.objects.filter(Booking.sold(), show=show).aggregate(seats=Count("id"), revenue=Sum("price"))
        shown = 200
        bookings = list(
            selectors.with_check_in(Booking.objects.tickets().filter(show=show))
            .select_related("user")
            .order_by("seat_number", "id")[: shown + 1]
        )
        return render_to_string(
            "tickets/admin/show_bookings.html",
            {
                "sold": sold["seats"],
                "capacity": show.total_seats,
                "share": round(100 * sold["seats"] / show.total_seats) if show.total_seats else 0,
                "revenue": f"{sold['revenue'] or 0:.2f}",
                "currency": settings.CURRENCY,
                "bookings": bookings[:shown],
                "more": len(bookings) > shown,
                "changelist": reverse("admin:bookings_booking_changelist") + f"?show__id__exact={show.pk}",
            },
        )

    class Media:
        css = {"all": ["catalog/admin/seat_grid.css"]}

    @admin.display(description="check-in")
    def check_in_progress(self, show: Show) -> str:
        if show.pk is None:
            return "—"
        counts = selectors.check_in_summary(show_id=show.pk)
        share = f" ({100 * counts['checked_in'] / counts['sold']:.0f}%)" if counts["sold"] else ""
        checked_in, sold, remaining = counts["checked_in"], counts["sold"], counts["remaining"]
        return f"{checked_in} of {sold} sold tickets checked in{share}, {remaining} to come"


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    """Every scan that let someone in, and the ones undone or replaced: read-only, the door's history."""

    list_display = ["id", "booking", "scanned_at", "by", "device", "recorded_at", "ended_at", "end_reason", "ended_by"]
    list_filter = ["end_reason", "booking__show__date_time", "booking__show"]
    list_select_related = ["booking__show__movie", "booking__show__screen", "by", "ended_by"]
    search_fields = ["=booking__id", "=booking__code", "by__username", "device"]
    actions = ["undo"]

    @admin.action(description="Undo selected check-ins")
    def undo(self, request: HttpRequest, queryset: QuerySet[CheckIn]) -> None:
        calls = [
            (f"Check-in {pk}", partial(services.check_in_undo, check_in_id=pk, by=customer(request)))
            for pk in queryset.filter(ended_at__isnull=True).values_list("id", flat=True)
        ]
        act_on_each(self, request, calls, "Undid the check-in of {n} ticket(s).")
