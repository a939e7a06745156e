from decimal import Decimal

import pytest

from bookings.tests.factories import make_booking
from catalog.tests.factories import at, make_movie, make_screen, make_show

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(user):
    """Alpha: 3 of 10 seats at 10.00, then 1 standard (10.00) + 1 premium (15.00) of 20. Beta: 0 of 10."""
    alpha, beta = make_movie(title="Alpha"), make_movie(title="Beta")
    small = make_screen(10, name="Small")
    tiered = make_screen(
        layout=[{"row": "A", "seats": 10}, {"row": "B", "seats": 10, "tier": "premium"}], name="Tiered"
    )
    a1 = make_show(alpha, screen=small, date_time=at("2099-04-01", 18), price=Decimal("10.00"))
    a2 = make_show(
        alpha, screen=tiered, date_time=at("2099-04-02", 18), price=Decimal("10.00"), tier_prices={"premium": "15.00"}
    )
    b1 = make_show(beta, screen=small, date_time=at("2099-04-02", 21), price=Decimal("8.00"))
    for seat in (1, 2, 3):
        make_booking(user=user, show=a1, seat_number=seat)
    make_booking(user=user, show=a1, seat_number=4, status="cancelled")
    make_booking(user=user, show=a2, seat_number=1)
    make_booking(user=user, show=a2, seat_number=11)
    return {"alpha": alpha, "beta": beta, "a1": a1, "a2": a2, "b1": b1}


def row(show, movie, screen, seats_sold, capacity, occupancy, revenue):
    return {
        "show": show.id,
        "movie": movie.id,
        "movie_title": movie.title,
        "screen_name": screen,
        "date_time": show.date_time.isoformat().replace("+00:00", "Z"),
        "capacity": capacity,
        "seats_blocked": 0,
        "seats_unsold": 0,
        "sellable": capacity,
        "seats_sold": seats_sold,
        "occupancy": occupancy,
        "revenue": revenue,
        "discounts": "0.00",
        "currency": "EUR",
        "waiting_list_sold": 0,
    }


def test_show_report_counts_seats_and_revenue_per_show(staff_client, sales):
    s = sales

    response = staff_client.get("/reports/shows/")

    assert response.status_code == 200
    assert response.json()["results"] == [
        row(s["a1"], s["alpha"], "Small", 3, 10, 30.0, "30.00"),
        row(s["a2"], s["alpha"], "Tiered", 2, 20, 10.0, "25.00"),
        row(s["b1"], s["beta"], "Small", 0, 10, 0.0, "0.00"),
    ]


def test_movie_report_adds_up_each_movies_shows(staff_client, sales):
    response = staff_client.get("/reports/movies/")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "movie": sales["alpha"].id,
            "title": "Alpha",
            "shows": 2,
            "capacity": 30,
            "seats_sold": 5,
            "occupancy": 16.7,
            "revenue": "55.00",
            "discounts": "0.00",
            "currency": "EUR",
            "waiting_list_sold": 0,
        },
        {
            "movie": sales["beta"].id,
            "title": "Beta",
            "shows": 1,
            "capacity": 10,
            "seats_sold": 0,
            "occupancy": 0.0,
            "revenue": "0.00",
            "discounts": "0.00",
            "currency": "EUR",
            "waiting_list_sold": 0,
        },
    ]


def test_reports_filter_by_date_range_and_movie(staff_client, sales):
    by_day = staff_client.get("/reports/shows/", {"date_from": "2099-04-02", "date_to": "2099-04-02"}).json()
    by_movie = staff_client.get("/reports/shows/", {"movie": sales["beta"].id}).json()
    movies_on_day = staff_client.get("/reports/movies/", {"date_from": "2099-04-02"}).json()["results"]

    assert [r["show"] for r in by_day["results"]] == [sales["a2"].id, sales["b1"].id]
    assert [r["show"] for r in by_movie["results"]] == [sales["b1"].id]
    assert [(m["title"], m["shows"], m["capacity"], m["seats_sold"], m["revenue"]) for m in movies_on_day] == [
        ("Alpha", 1, 20, 2, "25.00"),
        ("Beta", 1, 10, 0, "0.00"),
    ]


def test_reports_are_for_staff_only(api_client, auth_client):
    for url in ("/reports/shows/", "/reports/movies/"):
        assert api_client.get(url).status_code == 401
        assert auth_client.get(url).status_code == 403


def test_bad_report_filters_are_400(staff_client):
    assert staff_client.get("/reports/shows/", {"date_from": "soon"}).status_code == 400
    assert staff_client.get("/reports/movies/", {"movie": "x"}).status_code == 400


@pytest.mark.parametrize("url", ["/reports/shows/", "/reports/movies/"])
def test_reports_run_a_fixed_number_of_queries(staff_client, user, url, django_assert_num_queries):
    for n in range(12):
        show = make_show(make_movie(title=f"Film {n}"), date_time=at("2099-05-01", 10 + n))
        make_booking(user=user, show=show, seat_number=1)
        make_booking(user=user, show=show, seat_number=2)

    # user (token), count, page
    with django_assert_num_queries(3):
        response = staff_client.get(url, {"page_size": 100})
    assert len(response.json()["results"]) == 12
    assert {r["seats_sold"] for r in response.json()["results"]} == {2}
