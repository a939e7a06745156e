"""A client developer's day, through a client generated from the served schema.

scripts/contract.sh generates the client (openapi-python-client) into a
temporary `booking_client` package, type-checks this script with mypy --strict
against it, and runs it against a live server. Every call must come back as
the model the schema promises for its status: the client raises on any status
the schema does not document (raise_on_unexpected_status), and `expect` fails
on a body of another type.

    python contract/flow.py http://127.0.0.1:8770 STAFF_USERNAME STAFF_PASSWORD
"""

from __future__ import annotations

import datetime
import secrets
import sys
from typing import TypeVar

from booking_client import AuthenticatedClient, Client
from booking_client.api.accounts import (
    login_create,
    logout_create,
    me_retrieve,
    signup_create,
    token_refresh_create,
)
from booking_client.api.bookings import bookings_cancel_create, my_bookings_list
from booking_client.api.check_in import (
    check_ins_create,
    check_ins_destroy,
    shows_check_in_list_retrieve,
    shows_check_ins_summary_retrieve,
)
from booking_client.api.genres import genres_list
from booking_client.api.holds import holds_confirm_create, shows_holds_create
from booking_client.api.movies import movies_create, movies_list, movies_shows_list
from booking_client.api.reports import reports_movies_list, reports_shows_list
from booking_client.api.screens import screens_create
from booking_client.api.shows import shows_book_create, shows_create, shows_list, shows_seats_retrieve
from booking_client.api.tickets import bookings_ticket_retrieve, purchases_tickets_retrieve, tickets_keys_retrieve
from booking_client.models import (
    Booking,
    BookingCreateRequest,
    BookingStatusEnum,
    CheckIn,
    CheckInConflictError,
    CheckInCreateRequest,
    CheckInList,
    CheckInSummary,
    ConflictError,
    Genre,
    Hold,
    HoldCreateRequest,
    HoldStatusEnum,
    LoginRequest,
    LoginResponse,
    Me,
    Movie,
    MovieRequest,
    MoviesListOrdering,
    PaginatedBookingList,
    PaginatedMovieList,
    PaginatedMovieReportList,
    PaginatedShowList,
    PaginatedShowReportList,
    Purchase,
    PurchaseTickets,
    RefreshRequest,
    Screen,
    ScreenRequest,
    SeatMap,
    Show,
    ShowRequest,
    SignupRequest,
    Ticket,
    TicketKeys,
    TokenBlacklistRequest,
    TokenPair,
    User,
)
from booking_client.types import UNSET, Response

T = TypeVar("T")


def expect(response: Response[object], kind: type[T], status: int) -> T:
    """The parsed body, which must be a ``kind`` with this status."""
    if response.status_code != status or not isinstance(response.parsed, kind):
        raise SystemExit(
            f"expected {status} {kind.__name__}, got {response.status_code} {type(response.parsed).__name__}: "
            f"{response.content[:300]!r}"
        )
    return response.parsed


def authenticated(base_url: str, token: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)


def anonymous(base_url: str) -> AuthenticatedClient:
    # openapi-python-client asks for an AuthenticatedClient wherever an operation
    # declares any security, even with the anonymous {} alternative: a client
    # whose "token" goes in a header the server ignores is an anonymous one.
    return AuthenticatedClient(
        base_url=base_url, token="", prefix="", auth_header_name="X-Anonymous", raise_on_unexpected_status=True
    )


