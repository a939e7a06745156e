from functools import partial

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.auth import customer
from core.admin import ReadOnlyAdmin, act_on_each

from . import services
from .models import Order, Payment


class PaymentInline(admin.TabularInline[Payment, Order]):
    model = Payment
    extra = 0
    can_delete = False
    fields = readonly_fields = ("method", "amount", "currency", "taken_by", "taken_at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    """Orders, read-only; a customer's pending order is paid at the counter with an action."""

    list_display = ["id", "user", "show", "state", "total", "currency", "created_at", "expires_at", "paid_at"]
    list_filter = ["status", "show__screen", "show"]
    list_select_related = ["user", "show__movie", "show__screen"]
    search_fields = ["user__username", "user__email", "=reference"]
    inlines = [PaymentInline]
    actions = ["paid_in_cash", "paid_by_card"]

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
