from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from accounts.auth import customer
from core.admin import StaffAdmin
from core.exceptions import FieldError

from . import services
from .exports import codes_csv
from .models import RULES, WEEKDAYS, PromoCode
from .selectors import with_uses


class WeekdaysField(forms.TypedMultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("encoder", None), kwargs.pop("decoder", None), kwargs.pop("max_length", None)
        super().__init__(
            choices=WEEKDAYS,
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Only for shows on these weekdays (none ticked: every day).",
            **{k: v for k, v in kwargs.items() if k in ("label", "initial")},
        )


class PromoCodeForm(forms.ModelForm[PromoCode]):
    weekdays = WeekdaysField()

    class Meta:
        model = PromoCode
        fields = ["code", *RULES]

    def clean_code(self) -> str:
        return services.normalize(self.cleaned_data.get("code") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") and cleaned.get("value") is not None:
            try:
                services.promo_rules_check(
                    kind=cleaned["kind"], value=cleaned["value"], weekdays=cleaned.get("weekdays", [])
                )
            except FieldError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return cleaned


class BatchForm(forms.ModelForm[PromoCode]):
    count = forms.IntegerField(min_value=1, max_value=services.MAX_BATCH, initial=100, help_text="How many codes.")
    code_prefix = forms.RegexField(
        r"^[A-Za-z0-9]{0,12}$", required=False, label="Prefix", help_text="Letters and digits, e.g. XMAS."
    )
    weekdays = WeekdaysField()

    class Meta:
        model = PromoCode
        fields = ["batch", *RULES]
        help_texts = {"batch": "A name to find them by (empty: when they were made)."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["max_uses"].initial = 1  # a voucher


@admin.register(PromoCode)
class PromoCodeAdmin(StaffAdmin):
    """Codes and vouchers: one by one here, or a batch (500 one-time vouchers) from the list page."""

    form = PromoCodeForm
    list_display = ["code", "kind", "value", "active", "uses_shown", "max_uses", "valid_until", "batch"]
    list_filter = ["active", "kind", "batch"]
    search_fields = ["code", "batch"]
    actions = ["export_csv"]
    filter_horizontal = ["movies", "shows", "ticket_types"]
    change_list_template = "admin/pricing/promocode/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PromoCode]:
        return with_uses(super().get_queryset(request))

    @admin.display(description="uses")
    def uses_shown(self, promo: PromoCode) -> int:
        return int(getattr(promo, "uses", 0))

    def save_model(self, request: HttpRequest, obj: PromoCode, form: Any, change: bool) -> None:
        # The relations are saved by save_related, as the admin does for any form.
        fields = {name: form.cleaned_data[name] for name in RULES if name not in ("movies", "shows", "ticket_types")}
        if change:
            services.promo_update(promo=obj, **fields)
        else:
            made = services.promo_create(by=customer(request), code=form.cleaned_data["code"], **fields)
            obj.pk, obj.code, obj._state = made.pk, made.code, made._state
            form.instance = made  # whose relations save_related then sets

    @admin.action(description="Export selected codes as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[PromoCode]) -> HttpResponse:
        response = HttpResponse(codes_csv(queryset.order_by("code")), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="promo-codes.csv"'
        return response

    def get_urls(self) -> list[URLPattern]:
        batch = path("batch/", self.admin_site.admin_view(self.batch_view), name="pricing_promocode_batch")
        return [batch, *super().get_urls()]

    def batch_view(self, request: HttpRequest) -> HttpResponse:
        """Make a batch of codes with the same rules (pricing.services.promo_batch_create)."""
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = BatchForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                made = services.promo_batch_create(
                    by=customer(request),
                    count=data.pop("count"),
                    prefix=data.pop("code_prefix") or "",
                    batch=data.pop("batch") or "",
                    movies=data.pop("movies"),
                    shows=data.pop("shows"),
                    ticket_types=data.pop("ticket_types"),
                    **data,
                )
            except FieldError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                self.message_user(
                    request, f"Made {len(made)} codes in batch {made[0].batch}; export them as CSV.", messages.SUCCESS
                )
                return HttpResponseRedirect(f"{reverse('admin:pricing_promocode_changelist')}?batch={made[0].batch}")
        context = {
            **self.admin_site.each_context(request),
            "title": "Make a batch of promo codes",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/pricing/promocode/batch.html", context)
