"""The price grid (ticket types by tiers) on a show's and a screen's admin page,
ticket types, promo codes and batches of vouchers in the admin, the box office
selling types, and the report by ticket type."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from bookings.models import Booking
from catalog.models import Screen, Show, TicketType
from catalog.tests.factories import make_movie, make_screen, make_show
from orders.models import Order
from pricing.models import PromoCode
from pricing.services import promo_create

pytestmark = pytest.mark.django_db

PREMIUM = [{"row": "A", "seats": 5}, {"row": "B", "seats": 5, "tier": "premium"}]


@pytest.fixture
def admin_client(admin_client_factory, staff_user) -> Client:
    return admin_client_factory(staff_user)


@pytest.fixture
def child(db) -> TicketType:
    return TicketType.objects.create(code="child", name="Child", note="Under 14", position=1)


def show_form(show: Show, **changes) -> dict:
    local = timezone.localtime(show.date_time)
    return {
        "movie": show.movie_id,
        "screen": show.screen_id,
        "date_time_0": local.date().isoformat(),
        "date_time_1": local.strftime("%H:%M:%S"),
        "price": str(show.price),
        **changes,
    }


def test_a_shows_page_has_a_price_grid_of_types_by_tiers(admin_client, child):
    show = make_show(
        make_movie(),
        screen=make_screen(layout=PREMIUM, name="Premium"),
        ticket_prices={"child": {"premium": "9.00"}},
    )

    page = admin_client.get(f"/admin/catalog/show/{show.pk}/change/").content.decode()
    saved = admin_client.post(
        f"/admin/catalog/show/{show.pk}/change/",
        show_form(show, grid_child_standard="6.50", grid_child_premium="9.50"),
    )

    assert "Prices by ticket type" in page
    assert 'name="grid_child_standard"' in page
    assert 'name="grid_child_premium"' in page
    assert 'name="grid_child_off"' in page
    assert 'value="9.00"' in page
    assert saved.status_code == 302
    show.refresh_from_db()
    assert show.ticket_prices == {"child": {"standard": "6.50", "premium": "9.50"}}


def test_a_show_withholds_a_type_from_its_grid(admin_client, child):
    show = make_show(make_movie(), ticket_prices={"child": {"standard": "6.00"}})

    admin_client.post(f"/admin/catalog/show/{show.pk}/change/", show_form(show, grid_child_off="on"))

    show.refresh_from_db()
    assert show.ticket_prices == {"child": None}
    assert list(show.type_prices()) == ["adult"]


def test_a_new_show_can_not_price_a_type_for_a_tier_its_screen_lacks(admin_client, child):
    make_screen(layout=PREMIUM, name="Premium")
    plain = make_screen(10, name="Plain")
    start = timezone.localtime() + timedelta(days=3)

    page = admin_client.post(
        "/admin/catalog/show/add/",
        {
            "movie": make_movie().pk,
            "screen": plain.pk,
            "date_time_0": start.date().isoformat(),
            "date_time_1": "20:00:00",
            "price": "10.00",
            "grid_child_premium": "8.00",
        },
    )

    assert page.status_code == 200
    assert "No tier premium here" in page.content.decode()
    assert not Show.objects.exists()


def test_a_screens_page_sets_its_default_prices_of_each_type(admin_client, child):
    screen = make_screen(layout=PREMIUM, name="Premium")

    saved = admin_client.post(
        f"/admin/catalog/screen/{screen.pk}/change/",
        {
            "name": "Premium",
            "layout": '[{"row": "A", "seats": 5}, {"row": "B", "seats": 5, "tier": "premium"}]',
            "grid_child_standard": "5.00",
            "grid_child_premium": "",
        },
    )

    assert saved.status_code == 302, saved.content.decode()[:2000]
    screen.refresh_from_db()
    assert screen.ticket_prices == {"child": {"standard": "5.00"}}
    assert make_show(make_movie(), screen=screen).type_prices()["child"] == {"standard": "5.00"}


def test_staff_add_a_ticket_type_and_can_not_delete_the_default(admin_client):
    added = admin_client.post(
        "/admin/catalog/tickettype/add/", {"code": "student", "name": "Student", "note": "Card required", "position": 3}
    )

    assert added.status_code == 302
    assert TicketType.objects.get(code="student").note == "Card required"
    assert admin_client.get("/admin/catalog/tickettype/adult/delete/").status_code == 403


def test_a_deleted_type_leaves_the_price_grids(child):
    screen = make_screen(10)
    screen.ticket_prices = {"child": {"standard": "5.00"}}
    screen.save()
    show = make_show(make_movie(), screen=screen, ticket_prices={"child": None})

    child.delete()

    assert Screen.objects.get(pk=screen.pk).ticket_prices == {}
    assert Show.objects.get(pk=show.pk).ticket_prices == {}


def test_staff_make_a_code_in_the_admin(admin_client, child):
    added = admin_client.post(
        "/admin/pricing/promocode/add/",
        {
            "code": "kids",
            "kind": "percent",
            "value": "50",
            "active": "on",
            "min_seats": 1,
            "weekdays": ["5", "6"],
            "ticket_types": ["child"],
        },
    )

    assert added.status_code == 302, added.content.decode()[:3000]
    promo = PromoCode.objects.get()
    assert (promo.code, promo.weekdays, list(promo.ticket_types.all())) == ("KIDS", [5, 6], [child])
    refused = admin_client.post(
        "/admin/pricing/promocode/add/", {"code": "x2", "kind": "free_seats", "value": "1.5", "min_seats": 1}
    )
    assert "For free_seats, value is a whole number of seats." in refused.content.decode()
    changed = admin_client.post(
        f"/admin/pricing/promocode/{promo.pk}/change/",
        {"code": "KIDS", "kind": "percent", "value": "40", "min_seats": 1, "ticket_types": ["child"]},
    )
    assert changed.status_code == 302
    promo.refresh_from_db()
    assert (promo.value, promo.active) == (Decimal("40.00"), False)


def test_a_batch_made_in_the_admin_and_exported_as_csv(admin_client):
    page = admin_client.get("/admin/pricing/promocode/")
    assert "Make a batch of codes" in page.content.decode()
    assert admin_client.get("/admin/pricing/promocode/batch/").status_code == 200

    made = admin_client.post(
        "/admin/pricing/promocode/batch/",
        {
            "count": 50,
            "code_prefix": "gift",
            "batch": "gifts",
            "kind": "amount",
            "value": "10",
            "min_seats": 1,
            "max_uses": 1,
        },
        follow=True,
    )

    assert "Made 50 codes in batch gifts" in made.content.decode()
    codes = list(PromoCode.objects.filter(batch="gifts").values_list("pk", flat=True))
    assert len(codes) == 50
    exported = admin_client.post("/admin/pricing/promocode/", {"action": "export_csv", "_selected_action": codes})
    assert exported["Content-Type"].startswith("text/csv")
    assert exported.content.decode().count("\n") == 51
    bad = admin_client.post(
        "/admin/pricing/promocode/batch/", {"count": 0, "kind": "amount", "value": "1", "min_seats": 1}
    )
    assert bad.status_code == 200
    assert PromoCode.objects.count() == 50


def test_the_box_office_sells_seats_as_types_with_a_code(admin_client, child):
    show = make_show(make_movie(), ticket_prices={"child": {"standard": "6.00"}})
    promo_create(by=None, code="HALF", kind="percent", value=Decimal("50"))

    sold = admin_client.post(
        "/admin/orders/order/sell/",
        {"show": show.pk, "seats": "A1 A2", "method": "cash", "ticket_types": "a2 child", "promo_code": "half"},
        follow=True,
    )

    assert "Sold A1, A2 child for 8.00 EUR (cash)" in sold.content.decode()
    order = Order.objects.get()
    assert (order.subtotal, order.discount, order.fee, order.total) == (
        Decimal("16.00"),
        Decimal("8.00"),
        Decimal("0"),
        Decimal("8.00"),
    )
    refused = admin_client.post(
        "/admin/orders/order/sell/", {"show": show.pk, "seats": "A3", "method": "cash", "ticket_types": "A3"}
    )
    assert "give a seat label and a ticket type" in refused.content.decode()
    refused = admin_client.post(
        "/admin/orders/order/sell/", {"show": show.pk, "seats": "A3", "method": "cash", "ticket_types": "7F child"}
    )
    assert "is not a seat label" in refused.content.decode()


def test_the_report_by_ticket_type_splits_revenue_and_shows_discounts(staff_client, user, child):
    show = make_show(make_movie())
    Booking.objects.create(user=user, show=show, seat_number=1, seat_label="A1", price=Decimal("10.00"), currency="EUR")
    Booking.objects.create(
        user=user,
        show=show,
        seat_number=2,
        seat_label="A2",
        price=Decimal("3.00"),
        discount=Decimal("3.00"),
        ticket_type=child,
        currency="EUR",
    )

    rows = staff_client.get("/reports/ticket-types/").json()["results"]
    shows = staff_client.get("/reports/shows/").json()["results"]

    assert [(r["ticket_type"], r["name"], r["seats_sold"], r["revenue"], r["discounts"]) for r in rows] == [
        ("adult", "Adult", 1, "10.00", "0.00"),
        ("child", "Child", 1, "3.00", "3.00"),
    ]
    assert (shows[0]["revenue"], shows[0]["discounts"]) == ("13.00", "3.00")
