import pytest

from bookings.tests.factories import make_booking
from catalog.models import Screen
from catalog.tests.factories import make_screen, make_show

pytestmark = pytest.mark.django_db

LAYOUT = [{"row": "A", "seats": 8, "blocked": [1, 8]}, {"row": "B", "seats": 10, "tier": "premium"}]


def test_staff_create_a_screen_from_rows_and_seats_per_row(staff_client):
    response = staff_client.post("/screens/", {"name": "Hall 1", "rows": 3, "seats_per_row": 12}, format="json")

    assert response.status_code == 201
    assert response.json()["capacity"] == 36
    assert [r["row"] for r in response.json()["layout"]] == ["A", "B", "C"]


def test_staff_create_a_screen_from_an_explicit_layout(staff_client, api_client):
    response = staff_client.post("/screens/", {"name": "Hall 2", "layout": LAYOUT}, format="json")

    assert response.status_code == 201
    assert response.json() == {
        "id": Screen.objects.get().id,
        "name": "Hall 2",
        "capacity": 16,
        "layout": LAYOUT,
        "ticket_prices": {},
        "sweet_row": "",
        "sweet_place": None,
        "no_single_seats": False,
        "unsold_seats": {},
    }
    assert api_client.get("/screens/").json()["results"][0]["name"] == "Hall 2"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "X"},
        {"name": "X", "rows": 3},
        {"name": "X", "rows": 3, "seats_per_row": 12, "layout": LAYOUT},
        {"name": "X", "rows": 0, "seats_per_row": 12},
        {"name": "X", "layout": [{"row": "A", "seats": 500}]},
        {"name": "X", "layout": "A:10"},
        {"name": "", "rows": 1, "seats_per_row": 1},
    ],
)
def test_bad_screens_are_400(staff_client, body):
    response = staff_client.post("/screens/", body, format="json")

    assert response.status_code == 400
    assert not Screen.objects.exists()


def test_screen_names_are_unique(staff_client):
    make_screen(name="Hall 1")

    response = staff_client.post("/screens/", {"name": "Hall 1", "rows": 1, "seats_per_row": 5}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()


def test_screens_are_written_by_staff_only(api_client, auth_client):
    body = {"name": "Hall", "rows": 1, "seats_per_row": 5}
    assert api_client.post("/screens/", body, format="json").status_code == 401
    assert auth_client.post("/screens/", body, format="json").status_code == 403


def test_a_layout_is_frozen_while_a_show_in_the_screen_has_booked_seats(staff_client, show, user):
    make_booking(user=user, show=show, seat_number=1)
    url = f"/screens/{show.screen_id}/"

    relayout = staff_client.patch(url, {"rows": 2, "seats_per_row": 5}, format="json")
    rename = staff_client.patch(url, {"name": "Renamed"}, format="json")

    assert relayout.status_code == 409
    assert rename.status_code == 200
    assert Screen.objects.get().capacity == 50


def test_a_layout_can_change_when_nothing_is_booked(staff_client, show, api_client):
    response = staff_client.patch(f"/screens/{show.screen_id}/", {"layout": LAYOUT}, format="json")

    assert response.status_code == 200
    assert api_client.get(f"/shows/{show.id}/").json()["total_seats"] == 16


def test_a_screen_with_shows_cannot_be_deleted(staff_client, show):
    assert staff_client.delete(f"/screens/{show.screen_id}/").status_code == 409
    assert staff_client.delete(f"/screens/{make_screen().id}/").status_code == 204


def test_a_screen_keeps_capacity_and_canonical_layout_in_step(movie):
    screen = make_screen(layout=[{"row": "A", "seats": 4, "blocked": [3, 1], "tier": "standard"}])

    assert screen.capacity == 2
    assert screen.layout == [{"row": "A", "seats": 4, "blocked": [1, 3]}]
    assert make_show(movie, screen=screen).total_seats == 2
