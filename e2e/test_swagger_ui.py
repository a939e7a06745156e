"""A client developer's first visit: Swagger UI, log in, authorize, book a seat."""

import json

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from bookings.models import Booking
from catalog.tests.factories import make_movie, make_show
from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def operation(page, operation_id: str):
    """Open an operation's panel and switch it to "Try it out"."""
    block = page.locator(f"#operations-{operation_id}")
    block.locator(".opblock-summary").click()
    block.locator("button.try-out__btn").click()
    return block


def execute(block, body: dict | None = None) -> tuple[int, dict]:
    """Press Execute and read the server's answer from the response panel."""
    if block.locator("button.btn-clear").count():
        block.locator("button.btn-clear").click()  # so the answer read below is the new one
    if body is not None:
        block.locator("textarea.body-param__text").fill(json.dumps(body))
    block.locator("button.execute").click()
    answer = block.locator(".live-responses-table tbody tr.response")
    answer.wait_for()
    code = int(answer.locator(".response-col_status").inner_text().split()[0])
    return code, json.loads(answer.locator(".response-col_description .microlight").first.inner_text())


def test_log_in_authorize_and_book_a_seat_in_swagger_ui(page, user, screenshot):
    show = make_show(make_movie(title="Nosferatu"))

    page.goto("/swagger/")
    page.locator(".swagger-ui .information-container .title").wait_for()

    login = operation(page, "accounts-login_create")
    status, tokens = execute(login, {"username": "alice", "password": PASSWORD})
    assert status == 200

    authorize(page, tokens["access"])

    book = operation(page, "shows-shows_book_create")
    book.locator("tr[data-param-name='id'] input").fill(str(show.id))
    status, booking = execute(book, {"seat_number": 12})
    assert status == 201
    assert (booking["seat_number"], booking["status"], booking["movie_title"]) == (12, "booked", "Nosferatu")
    assert Booking.objects.get().user == user
    # The picture: the request and the server's answer, without the list of documented responses below.
    page.add_style_tag(content=".opblock .responses-table:not(.live-responses-table) { display: none; }")
    screenshot(book, "swagger-booking")

    status, refused = execute(book)
    assert status == 409
    assert refused["detail"] == "Seat 12 is already booked."
    assert Booking.objects.count() == 1

    # Swagger UI, its scripts, styles and the schema all came from this server.
    assert page.hosts <= {"localhost", "127.0.0.1"}


def authorize(page, token: str) -> None:
    page.locator(".scheme-container button.authorize").click()
    page.locator(".modal-ux input[type=text]").fill(token)
    page.locator(".modal-ux .auth-btn-wrapper button.authorize").click()
    page.locator(".modal-ux button.btn-done").click()


def test_hold_seats_and_confirm_them_in_swagger_ui(page, user):
    show = make_show(make_movie(title="Sunrise"))
    page.goto("/swagger/")
    page.locator(".swagger-ui .information-container .title").wait_for()
    authorize(page, str(AccessToken.for_user(user)))

    hold = operation(page, "holds-shows_holds_create")
    hold.locator("tr[data-param-name='id'] input").fill(str(show.id))
    status, held = execute(hold, {"seat_labels": ["A3", "A4"]})
    assert status == 201
    assert (held["status"], held["seat_numbers"], held["seconds_remaining"] > 400) == ("active", [3, 4], True)

    confirm = operation(page, "holds-holds_confirm_create")
    confirm.locator("tr[data-param-name='id'] input").fill(str(held["id"]))
    status, purchase = execute(confirm)
    assert status == 201
    assert (purchase["seat_labels"], purchase["reference"]) == (["A3", "A4"], held["reference"])
    assert sorted(Booking.objects.values_list("seat_number", "status")) == [(3, "booked"), (4, "booked")]
