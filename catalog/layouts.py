"""Seat layouts of screens: parsing, validation, seat numbers and labels.

A layout is a list of rows, front to back:

    [{"row": "A", "seats": 12, "blocked": [1, 12], "tier": "standard"},
     {"row": "B", "seats": 14},
     ...]

``seats`` counts the physical places in the row; ``blocked`` ones (an aisle,
a wheelchair space, a broken seat) exist on the map but are never sold.
``tier`` names a price tier (default "standard"); a show can price tiers
differently. ``wheelchair`` lists the row's wheelchair spaces and ``companion``
the seats beside them for a companion (docs/seating.md): seats like the others,
numbered and sold, with rules of their own (catalog/seating.py). Every
sellable seat gets a ``seat_number``, 1..capacity, counted row by row, and a
label: the row letter and the place in the row ("F7").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from django.core.exceptions import ValidationError

# A row of a layout: {"row": "A", "seats": 12, "blocked": [1], "tier": "premium"}.
Row = dict[str, Any]

MAX_ROWS = 50  # x 100 seats: at most 5,000 seats in a screen
MAX_SEATS_IN_ROW = 100
STANDARD = "standard"
# The kinds of seat a layout can mark (a seat's ``kind``); STANDARD for the rest.
WHEELCHAIR = "wheelchair"
COMPANION = "companion"
KINDS = (STANDARD, WHEELCHAIR, COMPANION)
ROW = re.compile(r"^[A-Z]{1,2}$")
TIER = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")
# Row letters, optional whitespace, then a place number without leading zeros.
LABEL = re.compile(r"^\s*([A-Za-z]{1,2})\s*([1-9][0-9]{0,2})\s*$")


def row_label(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, 27 -> AB ..."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


def grid(rows: int, seats_per_row: int) -> list[Row]:
    """A plain rectangle of seats: rows A, B, C ... of equal length."""
    return [{"row": row_label(i), "seats": seats_per_row} for i in range(rows)]


def rows_of(total_seats: int, per_row: int = 20) -> list[Row]:
    """Rows A, B, C ... of ``per_row`` seats holding ``total_seats``; the last row may be shorter."""
    return [
        {"row": row_label(index), "seats": min(per_row, total_seats - start)}
        for index, start in enumerate(range(0, total_seats, per_row))
    ]


def normalize_label(text: str) -> str | None:
    """'  f 7 ' -> 'F7'. None for anything that is not a label ('F07', '7F', 'F')."""
    match = LABEL.match(text)
    return f"{match[1].upper()}{match[2]}" if match else None


@dataclass(frozen=True)
class Seat:
    number: int | None  # None for a blocked place
    label: str
    row: str
    place: int
    tier: str
    kind: str = STANDARD


def kind_of(row: Row, place: int) -> str:
    if place in row.get(WHEELCHAIR, ()):
        return WHEELCHAIR
    if place in row.get(COMPANION, ()):
        return COMPANION
    return STANDARD


class SeatPlan:
    """A layout with its seats numbered and labelled.

    Lookups of one seat walk the rows, not the seats: a booking in a
    5,000-seat hall does not build 5,000 objects while it holds the show's
    lock. ``validate=False`` is for layouts already checked and stored.
    """

    def __init__(self, layout: object, *, validate: bool = True) -> None:
        # Unchecked layouts come from the database, where only checked ones are stored.
        self.layout: list[Row] = clean_layout(layout) if validate else cast(list[Row], layout)

    @cached_property
    def rows(self) -> dict[str, tuple[int, Row]]:
        """Each row by name, with the seat number before its first seat."""
        rows: dict[str, tuple[int, Row]] = {}
        before = 0
        for row in self.layout:
            rows[row["row"]] = (before, row)
            before += row["seats"] - len(row.get("blocked", ()))
        return rows

    @property
    def capacity(self) -> int:
        before, row = list(self.rows.values())[-1]
        return before + int(row["seats"]) - len(row.get("blocked", ()))

    @property
    def tiers(self) -> set[str]:
        return {row.get("tier", STANDARD) for row in self.layout}

    def seat(self, number: int) -> Seat | None:
        """The seat with this number, or None if the screen has no such seat."""
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            return None
        for before, row in self.rows.values():
            free = row["seats"] - len(row.get("blocked", ()))
            if number <= before + free:
                place = number - before
                for blocked in row.get("blocked", ()):  # sorted: skip the blocked places up to ours
                    if blocked <= place:
                        place += 1
                return Seat(
                    number, f"{row['row']}{place}", row["row"], place, row.get("tier", STANDARD), kind_of(row, place)
                )
        return None

    def label_of(self, number: int) -> str:
        """The label of a seat number known to exist; ValueError otherwise."""
        seat = self.seat(number)
        if seat is None:
            raise ValueError(f"no seat {number} in this layout")
        return seat.label

    def number_of(self, label: str) -> int | None:
        """The seat number of a normalized label ("F7"), or None if the screen has no such seat."""
        match = LABEL.match(label)
        entry = self.rows.get(match[1]) if match else None
        if match is None or entry is None:
            return None
        before, row = entry
        place, blocked = int(match[2]), row.get("blocked", ())
        if place > row["seats"] or place in blocked:
            return None
        return before + place - sum(1 for b in blocked if b < place)

    def numbers_for(self, labels: list[str]) -> list[int]:
        """Seat numbers for normalized labels; ValidationError naming the ones this screen lacks."""
        numbers = [self.number_of(label) for label in labels]
        unknown = [label for label, number in zip(labels, numbers, strict=True) if number is None]
        if unknown:
            raise ValidationError(f"No seat {', '.join(unknown)} in this screen.")
        return [number for number in numbers if number is not None]

    def places(self) -> list[Seat]:
        """Every place row by row, blocked ones included (for drawing the map)."""
        return [seat for name in self.rows for seat in self.row_places(name)]

    def row_places(self, name: str) -> list[Seat]:
        """Every place of one row, blocked ones included."""
        before, row = self.rows[name]
        blocked, number, tier = set(row.get("blocked", ())), before, row.get("tier", STANDARD)
        places = []
        for place in range(1, row["seats"] + 1):
            if place not in blocked:
                number += 1
            seat_number = None if place in blocked else number
            places.append(Seat(seat_number, f"{name}{place}", name, place, tier, kind_of(row, place)))
        return places


def clean_layout(layout: object) -> list[Row]:
    """Check a layout and return it in canonical form; ValidationError says what is wrong."""
    if not isinstance(layout, list) or not 1 <= len(layout) <= MAX_ROWS:
        raise ValidationError(f"A layout is a list of 1 to {MAX_ROWS} rows.")
    rows: list[Row] = []
    seen: set[str] = set()
    for index, row in enumerate(layout, start=1):
        if not isinstance(row, dict) or set(row) - {"row", "seats", "blocked", "tier", WHEELCHAIR, COMPANION}:
            raise ValidationError(
                f"Row {index}: give row, seats and optionally blocked, tier, wheelchair and companion."
            )
        name, seats = row.get("row"), row.get("seats")
        if not isinstance(name, str) or not ROW.match(name):
            raise ValidationError(f"Row {index}: row must be one or two capital letters, e.g. 'A'.")
        if name in seen:
            raise ValidationError(f"Row {name} appears twice.")
        seen.add(name)
        if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS_IN_ROW:
            raise ValidationError(f"Row {name}: seats must be an integer from 1 to {MAX_SEATS_IN_ROW}.")
        blocked = row.get("blocked", [])
        if (
            not isinstance(blocked, list)
            or any(isinstance(b, bool) or not isinstance(b, int) or not 1 <= b <= seats for b in blocked)
            or len(set(blocked)) != len(blocked)
        ):
            raise ValidationError(f"Row {name}: blocked must list distinct places from 1 to {seats}.")
        tier = row.get("tier", STANDARD)
        if not isinstance(tier, str) or not TIER.match(tier):
            raise ValidationError(f"Row {name}: tier must be a short lowercase name, e.g. 'premium'.")
        clean: Row = {"row": name, "seats": seats}
        if blocked:
            clean["blocked"] = sorted(blocked)
        if tier != STANDARD:
            clean["tier"] = tier
        marked: set[int] = set()
        for kind in (WHEELCHAIR, COMPANION):
            places = row.get(kind, [])
            if (
                not isinstance(places, list)
                or any(isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= seats for p in places)
                or len(set(places)) != len(places)
                or set(places) & (set(blocked) | marked)
            ):
                raise ValidationError(
                    f"Row {name}: {kind} must list distinct places from 1 to {seats} that are seats "
                    "(not blocked) and of one kind only."
                )
            marked |= set(places)
            if places:
                clean[kind] = sorted(places)
        for companion in clean.get(COMPANION, ()):
            if not any(abs(companion - space) == 1 for space in clean.get(WHEELCHAIR, ())):
                raise ValidationError(f"Row {name}: companion seat {companion} is not beside a wheelchair space.")
        rows.append(clean)
    if not any(row["seats"] > len(row.get("blocked", [])) for row in rows):
        raise ValidationError("A layout needs at least one seat that is not blocked.")
    return rows
