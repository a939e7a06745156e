"""The bodies of tickets' written-out answers (core/answers.py; no
``from __future__`` here, as in bookings/answers.py)."""

from typing import TypedDict


class CheckInBody(TypedDict):
    id: int
    ticket: int
    seat_label: str
    seat_number: int
    show: int
    movie_title: str
    checked_in_at: str
    checked_in_by: str
    device: str
    recorded_at: str
