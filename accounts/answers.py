"""The bodies of accounts' written-out answers (core/answers.py; no
``from __future__`` here, as in bookings/answers.py)."""

from typing import TypedDict


class MeBody(TypedDict):
    id: int
    username: str
    email: str | None
    is_staff: bool
