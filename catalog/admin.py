from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.admin import StaffAdmin
from core.exceptions import ServiceError

from . import services
from .layouts import STANDARD, SeatPlan
from .models import Genre, Movie, Screen, Show, TicketType
from .selectors import occupied_seat_count, sold_filter

SHOW_FIELDS = ["movie", "screen", "date_time", "price", "tier_prices"]
SAVED_FIELDS = [*SHOW_FIELDS, "ticket_prices"]


@contextmanager
def refusals_as_form_errors() -> Iterator[None]:
    """A service's refusal (409 in the API) shows on the form like any other error."""
    try:
        yield
    except ServiceError as exc:
        raise forms.ValidationError(exc.message) from exc


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, each with its own accessible name: the field's
    label points at the date input only, which leaves the time input unnamed."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.widgets[0].attrs["aria-label"] = "Date"
        self.widgets[1].attrs["aria-label"] = "Time"


class ShowAdminForm(forms.ModelForm[Show]):
    """Checks the scheduling rules (overlaps, the past, booked seats) as the API does."""

    class Meta:
        model = Show
        fields = SHOW_FIELDS
        widgets = {"date_time": LabelledSplitDateTime()}

    def clean_date_time(self) -> datetime:
        # The time input shows whole seconds; a show scheduled through the API may have
        # a fraction of one, which sent back unchanged must not count as moving the show
        # (refused once it has bookings).
        date_time: datetime = self.cleaned_data["date_time"]
        old = self.instance.date_time if self.instance.pk else None
        if old is not None and date_time == old.replace(microsecond=0):
            return old
        return date_time

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        movie = cleaned.get("movie") or getattr(self.instance, "movie", None)
        if movie and cleaned.get("screen") and cleaned.get("date_time"):
            with refusals_as_form_errors():
                cleaned["tier_prices"] = services.show_validate(
                    show=Show.objects.get(pk=self.instance.pk) if self.instance.pk else None,
                    movie=movie,
                    screen=cleaned["screen"],
                    date_time=cleaned["date_time"],
                    tier_prices=cleaned.get("tier_prices"),
                )
        return cleaned


class PriceGrid:
    """A grid of prices by ticket type (rows) and seat tier (columns) on an admin
    page, written to a ``ticket_prices`` object (catalog.services.clean_ticket_prices).
    On a show, an empty cell takes the screen's price and "not sold" withholds
    the type; on a screen, an empty cell means the type is not sold there."""

    def __init__(self, form: forms.BaseForm, *, tiers: list[str], current: dict[str, Any], of_show: bool) -> None:
        self.form, self.of_show = form, of_show
        self.types = list(TicketType.objects.exclude(code=settings.DEFAULT_TICKET_TYPE))
        self.tiers = tiers
        self.rows: list[tuple[str, ...]] = []
        for kind in self.types:
            cells = current.get(kind.code) or {}
            row = []
            for tier in tiers:
                name = f"grid_{kind.code}_{tier}"
                form.fields[name] = forms.DecimalField(
                    label=f"{kind.name}, {tier}",
                    required=False,
                    min_value=0,
                    max_digits=8,
                    decimal_places=2,
                    initial=cells.get(tier),
                )
                row.append(name)
            if of_show:
                name = f"grid_{kind.code}_off"
                form.fields[name] = forms.BooleanField(
                    label=f"{kind.name}: not sold",
                    required=False,
                    initial=kind.code in current and current[kind.code] is None,
                )
                row.append(name)
            self.rows.append(tuple(row))

    def cleaned(self) -> dict[str, Any]:
        data = self.form.cleaned_data
        grid: dict[str, Any] = {}
        for kind in self.types:
            if self.of_show and data.get(f"grid_{kind.code}_off"):
                grid[kind.code] = None
                continue
            cells = {
                tier: str(data[f"grid_{kind.code}_{tier}"])
                for tier in self.tiers
                if data.get(f"grid_{kind.code}_{tier}") is not None
            }
            if cells:
                grid[kind.code] = cells
        return grid

    @staticmethod
    def fieldset(rows: list[tuple[str, ...]], what: str) -> tuple[str, dict[str, Any]]:
        return ("Prices by ticket type", {"fields": rows, "description": what})


