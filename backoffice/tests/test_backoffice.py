from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from bookings.services import hold_create
from bookings.tests.factories import make_booking
from catalog.models import Show
from catalog.tests.factories import later_today, make_movie, make_screen, make_show
from conftest import PASSWORD
from orders.services import order_create, order_pay_at_box_office
from tickets.models import CheckIn
from tickets.tests.conftest import door_staff_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_client_factory, staff_user) -> Client:
    return admin_client_factory(staff_user)


@pytest.fixture
def door_client(db) -> Client:
    user = User.objects.create_user(username="dora", password=PASSWORD)
    user.groups.add(door_staff_group())
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_carries_the_cinemas_name(admin_client, settings):
    settings.CINEMA_NAME = "Kino Kosmos"

    page = admin_client.get("/admin/").content.decode()

    assert "Kino Kosmos box office" in page
    assert "<title>Today | Kino Kosmos</title>" in page
    assert "Django administration" not in page


def test_the_front_page_shows_todays_shows_and_sales(admin_client, user):
    show = make_show(make_movie(title="Orbit of Ash"), date_time=later_today(), total_seats=40)
    for seat in (1, 2, 3):
        make_booking(user=user, show=show, seat_number=seat)
    make_booking(user=user, show=show, seat_number=4, status="cancelled", cancelled_at=timezone.now())

    page = admin_client.get("/admin/").content.decode()

    assert "Orbit of Ash" in page
    assert "3 / 40" in page
    assert 'aria-label="3 of 40 seats sold"' in page
    assert "<strong>3</strong> tickets sold today" in page
    assert "<strong>30.00 EUR</strong> taken today" in page
    assert "<strong>1</strong> cancelled today" in page
    assert f"/admin/catalog/show/{show.pk}/change/" in page


def test_the_front_page_shows_what_the_box_office_took_per_method(admin_client, auth_client, user, staff_user):
    show = make_show(make_movie(), date_time=later_today(), total_seats=40)
    for seats, method in (([1, 2], "cash"), ([3], "card")):
        hold = hold_create(user=user, show_id=show.pk, seat_numbers=seats)
        order = order_create(user=user, hold_id=hold.pk)
        order_pay_at_box_office(order_id=order.pk, method=method, by=staff_user)
    unpaid = order_create(user=user, hold_id=hold_create(user=user, show_id=show.pk, seat_numbers=[4]).pk)
    assert unpaid.status == "pending_payment"

    page = admin_client.get("/admin/").content.decode()

    assert "<strong>30.00 EUR</strong> paid at the box office today" in page
    assert "(20.00 cash, 10.00 card)" in page
    assert "<strong>3</strong> tickets sold today" in page


def test_the_programme_board_draws_each_screens_day(admin_client):
    day = timezone.localdate() + timedelta(days=2)
    one, two = make_screen(50, name="Screen One"), make_screen(50, name="Screen Two")
    movie = make_movie(title="Metropolis", duration_minutes=120)
    start = timezone.make_aware(datetime.combine(day, time(18, 0)))
    make_show(movie, screen=one, date_time=start)
    make_show(movie, screen=two, date_time=start + timedelta(hours=3))

    page = admin_client.get("/admin/programme/", {"day": day.isoformat()}).content.decode()

    assert "Screen One" in page
    assert "Screen Two" in page
    assert page.count('class="block"') == 2
    # 18:00 on a 09:00-24:00 board is 60 % in; two hours of fifteen are 13.333 % wide.
    assert "left: 60.000%; width: 13.333%;" in page
    assert "18:00 Metropolis" in page
    assert "until 20:00" in page
    week = admin_client.get("/admin/programme/", {"day": day.isoformat(), "week": "on"}).content.decode()
    assert week.count("<section") == 7
    assert admin_client.get("/admin/programme/", {"day": "not a day"}).status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_a_day_no_show_can_be_on_shows_today_and_says_why(admin_client, day):
    page = admin_client.get("/admin/programme/", {"day": day, "week": "on"})

    assert page.status_code == 200
    assert "Shows run between 01 January 2000 and" in page.content.decode()
    assert page.context["day"] == timezone.localdate()


def test_door_staff_use_the_door_page_and_see_nothing_else(door_client, user):
    show = make_show(make_movie(title="Metropolis"), starts_in=timedelta(minutes=30))
    ticket = make_booking(user=user, show=show, seat_number=7)

    index = door_client.get("/admin/").content.decode()
    admitted = door_client.post("/admin/door/", {"code": ticket.code.lower()}).content.decode()
    again = door_client.post("/admin/door/", {"code": ticket.code}).content.decode()

    assert "Door: check tickets in" in index
    assert "Programme board" not in index
    assert "In: seat A7" in admitted
    assert "Not in: This ticket was already checked in" in again
    assert "already_checked_in" in again
    assert CheckIn.objects.get().by.username == "dora"
    assert door_client.get("/admin/programme/").status_code == 403
    assert door_client.get("/admin/bookings/booking/").status_code in (302, 403)
    assert door_client.get("/admin/catalog/show/").status_code in (302, 403)


