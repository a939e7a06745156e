from decimal import Decimal
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts.auth import customer
from bookings.models import Booking
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
