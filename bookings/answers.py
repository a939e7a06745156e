"""The bodies of bookings' written-out answers (core/answers.py).

No ``from __future__ import annotations`` here: Python 3.11 tells a
TypedDict's NotRequired keys apart only from evaluated annotations.
"""

from typing import NotRequired, TypedDict


class BookingBody(TypedDict):
    id: int
    show: int
    seat_number: int
    status: str
    created_at: str
    cancelled_at: str | None
    movie_title: str
    show_date_time: str
    screen_name: str
    seat_label: str
    ticket_type: str
    price: str
    currency: str
    reference: str
    # Only in the answer that made the booking.
    email_queued: NotRequired[bool]


class PurchaseBody(TypedDict):
    reference: str
    show: int
    seat_numbers: list[int]
    seat_labels: list[str]
    total: str
    currency: str
    bookings: list[BookingBody]
    email_queued: bool


class HeldSeatBody(TypedDict):
    seat_number: int
    label: str
    price: str


class HoldBody(TypedDict):
    id: int
    show: int
    status: str
    seats: list[HeldSeatBody]
    seat_numbers: list[int]
    seat_labels: list[str]
    total: str
    currency: str
    created_at: str
    expires_at: str
    seconds_remaining: int
    extended: bool
    offered: bool
    reference: str
