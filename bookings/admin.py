from functools import partial

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from accounts.auth import customer
from catalog.layouts import normalize_label
from catalog.models import Show
from core.admin import ReadOnlyAdmin, StaffAdmin, act_on_each
from core.exceptions import ServiceError

from . import services
from .models import Booking, Hold


class BlockForm(forms.Form):
    show = forms.ModelChoiceField(queryset=Show.objects.none(), help_text="Upcoming shows.")
    seats = forms.CharField(max_length=2000, help_text="Seat labels, separated by commas or spaces: F7, F8.")
    reason = forms.CharField(max_length=100, help_text='Why, e.g. "house seats" or "camera position".')

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        field = self.fields["show"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Show.objects.filter(date_time__gt=timezone.now()).select_related("movie", "screen")

    def clean_seats(self) -> list[str]:
        words = [word for word in self.cleaned_data["seats"].replace(",", " ").split() if word]
        labels = [normalize_label(word) for word in words]
        bad = [word for word, label in zip(words, labels, strict=True) if label is None]
        if bad or not labels:
            raise forms.ValidationError("Name seats by their labels, e.g. F7, F8.")
        return sorted({label for label in labels if label is not None})


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
        "block_reason",
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
        "block_reason",
        "reference",
        "created_at",
        "cancelled_at",
        "cancelled_by",
    ]
    actions = ["cancel_bookings", "release_blocked_seats"]
    change_list_template = "admin/bookings/booking/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        block = path("block/", self.admin_site.admin_view(self.block), name="bookings_booking_block")
        return [block, *super().get_urls()]

    def block(self, request: HttpRequest) -> HttpResponse:
        """Keep seats of a show off sale (bookings.services.seats_block)."""
        form = BlockForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.seats_block(
                    show_id=data["show"].pk, by=customer(request), seat_labels=data["seats"], reason=data["reason"]
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    f"Blocked {', '.join(data['seats'])} of {data['show']}: {data['reason']}.",
                    messages.SUCCESS,
                )
                changelist = reverse("admin:bookings_booking_changelist")
                return HttpResponseRedirect(f"{changelist}?status__exact=blocked&show__id__exact={data['show'].pk}")
        context = {
            **self.admin_site.each_context(request),
            "title": "Block seats of a show",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/bookings/booking/block.html", context)

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

    @admin.action(description="Release selected blocked seats: on sale again")
    def release_blocked_seats(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        shows: dict[int, list[int]] = {}
        for show_id, number in queryset.filter(status=Booking.Status.BLOCKED).values_list("show_id", "seat_number"):
            shows.setdefault(show_id, []).append(number)
        calls = [
            (
                f"Show {show_id}",
                partial(services.seats_release, show_id=show_id, by=customer(request), seat_numbers=numbers),
            )
            for show_id, numbers in shows.items()
        ]
        act_on_each(self, request, calls, "Released the blocked seats of {n} show(s).")


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