class ShowPricesForm(ShowAdminForm):
    """A show's page: one price field per tier of its screen's layout instead of JSON.

    On a new show the screen is not chosen yet: every tier of any screen gets a
    field, and a price for a tier the chosen screen lacks is refused on that field.
    """

    class Meta(ShowAdminForm.Meta):
        fields = [name for name in SHOW_FIELDS if name != "tier_prices"]

    @staticmethod
    def tiers_of(show: Show | None) -> list[str]:
        """The tiers priced on this show's page: its screen's, or every screen's for a new show."""
        screens = [show.screen] if show is not None and show.pk else list(Screen.objects.all())
        return sorted({tier for screen in screens for tier in screen.plan.tiers} - {STANDARD})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.tier_prices if self.instance.pk else {}
        self.tier_fields: dict[str, str] = {}
        for tier in self.tiers_of(self.instance):
            name = f"price_{tier}"
            self.fields[name] = forms.DecimalField(
                label=f"Price, {tier} seats",
                required=False,
                min_value=0,
                max_digits=8,
                decimal_places=2,
                initial=current.get(tier),
                help_text="Empty: the price above." + ("" if self.instance.pk else " Only for screens with this tier."),
            )
            self.tier_fields[tier] = name
        tiers = sorted(self.instance.screen.plan.tiers) if self.instance.pk else [STANDARD, *self.tiers_of(None)]
        self.grid = PriceGrid(
            self, tiers=tiers, current=self.instance.ticket_prices if self.instance.pk else {}, of_show=True
        )

    def clean(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        cleaned["ticket_prices"] = self.grid.cleaned()
        prices = {tier: cleaned[name] for tier, name in self.tier_fields.items() if cleaned.get(name) is not None}
        screen = cleaned.get("screen")
        if screen is not None:
            for tier in [tier for tier in prices if tier not in screen.plan.tiers]:
                self.add_error(self.tier_fields[tier], f"{screen.name} has no {tier} seats; leave this empty.")
                del prices[tier]
        cleaned["tier_prices"] = {tier: str(price) for tier, price in prices.items()}
        if screen is not None:
            try:
                cleaned["ticket_prices"] = services.clean_ticket_prices(
                    tiers=screen.plan.tiers, ticket_prices=cleaned["ticket_prices"], of_show=True
                )
            except ValidationError as exc:
                self.add_error(None, exc.messages)
        try:
            return super().clean()
        except ValidationError as exc:  # the scheduling rules name tier_prices, which this form shows as fields
            raise ValidationError(exc.messages) from exc


SCREEN_FIELDS = ["name", "layout", *services.SEATING_FIELDS]


class ScreenAdminForm(forms.ModelForm[Screen]):
    class Meta:
        model = Screen
        fields = SCREEN_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tiers = sorted(self.instance.plan.tiers) if self.instance.pk else [STANDARD]
        self.grid = PriceGrid(
            self, tiers=tiers, current=self.instance.ticket_prices if self.instance.pk else {}, of_show=False
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        tiers = SeatPlan(cleaned["layout"], validate=False).tiers if cleaned.get("layout") else {STANDARD}
        try:
            cleaned["ticket_prices"] = services.clean_ticket_prices(
                tiers=tiers, ticket_prices=self.grid.cleaned(), of_show=False
            )
        except ValidationError as exc:  # a price for a tier the new layout lacks, for one
            raise ValidationError(exc.messages) from exc
        if cleaned.get("layout"):  # errors by field: sweet_row, sweet_place, unsold_seats
            cleaned["unsold_seats"] = services.screen_check_seating(
                plan=SeatPlan(cleaned["layout"], validate=False),
                sweet_row=cleaned.get("sweet_row") or "",
                sweet_place=cleaned.get("sweet_place"),
                unsold_seats=cleaned.get("unsold_seats") or {},
            )
        return cleaned

    def clean_layout(self) -> list[dict[str, Any]]:
        with refusals_as_form_errors():
            return services.screen_check_layout(screen=self.instance, layout=self.cleaned_data["layout"])


def save_show(form: forms.ModelForm[Show], movie: Movie | None = None) -> Show:
    """Save an admin show form through the services, under the screen's lock."""
    data = {name: form.cleaned_data[name] for name in SAVED_FIELDS if name in form.cleaned_data}
    if movie is not None:
        data["movie"] = movie
    if form.instance.pk:
        return services.show_update(show=Show.objects.get(pk=form.instance.pk), **data)
    return services.show_schedule(**data)


class ShowInline(admin.TabularInline[Show, Movie]):
    model = Show
    form = ShowAdminForm
    extra = 1
    fields = ["screen", "date_time", "price", "tier_prices"]
    ordering = ["date_time"]


@admin.register(Genre)
class GenreAdmin(StaffAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class MovieAdminForm(forms.ModelForm[Movie]):
    """No Meta: the admin builds the fields (with its widgets and overrides); this adds one check."""

    def clean_duration_minutes(self) -> int:
        duration: int = self.cleaned_data["duration_minutes"]
        # The model's own range first (the form runs it only after this): the check
        # below computes with the duration.
        Movie._meta.get_field("duration_minutes").run_validators(duration)
        if self.instance.pk:
            # The admin saves in the transaction this runs in: the screens stay locked until then.
            with refusals_as_form_errors():
                services.movie_check_duration(movie=Movie.objects.get(pk=self.instance.pk), duration_minutes=duration)
        return duration


@admin.register(Movie)
class MovieAdmin(StaffAdmin):
    form = MovieAdminForm
    list_display = ["title", "duration_minutes", "release_date", "language", "certificate"]
    list_filter = ["genres", "language", "certificate"]
    search_fields = ["title", "description"]
    filter_horizontal = ["genres"]
    inlines = [ShowInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Show:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # sorts the rows into new, changed and deleted
        for show in formset.deleted_objects:
            services.show_delete(show=show)
        for inline_form in formset.forms:
            if inline_form.has_changed() and inline_form not in formset.deleted_forms:
                save_show(inline_form, movie=form.instance)
        return None


@admin.register(TicketType)
class TicketTypeAdmin(StaffAdmin):
    """Who tickets are for. Types are never deleted once sold (tickets name them); to stop
    selling one, take its prices off the screens and shows."""

    # No bulk actions: a text primary key from a list's checkboxes is not worth the risk; delete one by one.
    actions = None
    list_display = ["name", "code", "note", "position"]
    list_editable = ["position"]
    ordering = ["position", "code"]

    def get_readonly_fields(self, request: HttpRequest, obj: TicketType | None = None) -> list[str]:
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: TicketType | None = None) -> bool:
        return obj is None or obj.code != settings.DEFAULT_TICKET_TYPE


@admin.register(Screen)
class ScreenAdmin(StaffAdmin):
    form = ScreenAdminForm
    list_display = ["name", "capacity"]
    search_fields = ["name"]
    readonly_fields = ["capacity", "drawing"]

    def get_fieldsets(self, request: HttpRequest, obj: Screen | None = None) -> Any:
        tiers = sorted(obj.plan.tiers) if obj is not None and obj.pk else [STANDARD]
        rows = [
            tuple(f"grid_{kind.code}_{tier}" for tier in tiers)
            for kind in TicketType.objects.exclude(code=settings.DEFAULT_TICKET_TYPE)
        ]
        return [
            (None, {"fields": ["name", "drawing", "layout", "capacity"]}),
            (
                "Seating",
                {
                    "fields": list(services.SEATING_FIELDS),
                    "description": "Where best available seats parties, the rule against single seats left alone, "
                    "and seats no show sells online (docs/seating.md).",
                },
            ),
            PriceGrid.fieldset(
                rows,
                "The default prices of the other ticket types for this screen's shows (a show can change them). "
                "The default type is priced by each show. Empty: not sold for that tier.",
            ),
        ]

    def get_form(self, request: HttpRequest, obj: Screen | None = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["fields"] = SCREEN_FIELDS
        return super().get_form(request, obj, change=change, **kwargs)

    class Media:
        css = {"all": ["catalog/admin/seat_grid.css"]}
        js = ["catalog/admin/layout_preview.js"]

    @admin.display(description="seats")
    def drawing(self, screen: Screen) -> str:
        """The layout drawn (by layout_preview.js, from the field as it is edited), and whether it may change."""
        frozen = ""
        if screen.pk is not None:
            shows = {seat["show"] for seat in services.occupied_seats(Show.objects.filter(screen=screen))}
            if shows:
                frozen = format_html(
                    '<p class="layout-frozen"><strong>The layout is frozen:</strong> {} show(s) in this screen '
                    "have sold or held seats. Rename the screen freely; change its rows once those shows are over "
                    "or their seats are free.</p>",
                    len(shows),
                )
        # The row editor and the drawing are filled in by layout_preview.js; without
        # JavaScript the layout field (JSON) is all there is, and enough.
        editor = mark_safe(  # noqa: S308  # a constant: nothing in it comes from a user
            '<div id="layout-rows" hidden><table><caption>Rows, front to back (they write the layout field below)'
            "</caption><thead><tr><th>Row</th><th>Places</th><th>Blocked places</th><th>Tier</th>"
            "<th>Wheelchair spaces</th><th>Companion seats</th>"
            '<th><span class="visually-hidden">Remove</span></th></tr></thead><tbody></tbody></table>'
            '<button type="button" class="add-layout-row">Add a row</button></div>'
        )
        return format_html('{}{}<div id="layout-preview" aria-live="polite"></div>', frozen, editor)

    def save_model(self, request: HttpRequest, obj: Screen, form: Any, change: bool) -> None:
        saved = services.screen_save(
            screen=obj if change else Screen(),
            name=obj.name,
            layout=obj.layout,
            ticket_prices=form.cleaned_data.get("ticket_prices", {}),
            **{field: getattr(obj, field) for field in services.SEATING_FIELDS},
        )
        obj.pk, obj.capacity = saved.pk, saved.capacity


class RepeatForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=60, initial=7, label="For the next N days")
    weekdays = forms.TypedMultipleChoiceField(
        choices=[(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only on these weekdays (none ticked: every day).",
    )


@admin.register(Show)
class ShowAdmin(StaffAdmin):
    form = ShowPricesForm
    actions = ["repeat"]
    list_display = ["movie", "screen", "date_time", "price", "booked_seats", "available_seats", "occupancy", "revenue"]
    list_filter = ["date_time", "screen", "movie"]
    list_select_related = ["movie", "screen"]
    search_fields = ["movie__title", "screen__name"]
    date_hierarchy = "date_time"
    autocomplete_fields = ["movie"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Show]:
        shows: QuerySet[Show] = super().get_queryset(request)
        return shows.annotate(booked=occupied_seat_count(), sold=Sum("bookings__price", filter=sold_filter()))

    def get_form(self, request: HttpRequest, obj: Show | None = None, change: bool = False, **kwargs: Any) -> Any:
        # The model's fields only: the price fields (get_fieldsets) are the form's own.
        kwargs["fields"] = [name for name in SHOW_FIELDS if name != "tier_prices"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Show | None = None) -> Any:
        """The show, then its price grid: the default type's row (price and tier prices), then
        one row per other ticket type, a cell per tier."""
        default = ["price", *(f"price_{tier}" for tier in ShowPricesForm.tiers_of(obj))]
        tiers = (
            sorted(obj.screen.plan.tiers) if obj is not None and obj.pk else [STANDARD, *ShowPricesForm.tiers_of(None)]
        )
        rows = [
            tuple([*(f"grid_{kind.code}_{tier}" for tier in tiers), f"grid_{kind.code}_off"])
            for kind in TicketType.objects.exclude(code=settings.DEFAULT_TICKET_TYPE)
        ]
        return [
            (None, {"fields": ["movie", "screen", "date_time"]}),
            *([(None, {"fields": readonly})] if (readonly := list(self.get_readonly_fields(request, obj))) else []),
            (f"Prices, {settings.DEFAULT_TICKET_TYPE} (the default ticket type)", {"fields": [tuple(default)]}),
            PriceGrid.fieldset(
                rows, "Empty: the screen's default price. A type with no price for a tier is not sold there."
            ),
        ]

    @staticmethod
    def annotated(show: Show, name: str) -> Any:
        """A number get_queryset annotated the show with."""
        return getattr(show, name)

    @admin.display(description="taken", ordering="booked")
    def booked_seats(self, show: Show) -> int:
        return int(self.annotated(show, "booked"))

    @admin.display(description="available")
    def available_seats(self, show: Show) -> int:
        return max(0, show.total_seats - show.screen.unsold_count - int(self.annotated(show, "booked")))

    @admin.display(description="occupancy")
    def occupancy(self, show: Show) -> str:
        return f"{100 * self.annotated(show, 'booked') / show.total_seats:.1f}%"

    @admin.display(description="revenue", ordering="sold")
    def revenue(self, show: Show) -> str:
        return f"{self.annotated(show, 'sold') or 0:.2f}"

    def save_model(self, request: HttpRequest, obj: Show, form: Any, change: bool) -> None:
        obj.pk = save_show(form).pk

    @admin.action(description="Repeat selected shows daily…")
    def repeat(self, request: HttpRequest, queryset: QuerySet[Show]) -> TemplateResponse | None:
        """Ask for the days (an intermediate page), then schedule each show again on each of
        them through show_repeat; one message reports what was created and what was skipped."""
        form = RepeatForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": "Repeat shows daily",
                "shows": queryset.select_related("movie", "screen"),
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/catalog/show/repeat.html", context)
        created, skipped = 0, []
        weekdays = set(form.cleaned_data["weekdays"])
        for show in queryset.select_related("movie", "screen"):
            first = timezone.localdate(show.date_time)
            dates = [first + timedelta(days=n) for n in range(1, form.cleaned_data["days"] + 1)]
            made, missed = services.show_repeat(
                show=show, dates=[d for d in dates if not weekdays or d.weekday() in weekdays]
            )
            created += len(made)
            skipped += [f"{show.movie.title} on {day:%a %d %b}: {why}" for day, why in missed]
        summary = f"Created {created} show(s)."
        if skipped:
            summary += f" Skipped {len(skipped)}: " + "; ".join(skipped)
        self.message_user(request, summary, messages.WARNING if skipped else messages.SUCCESS)
        return None
