"""No input from staff makes the admin answer 500: every field of every change form,
one at a time, gets hostile values while the rest stay as the page filled them in."""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from bookings.models import Booking
from catalog.models import Genre, TicketType
from core.admin import ReadOnlyAdmin, StaffAdmin
from pricing.models import PromoCode
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "\x00",
    "x" * 3000,
    "-1",
    "2147483648",
    "99999999999999999999999",
    "1e400",
    "NaN",
    "9999-12-31",
    "[]",
    '{"a": "\\u0000"}',
    '[{"row": "A", "seats": 99999999999}]',
    "１２",
]

# Fewer for the lists, which have many parameters: the kinds that failed there.
IN_A_QUERY = ["\x00", "x" * 3000, "-1", "99999999999999999999999", "1e400", "9999-12-31", "[]", "１２"]


class FormFields(HTMLParser):
    """What a browser submits for the admin's change form, unchanged: name → values."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.select: str | None = None
        self.textarea: str | None = None

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.add(a["name"], a.get("value", "on"))
                return
            self.add(a["name"], a.get("value", ""))
        elif tag == "select":
            self.select = a["name"]
            self.data.setdefault(self.select, [])
        elif tag == "option" and self.select is not None and "selected" in a:
            self.add(self.select, a.get("value", ""))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.add(self.textarea, "")

    def handle_data(self, data):
        if self.textarea is not None:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_of(page) -> dict[str, list[str]]:
    assert page.status_code == 200
    parser = FormFields()
    parser.feed(page.content.decode())
    # The textarea's first newline is the HTML's, not the value's (as in a browser).
    return {name: [value.removeprefix("\n") for value in values] for name, values in parser.data.items()}


@pytest.fixture
def pages(show, user, staff_user):
    """The change pages of one row of each model staff edit by hand."""
    genre = Genre.objects.create(name="Drama", slug="drama")
    show.movie.genres.add(genre)
    endpoint = Endpoint.objects.create(url="http://127.0.0.1:9/hook", events=["booking.created"])
    Booking.objects.create(user=user, show=show, seat_number=1, seat_label="A1", price=show.price)
    group = Group.objects.create(name="Door")
    return {
        "catalog/show": show.pk,
        "catalog/movie": show.movie_id,
        "catalog/screen": show.screen_id,
        "catalog/genre": genre.pk,
        "accounts/user": user.pk,
        "auth/group": group.pk,
        "webhooks/endpoint": endpoint.pk,
        "bookings/booking": Booking.objects.get().pk,
        "catalog/tickettype": TicketType.objects.create(code="child", name="Child").pk,
        "pricing/promocode": PromoCode.objects.create(code="SWEEP", kind="percent", value=10).pk,
    }


def test_the_sweep_covers_every_page_staff_edit_rows_on(pages, staff_user):
    ours = {"accounts", "auth", "bookings", "catalog", "tickets", "outbox", "webhooks", "pricing", "waitlist"}
    editable = {
        f"{model._meta.app_label}/{model._meta.model_name}"
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ours and not isinstance(model_admin, ReadOnlyAdmin)
    }
    assert editable == set(pages)
    # Every admin, Django's and other apps' too, gets the checks (the site adds them).
    assert [
        model for model, model_admin in admin.site._registry.items() if not isinstance(model_admin, StaffAdmin)
    ] == []


def test_every_field_of_every_change_form_takes_hostile_input_without_a_500(admin_client_factory, staff_user, pages):
    client = admin_client_factory(staff_user)
    client.raise_request_exception = False
    failures = []
    for model, pk in pages.items():
        url = f"/admin/{model}/{pk}/change/"
        baseline = form_of(client.get(url))
        # The page's own values are valid: saved unchanged, the admin goes back to the list.
        assert client.post(url, baseline).status_code == 302, f"{url} refused its own values"
        for name in baseline:
            if name == "csrfmiddlewaretoken" or name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "-id")):
                continue
            for value in HOSTILE:
                status = client.post(url, {**baseline, name: [value]}).status_code
                if status >= 500:
                    failures.append(f"{url} {name}={value[:40]!r}: {status}")
        # The same values as a new row: a copy, a duplicate or a clash, never a 500.
        add = client.post(f"/admin/{model}/add/", baseline)
        if add.status_code >= 500:
            failures.append(f"/admin/{model}/add/ with a copy: {add.status_code}")
    assert failures == [], "\n".join(failures)


def test_every_list_action_and_box_office_page_takes_hostile_parameters_without_a_500(
    admin_client_factory, staff_user, pages
):
    client = admin_client_factory(staff_user)
    client.raise_request_exception = False
    failures = []

    def check(response, what: str) -> None:
        if response.status_code >= 500:
            failures.append(f"{what}: {response.status_code}")

    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        params = ["q", "p", "o", "e", "_to_field"]
        params += [name for name in model_admin.list_filter if isinstance(name, str)]
        params += [f"{name}__exact" for name in model_admin.list_filter if isinstance(name, str)]
        if model_admin.date_hierarchy:
            params += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day", "gte")]
        for value in IN_A_QUERY:
            for param in params:
                check(client.get(url, {param: value}), f"{url}?{param}={value[:40]!r}")
            for action in {"delete_selected", *(getattr(a, "__name__", a) for a in model_admin.actions or ())}:
                check(client.post(url, {"action": action, "_selected_action": [value]}), f"{url} {action} {value!r}")
    for value in [*HOSTILE, "0001-01-01", "2026-02-30"]:
        for query in ({"day": value}, {"day": value, "week": "on"}, {"week": value}):
            check(client.get("/admin/programme/", query), f"programme {query}")
        check(client.post("/admin/door/", {"code": value}), f"door {value!r}")
        for field in ("show", "seats", "reason"):
            block = {"show": pages["catalog/show"], "seats": "A1 A2", "reason": "press", field: value}
            check(client.post("/admin/bookings/booking/block/", block), f"block {field}={value!r}")
        for field in ("days", "weekdays"):
            repeat = {"action": "repeat", "_selected_action": [pages["catalog/show"]], "apply": "1", "days": "3"}
            check(client.post("/admin/catalog/show/", {**repeat, field: value}), f"repeat {field}={value!r}")
    assert failures == [], "\n".join(failures)
