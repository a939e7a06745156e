"""Ticket codes: what a customer shows at the door and a clerk can type.

Eighteen characters from an alphabet without look-alikes (no 0/O, 1/I/L, U),
drawn with ``secrets``: 30**18, about 2**88, so a code can not be guessed.
Shown in groups of six; typed in any case, with or without dashes or spaces.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 18
GROUP = 6


def new_ticket_code() -> str:
    """A fresh code as stored: upper case, no dashes."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display_code(code: str) -> str:
    """``K7F3QX9M2HAB4CDE5F`` as printed on a ticket: ``K7F3QX-9M2HAB-4CDE5F``."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalize_code(typed: str) -> str | None:
    """The stored form of a typed code, or None when it can not be one (wrong length or characters)."""
    code = "".join(typed.split()).replace("-", "").upper()
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code
