from decimal import Decimal
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from accounts.auth import customer
from accounts.models import User
from bookings.models import Booking
from catalog.layouts import normalize_label
from catalog.models import Show
from core.admin import ReadOnlyAdmin, act_on_each
from core.exceptions import ServiceError

from . import services
from .models import Order, Payment, Refund


class PaymentInline(admin.TabularInline[Payment, Order]):
    model = Payment
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "provider",
        "provider_ref",
        "method",
        "amount",
        "refunded",
        "currency",
        "taken_by",
        "taken_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RefundForm(forms.Form):
    seats = forms.TypedMultipleChoiceField(
        coerce=int, widget=forms.CheckboxSelectMultiple, help_text="These seats are freed and their tickets void."
    )
    amount = forms.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        help_text="What goes back to the customer; empty: the seats' prices.",
    )

    def __init__(self, *args: object, seats: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        field = self.fields["seats"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = seats


class SaleForm(forms.Form):
    show = forms.ModelChoiceField(queryset=Show.objects.none(), help_text="Upcoming shows.")
    seats = forms.CharField(help_text="Seat labels, separated by commas or spaces: F7, F8.")
    method = forms.ChoiceField(choices=Payment.Method.choices)
    ticket_types = forms.CharField(
        required=False,
        help_text="Seats sold as another type than the default: a label and a type each, e.g. F7 child, F8 senior.",
    )
    promo_code = forms.CharField(required=False, max_length=32)
    customer = forms.EmailField(
        required=False, help_text="A customer's account e-mail, to send them the receipt; empty for a walk-in."
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        field = self.fields["show"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Show.objects.filter(date_time__gt=timezone.now()).select_related("movie", "screen")

    def clean_seats(self) -> list[str]:
        labels = [label for label in self.cleaned_data["seats"].replace(",", " ").split() if label]
        if not labels:
            raise forms.ValidationError("Name at least one seat.")
        return labels

    def clean_ticket_types(self) -> list[services.Choice]:
        choices = []
        for entry in (part.strip() for part in self.cleaned_data["ticket_types"].split(",")):
            if not entry:
                continue
            words = entry.split()
            if len(words) != 2:
                raise forms.ValidationError(f"{entry!r}: give a seat label and a ticket type, e.g. F7 child.")
            label = normalize_label(words[0])
            if label is None:
                raise forms.ValidationError(f"{words[0]!r} is not a seat label such as F7.")
            choices.append(services.Choice(ticket_type=words[1].lower(), seat_label=label))
        return choices

    def clean_customer(self) -> User | None:
        address = self.cleaned_data["customer"]
        if not address:
            return None
        found = User.objects.filter(email__iexact=address).first()
        if found is None:
            raise forms.ValidationError("No customer has this address.")
        return found


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """Money given back; a failed refund was refused by the provider and must be settled by hand."""

    list_display = ["id", "payment", "amount", "fee", "currency", "reason", "status", "created_by", "created_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["payment", "created_by"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    """Orders, read-only; a customer's pending order is paid at the counter with an action."""

    list_display = ["id", "user", "show", "state", "total", "currency", "created_at", "expires_at", "paid_at"]
    list_filter = ["status", "show__screen", "show"]
    list_select_related = ["user", "show__movie", "show__screen"]
    search_fields = ["user__username", "user__email", "=reference"]
    inlines = [PaymentInline]
    actions = ["paid_in_cash", "paid_by_card", "refund_in_full", "refund_seats"]
    change_list_template = "admin/orders/order/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        sale = path("sell/", self.admin_site.admin_view(self.sell), name="orders_order_sell")
        return [sale, *super().get_urls()]

    def sell(self, request: HttpRequest) -> HttpResponse:
        """A walk-in sale at the counter (orders.services.box_office_sale)."""
        form = SaleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                order = services.box_office_sale(
                    show_id=data["show"].pk,
                    seat_labels=data["seats"],
                    method=data["method"],
                    by=customer(request),
                    customer=data["customer"],
                    seats=data["ticket_types"],
                    promo_code=data["promo_code"],
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                seats = ", ".join(
                    line["label"]
                    + ("" if line["ticket_type"] == settings.DEFAULT_TICKET_TYPE else f" {line['ticket_type']}")
                    for line in order.seats
                )
                self.message_user(
                    request,
                    f"Sold {seats} for {order.total} {order.currency} ({data['method']}): order {order.pk}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Sell at the box office",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/orders/order/sell.html", context)

    @admin.display(description="status")
    def state(self, order: Order) -> str:
        return order.state(timezone.now())

    def _pay(self, request: HttpRequest, queryset: QuerySet[Order], method: str) -> None:
        calls = [
            (
                f"Order {pk}",
                partial(services.order_pay_at_box_office, order_id=pk, method=method, by=customer(request)),
            )
            for pk in queryset.values_list("id", flat=True)
        ]
        act_on_each(self, request, calls, f"{{n}} order(s) paid ({method}); their seats are booked.")

    @admin.action(description="Paid at the box office in cash: book the seats")
    def paid_in_cash(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._pay(request, queryset, Payment.Method.CASH)

    @admin.action(description="Paid at the box office by card: book the seats")
    def paid_by_card(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._pay(request, queryset, Payment.Method.CARD)

    @admin.action(description="Refund in full: free the seats, void the tickets, give the money back")
    def refund_in_full(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        calls = [
            (f"Order {pk}", partial(services.order_refund, order_id=pk, by=customer(request)))
            for pk in queryset.values_list("id", flat=True)
        ]
        act_on_each(self, request, calls, "{n} order(s) refunded; their seats are free.")

    @admin.action(description="Refund some seats of one order…")
    def refund_seats(self, request: HttpRequest, queryset: QuerySet[Order]) -> TemplateResponse | None:
        """Ask which seats and how much (an intermediate page), then refund them through order_refund."""
        orders = list(queryset[:2])
        if len(orders) != 1:
            self.message_user(request, "Choose one order to refund seats of.", messages.WARNING)
            return None
        order = orders[0]
        booked = Booking.objects.filter(reference=order.reference, status=Booking.Status.BOOKED)
        seats = [(b.seat_number, f"{b.seat_label} ({b.price} {b.currency})") for b in booked.order_by("seat_number")]
        form = RefundForm(request.POST if "apply" in request.POST else None, seats=seats)
        if form.is_valid():
            try:
                services.order_refund(
                    order_id=order.pk,
                    by=customer(request),
                    seat_numbers=form.cleaned_data["seats"],
                    amount=form.cleaned_data["amount"],
                )
            except ServiceError as exc:
                self.message_user(request, f"Order {order.pk}: {exc.message}", messages.WARNING)
                return None
            self.message_user(request, f"Order {order.pk}: refunded; those seats are free.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund seats of order {order.pk}",
            "order": order,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/orders/order/refund.html", context)