def test_customers_can_not_enter_the_admin(user):
    client = Client()
    client.force_login(user)

    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/door/").status_code == 302


def test_repeating_a_show_daily_creates_the_free_days_and_reports_the_conflict(admin_client):
    movie = make_movie(title="Metropolis", duration_minutes=100)
    screen = make_screen(50, name="Screen One")
    first = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time(20, 0)))
    show = make_show(movie, screen=screen, date_time=first)
    blocker = make_show(make_movie(title="Orbit"), screen=screen, date_time=first + timedelta(days=3, minutes=-30))

    ask = admin_client.post("/admin/catalog/show/", {"action": "repeat", "_selected_action": [show.pk]})
    done = admin_client.post(
        "/admin/catalog/show/",
        {"action": "repeat", "_selected_action": [show.pk], "days": 6, "apply": "Schedule"},
        follow=True,
    )

    assert "For the next N days" in ask.content.decode()
    assert Show.objects.filter(movie=movie).count() == 1 + 5
    page = done.content.decode()
    assert "Created 5 show(s). Skipped 1: Metropolis on" in page
    assert blocker.movie.title != "Metropolis"
    times = {timezone.localtime(s.date_time).time() for s in Show.objects.filter(movie=movie)}
    assert times == {time(20, 0)}


def test_repeating_on_chosen_weekdays_only(admin_client):
    show = make_show(
        make_movie(),
        date_time=timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time(15, 0))),
    )

    admin_client.post(
        "/admin/catalog/show/",
        {"action": "repeat", "_selected_action": [show.pk], "days": 14, "weekdays": [5, 6], "apply": "Schedule"},
    )

    repeats = Show.objects.exclude(pk=show.pk)
    assert repeats.count() == 4
    assert {timezone.localtime(s.date_time).weekday() for s in repeats} == {5, 6}


def test_a_bad_repeat_form_asks_again(admin_client, show):
    page = admin_client.post(
        "/admin/catalog/show/", {"action": "repeat", "_selected_action": [show.pk], "days": 0, "apply": "Schedule"}
    )

    assert "Ensure this value is greater than or equal to 1" in page.content.decode()
    assert Show.objects.count() == 1


def test_a_shows_page_draws_its_seats_with_their_states_and_sums_up_its_sales(admin_client, user):
    show = make_show(make_movie(), starts_in=timedelta(minutes=30), total_seats=10)
    make_booking(user=user, show=show, seat_number=1)
    inside = make_booking(user=user, show=show, seat_number=2)
    CheckIn.objects.create(booking=inside, scanned_at=timezone.now(), by=user)

    page = admin_client.get(f"/admin/catalog/show/{show.pk}/change/").content.decode()

    assert page.count('class="seat booked tier-') == 1
    assert page.count('class="seat checked_in tier-') == 1
    assert page.count('class="seat available tier-') == 8
    assert 'aria-label="Seat map: 1 booked, 1 checked_in, 8 available"' in page
    assert "2 of 10 seats sold (20%), 20.00 EUR taken." in page
    assert page.count("<td>alice</td>") == 2
    assert f"/admin/bookings/booking/?show__id__exact={show.pk}" in page
    assert "catalog/admin/seat_grid.css" in page


PREMIUM = [{"row": "A", "seats": 5}, {"row": "B", "seats": 5, "tier": "premium"}]


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


def test_a_shows_tier_prices_are_one_field_per_tier_of_its_screen(admin_client):
    show = make_show(
        make_movie(), screen=make_screen(layout=PREMIUM, name="Premium screen"), tier_prices={"premium": "14.00"}
    )

    page = admin_client.get(f"/admin/catalog/show/{show.pk}/change/").content.decode()
    saved = admin_client.post(f"/admin/catalog/show/{show.pk}/change/", show_form(show, price_premium="15.50"))

    assert 'name="price_premium"' in page
    assert 'value="14.00"' in page
    assert 'name="tier_prices"' not in page
    assert saved.status_code == 302
    show.refresh_from_db()
    assert show.tier_prices == {"premium": "15.50"}


def test_an_empty_tier_price_means_the_shows_price(admin_client):
    show = make_show(
        make_movie(), screen=make_screen(layout=PREMIUM, name="Premium screen"), tier_prices={"premium": "14.00"}
    )

    admin_client.post(f"/admin/catalog/show/{show.pk}/change/", show_form(show, price_premium=""))

    show.refresh_from_db()
    assert show.tier_prices == {}


def test_a_new_show_can_not_price_a_tier_its_screen_lacks(admin_client):
    make_screen(layout=PREMIUM, name="Premium screen")
    plain = make_screen(10, name="Plain screen")
    movie = make_movie()
    start = timezone.localtime() + timedelta(days=3)

    page = admin_client.post(
        "/admin/catalog/show/add/",
        {
            "movie": movie.pk,
            "screen": plain.pk,
            "date_time_0": start.date().isoformat(),
            "date_time_1": "20:00:00",
            "price": "10.00",
            "price_premium": "15.00",
        },
    )

    assert page.status_code == 200
    assert "Plain screen has no premium seats; leave this empty." in page.content.decode()
    assert not Show.objects.exists()