def main(base_url: str, staff_username: str, staff_password: str) -> None:
    public = anonymous(base_url)
    plain = Client(base_url=base_url, raise_on_unexpected_status=True)

    # Staff set up a screen, a movie and a show.
    staff_login = expect(
        login_create.sync_detailed(client=plain, body=LoginRequest(username=staff_username, password=staff_password)),
        LoginResponse,
        200,
    )
    staff = authenticated(base_url, staff_login.access)
    suffix = secrets.token_hex(3)
    screen = expect(
        screens_create.sync_detailed(
            client=staff, body=ScreenRequest(name=f"Contract {suffix}", rows=4, seats_per_row=5)
        ),
        Screen,
        201,
    )
    movie = expect(
        movies_create.sync_detailed(
            client=staff, body=MovieRequest(title=f"Contract film {suffix}", duration_minutes=95)
        ),
        Movie,
        201,
    )
    assert movie.poster_url is None  # no poster: null, not ""
    starts = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)
    show = expect(
        shows_create.sync_detailed(
            client=staff, body=ShowRequest(movie=movie.id, screen=screen.id, date_time=starts, price="11.50")
        ),
        Show,
        201,
    )
    assert show.total_seats == 20

    # Anyone browses.
    movies = expect(
        movies_list.sync_detailed(client=public, ordering=MoviesListOrdering.TITLE), PaginatedMovieList, 200
    )
    assert movies.count >= 1
    genres = expect(genres_list.sync_detailed(client=public), list, 200)
    assert all(isinstance(genre, Genre) for genre in genres)
    shows = expect(shows_list.sync_detailed(client=public, movie=movie.id), PaginatedShowList, 200)
    assert [s.id for s in shows.results] == [show.id]
    expect(movies_shows_list.sync_detailed(movie.id, client=public), PaginatedShowList, 200)
    seat_map = expect(shows_seats_retrieve.sync_detailed(show.id, client=public), SeatMap, 200)
    assert len(seat_map.available) == 20

    # A customer signs up without an e-mail address and logs in.
    username = f"contract_{suffix}"
    user = expect(
        signup_create.sync_detailed(client=public, body=SignupRequest(username=username, password="a-long-secret-77")),
        User,
        201,
    )
    assert user.email is None
    login = expect(
        login_create.sync_detailed(client=plain, body=LoginRequest(username=username, password="a-long-secret-77")),
        LoginResponse,
        200,
    )
    customer = authenticated(base_url, login.access)
    me = expect(me_retrieve.sync_detailed(client=customer), Me, 200)
    assert (me.username, me.email, me.is_staff) == (username, None, False)

    # Hold two seats, confirm them; book one seat and then several.
    hold = expect(
        shows_holds_create.sync_detailed(show.id, client=customer, body=HoldCreateRequest(seat_labels=["B1", "B2"])),
        Hold,
        201,
    )
    assert hold.status == HoldStatusEnum.ACTIVE
    confirmed = expect(holds_confirm_create.sync_detailed(hold.id, client=customer), Purchase, 201)
    assert confirmed.seat_labels == ["B1", "B2"]
    one = expect(
        shows_book_create.sync_detailed(show.id, client=customer, body=BookingCreateRequest(seat_number=1)),
        Booking,
        201,
    )
    several = expect(
        shows_book_create.sync_detailed(show.id, client=customer, body=BookingCreateRequest(seat_numbers=[3, 4])),
        Purchase,
        201,
    )
    assert [b.seat_number for b in several.bookings] == [3, 4]

    # A taken seat is a 409 parsed as the conflict error, naming the seat.
    taken = expect(
        shows_book_create.sync_detailed(show.id, client=customer, body=BookingCreateRequest(seat_numbers=[4, 5])),
        ConflictError,
        409,
    )
    assert (taken.code, taken.seat_numbers) == ("seat_taken", [4])

    mine = expect(my_bookings_list.sync_detailed(client=customer), PaginatedBookingList, 200)
    assert mine.count == 5
    cancelled = expect(bookings_cancel_create.sync_detailed(one.id, client=customer), Booking, 200)
    assert cancelled.status == BookingStatusEnum.CANCELLED

    # Tonight's show: tickets, the door (staff may check in), a second scan.
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=30)
    tonight = expect(
        shows_create.sync_detailed(
            client=staff, body=ShowRequest(movie=movie.id, screen=screen.id, date_time=soon, price="9.00")
        ),
        Show,
        201,
    )
    bought = expect(
        shows_book_create.sync_detailed(
            tonight.id, client=customer, body=BookingCreateRequest(seat_labels=["A1", "A2"])
        ),
        Purchase,
        201,
    )
    ticket = expect(bookings_ticket_retrieve.sync_detailed(bought.bookings[0].id, client=customer), Ticket, 200)
    both = expect(purchases_tickets_retrieve.sync_detailed(bought.reference, client=customer), PurchaseTickets, 200)
    assert [t.seat_label for t in both.tickets] == ["A1", "A2"]
    keys = expect(tickets_keys_retrieve.sync_detailed(client=public), TicketKeys, 200)
    assert ticket.qr.split(".")[1] == keys.current
    entry = expect(
        check_ins_create.sync_detailed(
            client=staff, body=CheckInCreateRequest(code=ticket.qr, show=tonight.id, device="contract")
        ),
        CheckIn,
        201,
    )
    again = expect(
        check_ins_create.sync_detailed(client=staff, body=CheckInCreateRequest(code=ticket.code.lower())),
        CheckInConflictError,
        409,
    )
    assert (again.code, again.check_in) == ("already_checked_in", entry.id)
    summary = expect(shows_check_ins_summary_retrieve.sync_detailed(tonight.id, client=staff), CheckInSummary, 200)
    assert (summary.sold, summary.checked_in, summary.remaining) == (2, 1, 1)
    door_list = expect(shows_check_in_list_retrieve.sync_detailed(tonight.id, client=staff), CheckInList, 200)
    assert sorted(t.seat_label for t in door_list.tickets) == ["A1", "A2"]
    assert check_ins_destroy.sync_detailed(entry.id, client=staff).status_code == 204

    # Refresh, then log out: the refresh token is spent.
    pair = expect(
        token_refresh_create.sync_detailed(client=plain, body=RefreshRequest(refresh=login.refresh)), TokenPair, 200
    )
    logout = logout_create.sync_detailed(client=plain, body=TokenBlacklistRequest(refresh=pair.refresh))
    assert logout.status_code == 204

    # Staff read both reports.
    per_show = expect(reports_shows_list.sync_detailed(client=staff, movie=movie.id), PaginatedShowReportList, 200)
    assert {row.show: row.seats_sold for row in per_show.results} == {show.id: 4, tonight.id: 2}
    per_movie = expect(
        reports_movies_list.sync_detailed(client=staff, movie=movie.id, date_from=UNSET),
        PaginatedMovieReportList,
        200,
    )
    assert per_movie.count == 1
    print("contract flow: 33 calls, every answer the documented model")


if __name__ == "__main__":
    main(*sys.argv[1:4])
