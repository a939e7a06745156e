"""Staff make promo codes one by one or in batches, export them, change and delete them."""

import csv
import io
from decimal import Decimal

import pytest

from catalog.models import TicketType
from pricing.models import PromoCode

pytestmark = pytest.mark.django_db


def test_staff_make_a_code_with_its_limits(staff_client, show):
    TicketType.objects.create(code="child", name="Child")
    answer = staff_client.post(
        "/promo-codes/",
        {
            "code": "summer-25",
            "kind": "percent",
            "value": "25",
            "shows": [show.pk],
            "weekdays": [5, 6],
            "ticket_types": ["child"],
            "max_uses": 100,
            "max_uses_per_customer": 2,
        },
        format="json",
    )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["code"], body["kind"], body["value"], body["uses"], body["weekdays"]) == (
        "SUMMER-25",
        "percent",
        "25.00",
        0,
        [5, 6],
    )
    promo = PromoCode.objects.get()
    assert list(promo.shows.all()) == [show]
    assert list(promo.ticket_types.values_list("code", flat=True)) == ["child"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "percent", "value": "150"}, "value"),
        ({"kind": "percent", "value": "0"}, "value"),
        ({"kind": "free_seats", "value": "1.5"}, "value"),
        ({"kind": "gift", "value": "5"}, "kind"),
        ({"kind": "amount", "value": "5", "weekdays": [7]}, "weekdays"),
        ({"kind": "amount", "value": "5", "code": "no spaces"}, "code"),
        (
            {"kind": "amount", "value": "5", "valid_from": "2030-01-02T00:00Z", "valid_until": "2030-01-01T00:00Z"},
            "valid_until",
        ),
        ({"kind": "amount", "value": "5", "ticket_types": ["dragon"]}, "ticket_types"),
    ],
)
def test_a_code_with_impossible_rules_is_a_400_and_nothing_is_made(staff_client, body, field):
    answer = staff_client.post("/promo-codes/", body, format="json")

    assert answer.status_code == 400
    assert field in answer.json()
    assert not PromoCode.objects.exists()


def test_a_code_that_exists_is_a_400(staff_client):
    staff_client.post("/promo-codes/", {"code": "SAME", "kind": "amount", "value": "5"}, format="json")

    answer = staff_client.post("/promo-codes/", {"code": "same", "kind": "amount", "value": "5"}, format="json")

    assert answer.status_code == 400
    assert answer.json()["detail"] == "code: There is a code SAME already."


def test_a_batch_of_500_one_time_vouchers_exported_as_csv(staff_client):
    made = staff_client.post(
        "/promo-codes/batch/",
        {"count": 500, "prefix": "xmas", "batch": "xmas-2026", "kind": "free_seats", "value": "1", "max_uses": 1},
        format="json",
    )

    assert made.status_code == 201, made.json()
    codes = made.json()["codes"]
    assert (made.json()["batch"], made.json()["count"], len(set(codes))) == ("xmas-2026", 500, 500)
    assert all(code.startswith("XMAS") and len(code) == 14 for code in codes)
    exported = staff_client.get("/promo-codes/export/?batch=xmas-2026")
    assert exported["Content-Type"].startswith("text/csv")
    assert 'filename="xmas-2026.csv"' in exported["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert sorted(row["code"] for row in rows) == sorted(codes)
    assert {(row["kind"], row["max_uses"], row["uses"]) for row in rows} == {("free_seats", "1", "0")}


def test_a_batch_name_that_a_spreadsheet_would_run_is_defused(staff_client):
    staff_client.post(
        "/promo-codes/batch/", {"count": 1, "batch": "=HYPERLINK(1)", "kind": "amount", "value": "1"}, format="json"
    )

    exported = staff_client.get("/promo-codes/export/").content.decode()

    assert ",'=HYPERLINK(1)," in exported


@pytest.mark.parametrize("count", [0, 10_001, "many"])
def test_a_batch_of_impossible_size_is_a_400(staff_client, count):
    answer = staff_client.post("/promo-codes/batch/", {"count": count, "kind": "amount", "value": "1"}, format="json")

    assert answer.status_code == 400
    assert "count" in answer.json()


def test_customers_can_neither_see_nor_make_codes(auth_client, api_client):
    for client, status in ((auth_client, 403), (api_client, 401)):
        assert client.get("/promo-codes/").status_code == status
        assert client.post("/promo-codes/", {"kind": "amount", "value": "5"}, format="json").status_code == status
        assert client.get("/promo-codes/export/").status_code == status


def test_staff_turn_a_code_off_and_delete_an_unused_one(staff_client):
    made = staff_client.post("/promo-codes/", {"code": "GONE", "kind": "amount", "value": "5"}, format="json").json()

    changed = staff_client.patch(f"/promo-codes/{made['id']}/", {"active": False, "code": "OTHER"}, format="json")

    assert (changed.status_code, changed.json()["active"], changed.json()["code"]) == (200, False, "GONE")
    assert staff_client.delete(f"/promo-codes/{made['id']}/").status_code == 204
    assert not PromoCode.objects.exists()


def test_a_used_code_can_not_be_deleted(staff_client, auth_client, show):
    made = staff_client.post("/promo-codes/", {"code": "USED", "kind": "amount", "value": "1"}, format="json").json()
    held = auth_client.post(f"/shows/{show.id}/holds/", {"seat_numbers": [1]}, format="json").json()
    assert auth_client.post("/orders/", {"hold": held["id"], "promo_code": "USED"}, format="json").status_code == 201
    assert staff_client.get(f"/promo-codes/{made['id']}/").json()["uses"] == 1

    answer = staff_client.delete(f"/promo-codes/{made['id']}/")

    assert (answer.status_code, answer.json()["code"]) == (409, "promo_code_in_use")
    assert PromoCode.objects.filter(value=Decimal("1")).exists()
