"""The box office's pages in Chromium: the front page, the programme board, repeating a
show for a week, the door page; each checked with axe-core (no serious or critical
violations) at desktop and tablet widths."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from bookings.tests.factories import make_booking
from catalog.models import Show
from catalog.tests.factories import later_today, make_movie, make_screen, make_show
from conftest import PASSWORD
from tickets.tests.conftest import door_staff_group

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [1280, 800]  # a desktop, a tablet


def sign_in(page, username: str) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.locator("#site-name").wait_for()


@pytest.fixture
def staff_page(page, staff_user, settings):
    settings.CINEMA_NAME = "Kino Kosmos"
    staff_user.is_superuser = True
    staff_user.save()
    sign_in(page, staff_user.username)
    return page


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=day_offset), time(hour, minute)))


def test_the_front_page_and_the_programme_board_with_two_screens(staff_page, user, screenshot):
    page = staff_page
    one, two = make_screen(120, name="Screen 1"), make_screen(80, name="Screen 2")
    metropolis = make_movie(title="Metropolis", duration_minutes=153)
    orbit = make_movie(title="Orbit of Ash", duration_minutes=138)
    tonight = make_show(metropolis, screen=one, date_time=later_today(timedelta(minutes=50)))
    for seat in range(1, 31):
        make_booking(user=user, show=tonight, seat_number=seat)
    for screen, movie, hour in [(one, orbit, 14), (one, metropolis, 18), (two, orbit, 16), (two, metropolis, 20)]:
        make_show(movie, screen=screen, date_time=at(1, hour))

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/admin/")
        assert page.locator("#site-name").inner_text() == "Kino Kosmos box office"
        assert page.get_by_text("30 / 120").is_visible()
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/admin/")
    screenshot(page, "admin-index")

    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page.goto(f"/admin/programme/?day={tomorrow}")
    rows = page.locator(".board-row")
    assert rows.count() == 2
    assert rows.nth(0).locator(".block").count() == 2
    assert rows.nth(1).locator(".block").count() == 2
    first = rows.nth(0).locator(".block").nth(0).bounding_box()
    second = rows.nth(0).locator(".block").nth(1).bounding_box()
    assert first["x"] + first["width"] < second["x"]  # the gap between the 14:00 and 18:00 shows shows
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 700})
    screenshot(page, "admin-programme")
    page.get_by_role("link", name="18:00 Metropolis").click()
    page.locator("#show_form").wait_for()


def test_repeating_a_show_for_a_week_skips_the_day_with_a_conflict(staff_page):
    page = staff_page
    screen = make_screen(60, name="Screen 3")
    show = make_show(make_movie(title="Metropolis", duration_minutes=100), screen=screen, date_time=at(1, 20))
    make_show(make_movie(title="Orbit of Ash"), screen=screen, date_time=at(4, 19, 30))

    page.goto("/admin/catalog/show/")
    page.check(f"input[name=_selected_action][value='{show.pk}']")
    page.select_option("select[name=action]", "repeat")
    page.click("button[name=index]")
    page.fill("#id_days", "7")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    page.click("input[name=apply]")
    message = page.locator(".messagelist li").inner_text()

    assert message.startswith("Created 6 show(s). Skipped 1: Metropolis on")
    assert Show.objects.filter(movie=show.movie).count() == 7


def test_door_staff_check_a_ticket_in_on_the_door_page(page, user, screenshot):
    door = User.objects.create_user(username="dora", password=PASSWORD)
    door.groups.add(door_staff_group())
    ticket = make_booking(user=user, show=make_show(make_movie(), starts_in=timedelta(minutes=30)), seat_number=12)
    sign_in(page, "dora")

    page.get_by_role("link", name="Door: check tickets in").click()
    page.fill("#id_code", ticket.code.lower())
    page.click("input[type=submit]")
    admitted = page.locator(".answer.ok")
    assert admitted.inner_text().startswith("In: seat A12")
    assert_accessible(page)
    screenshot(page, "admin-door")

    page.fill("#id_code", ticket.code)
    page.click("input[type=submit]")
    refused = page.locator(".answer.no")
    assert "already checked in" in refused.inner_text()
    assert refused.evaluate("element => getComputedStyle(element).backgroundColor") == "rgb(183, 28, 28)"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)


def test_editing_a_layout_redraws_the_screen_and_a_sold_screen_says_it_is_frozen(staff_page, user, screenshot):
    page = staff_page
    screen = make_screen(
        name="Screen 4", layout=[{"row": "A", "seats": 6}, {"row": "B", "seats": 8, "tier": "premium"}]
    )

    page.goto(f"/admin/catalog/screen/{screen.pk}/change/")
    preview = page.locator("#layout-preview")
    assert preview.locator(".seat").count() == 14
    assert preview.locator(".seat.tier-premium").count() == 8

    # Power users edit the JSON: the rows and the drawing follow.
    page.fill("#id_layout", '[{"row": "A", "seats": 10, "blocked": [1, 10]}, {"row": "B", "seats": 10}]')
    assert preview.locator(".seat").count() == 20
    assert preview.locator(".seat.blocked").count() == 2
    assert preview.locator(".seat-grid").get_attribute("aria-label") == "2 rows, 18 seats"
    assert page.get_by_label("Row 1: blocked places").input_value() == "1, 10"

    # Everyone else edits rows: the drawing and the JSON follow, and the save keeps it.
    page.get_by_label("Row 2: places").fill("12")
    page.get_by_role("button", name="Add a row").click()
    page.get_by_label("Row 3: tier").fill("premium")
    assert preview.locator(".seat-grid").get_attribute("aria-label") == "3 rows, 32 seats"
    assert preview.locator(".seat.tier-premium").count() == 12
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "admin-screen")
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    screen.refresh_from_db()
    assert screen.layout[1:] == [{"row": "B", "seats": 12}, {"row": "C", "seats": 12, "tier": "premium"}]
    assert screen.capacity == 8 + 12 + 12

    make_booking(user=user, show=make_show(make_movie(), screen=screen, starts_in=timedelta(days=1)), seat_number=3)
    page.reload()
    assert "The layout is frozen" in page.locator(".layout-frozen").inner_text()


def test_a_shows_page_shows_its_seats_after_a_booking_and_a_check_in(staff_page, user, screenshot):
    page = staff_page
    show = make_show(
        make_movie(title="Metropolis"), screen=make_screen(60, name="Screen 5"), starts_in=timedelta(minutes=40)
    )
    booked = make_booking(user=user, show=show, seat_number=14)
    entering = make_booking(user=user, show=show, seat_number=15)
    page.goto("/admin/door/")
    page.fill("#id_code", entering.code)
    page.click("input[type=submit]")
    page.locator(".answer.ok").wait_for()

    page.goto(f"/admin/catalog/show/{show.pk}/change/")
    grid = page.locator(".seat-grid-row .seat")
    assert grid.count() == 60
    assert page.locator(".seat-grid-row .seat.booked").count() == 1
    assert page.locator(".seat-grid-row .seat.checked_in").count() == 1
    assert page.locator(".seat-grid-row .seat.booked").get_attribute("title").startswith(booked.seat_label)
    assert "2 of 60 seats sold" in page.locator(".field-sales").inner_text()
    assert "1 of 2 sold tickets checked in" in page.locator(".field-check_in_progress").inner_text()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "admin-show")
