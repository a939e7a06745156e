"""The seating rules, on pictures of rows (docs/seating.md draws the same cases).

A row is drawn place by place: ``.`` a free seat, ``x`` a taken one, ``|`` an
aisle (a blocked place of the layout), ``W`` a wheelchair space, ``C`` a
companion seat, ``o`` a seat being chosen.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.layouts import SeatPlan, row_label
from catalog.seating import (
    another_way,
    best_available,
    best_split,
    companions_alone,
    strands,
    sweet_spot,
    together,
)


def hall(*pictures: str) -> tuple[SeatPlan, set[int], list[int]]:
    """The plan, the taken seat numbers and the chosen ones that the pictures draw."""
    layout = []
    for index, picture in enumerate(pictures):
        row: dict[str, object] = {"row": row_label(index), "seats": len(picture)}
        for key, mark in (("blocked", "|"), ("wheelchair", "W"), ("companion", "C")):
            places = [place for place, c in enumerate(picture, start=1) if c == mark]
            if places:
                row[key] = places
        layout.append(row)
    plan = SeatPlan(layout)
    taken: set[int] = set()
    chosen: list[int] = []
    for seat in plan.places():
        mark = pictures[ord(seat.row) - ord("A")][seat.place - 1]
        if seat.number is None:
            continue
        if mark == "x":
            taken.add(seat.number)
        elif mark == "o":
            chosen.append(seat.number)
    return plan, taken, chosen


STRANDING = [
    # (row, seats left single, why)
    ("oo......", [], "from the row's end: nobody is left alone"),
    (".oo.....", ["A1"], "one seat left between the row's end and the party"),
    ("..oo....", [], "two seats left together at the end"),
    ("x.oo....", ["A2"], "one seat left between a taken seat and the party"),
    ("x..oo...", [], "two seats between a taken seat and the party"),
    ("xoo.x...", ["A4"], "one seat left between the party and a taken seat"),
    ("...|.oo.", ["A5", "A8"], "an aisle is a wall: single seats on both sides"),
    ("...|oo..", [], "from the aisle, two left at the end"),
    ("x.xoo...", [], "the seat was single already: the party does not strand it"),
    ("xoox....", [], "filling a gap exactly"),
    (".o.o....", ["A1", "A3"], "two seats apart strand the one between and the end"),
    ("W.oo....", ["A2"], "a wheelchair space is a wall for the rule"),
    ("WC.oo...", ["A3"], "so is a companion seat"),
    (".oooooo.", ["A1", "A8"], "a party one short of the row at both ends"),
    ("oooooooo", [], "the whole row"),
]


@pytest.mark.parametrize(("picture", "stranded", "why"), STRANDING, ids=[case[2] for case in STRANDING])
def test_stranding_table(picture: str, stranded: list[str], why: str) -> None:
    plan, taken, chosen = hall(picture)
    assert [seat.label for seat in strands(plan, taken, chosen)] == stranded, why


def test_the_rule_gives_way_only_when_no_block_of_that_size_strands_nobody() -> None:
    plan, taken, _ = hall("x...x", "x...x")
    assert not another_way(plan, taken, 2)  # every pair leaves one of three alone
    plan, taken, _ = hall("x...x", "..xxx")
    assert another_way(plan, taken, 2)  # B1-B2 fills a gap


def test_best_available_takes_the_block_nearest_the_sweet_spot() -> None:
    plan, taken, _ = hall("..........", "..........", "..........")
    seats = best_available(plan, taken, 4, sweet=sweet_spot(plan))
    assert seats is not None
    assert [s.label for s in seats] == ["B4", "B5", "B6", "B7"]
    assert [s.label for s in best_available(plan, taken, 2, sweet=sweet_spot(plan, "A", 1)) or []] == ["A1", "A2"]


def test_best_available_prefers_a_block_that_strands_nobody() -> None:
    plan, taken, _ = hall("..........", "xxx...xxxx", "..........")
    # B4-B6 is the centre, but two of three in it strand a seat: C keeps the party together instead.
    seats = best_available(plan, taken, 2)
    assert seats is not None
    assert {s.row for s in seats} != {"B"}
    # A party of three fills B exactly.
    assert [s.label for s in best_available(plan, taken, 3) or []] == ["B4", "B5", "B6"]


def test_wheelchair_spaces_only_when_asked_for() -> None:
    plan, taken, _ = hall("...WC...")
    for seats in (best_available(plan, taken, 2), best_available(plan, taken, 3)):
        assert seats is not None
        assert all(s.kind == "standard" for s in seats)
    assert best_available(plan, taken, 4) is None
    with_chair = best_available(plan, taken, 2, wheelchair=True)
    assert with_chair is not None
    assert [s.label for s in with_chair] in (["A4", "A5"], ["A3", "A4"])
    assert best_available(hall("........")[0], set(), 2, wheelchair=True) is None
    # Never a companion seat whose own wheelchair space is left out of the block.
    plan, taken, _ = hall("CWxWC")
    assert [s.label for s in best_available(plan, taken, 2, wheelchair=True) or []] in (["A1", "A2"], ["A4", "A5"])
    plan, taken, _ = hall("WCxCW")
    assert best_available(plan, taken, 3, wheelchair=True) is None


def test_tier_and_together() -> None:
    plan = SeatPlan([{"row": "A", "seats": 6}, {"row": "B", "seats": 6, "tier": "premium"}])
    seats = best_available(plan, set(), 2, tiers={"premium"})
    assert seats is not None
    assert {s.tier for s in seats} == {"premium"}
    assert together(plan, {3, 9}) == 3
    assert together(plan, {3, 9}, tiers={"premium"}) == 3


def test_a_split_party_sits_in_as_few_blocks_as_there_are() -> None:
    plan, taken, _ = hall("x..x..x", "x...x.x")
    assert best_available(plan, taken, 4) is None
    split = best_split(plan, taken, 4)
    assert split is not None
    assert len(split) == 4
    assert not set(s.number for s in split) & taken
    assert sorted(s.label for s in split)[:3] == ["B2", "B3", "B4"]  # the block of three first
    assert best_split(plan, taken, 9) is None


def test_companion_seats_go_with_their_wheelchair_space() -> None:
    plan, _, _ = hall("..CWC..")
    assert [s.label for s in companions_alone(plan, [3])] == ["A3"]
    assert companions_alone(plan, [3, 4, 5]) == []
    assert [s.label for s in companions_alone(plan, [2, 3])] == ["A3"]


# Properties: random halls and random occupancy.
rows_strategy = st.lists(
    st.text(alphabet="..........x|WC", min_size=2, max_size=14).filter(lambda r: any(c in ".WC" for c in r)),
    min_size=1,
    max_size=6,
)


def _valid(pictures: list[str]) -> bool:
    for picture in pictures:
        for i, c in enumerate(picture):
            near = picture[max(0, i - 1) : i] + picture[i + 1 : i + 2]
            if c == "C" and "W" not in near:
                return False
    return True


@settings(max_examples=300, deadline=None)
@given(rows_strategy, st.integers(min_value=1, max_value=8), st.booleans())
def test_best_available_never_overlaps_and_never_strands_when_it_need_not(
    pictures: list[str], party: int, wheelchair: bool
) -> None:
    if not _valid(pictures):
        return
    plan, taken, _ = hall(*pictures)
    seats = best_available(plan, taken, party, wheelchair=wheelchair)
    if seats is None:
        assert together(plan, taken, wheelchair=wheelchair) < party
        return
    numbers = [s.number for s in seats if s.number is not None]
    assert len(numbers) == party
    assert not set(numbers) & taken
    assert len({s.row for s in seats}) == 1
    places = [s.place for s in seats]
    assert places == list(range(places[0], places[0] + party))  # adjacent, no aisle between
    if wheelchair:
        assert any(s.kind == "wheelchair" for s in seats)
        assert not companions_alone(plan, numbers)
    else:
        assert all(s.kind == "standard" for s in seats)
        if strands(plan, taken, numbers):
            assert not another_way(plan, taken, party)  # no non-stranding block existed
    # Deterministic for a given seat map.
    assert best_available(plan, set(taken), party, wheelchair=wheelchair) == seats


@settings(max_examples=200, deadline=None)
@given(rows_strategy, st.integers(min_value=1, max_value=12))
def test_a_split_never_overlaps(pictures: list[str], party: int) -> None:
    if not _valid(pictures):
        return
    plan, taken, _ = hall(*pictures)
    split = best_split(plan, taken, party)
    free = sum(1 for s in plan.places() if s.number and s.number not in taken and s.kind == "standard")
    if split is None:
        assert free < party
    else:
        numbers = [s.number for s in split]
        assert len(set(numbers)) == party
        assert not set(numbers) & taken


def every_block(plan: SeatPlan, taken: set[int], party: int):
    """Every block of open seats of ``party``, the slow way: (strands, distance, row, place), seats."""
    spot = sweet_spot(plan)
    for index, row in enumerate(plan.layout):
        run: list = []
        for seat in [*plan.row_places(row["row"]), None]:
            if seat is not None and seat.number is not None and seat.kind == "standard" and seat.number not in taken:
                run.append(seat)
                continue
            for start in range(len(run) - party + 1):
                block = run[start : start + party]
                stranding = bool(strands(plan, taken, [s.number for s in block]))
                centre = (block[0].place + block[-1].place) / 2
                yield (stranding, spot.distance(index, centre, row["seats"]), index, block[0].place), block
            run = []


@settings(max_examples=300, deadline=None)
@given(rows_strategy, st.integers(min_value=1, max_value=8))
def test_best_available_is_the_best_of_every_block(pictures: list[str], party: int) -> None:
    if not _valid(pictures):
        return
    plan, taken, _ = hall(*pictures)
    blocks = sorted(every_block(plan, taken, party), key=lambda entry: entry[0])

    expected = blocks[0][1] if blocks else None

    assert best_available(plan, taken, party) == expected
    assert together(plan, taken) == max((n for n in range(1, 15) if any(every_block(plan, taken, n))), default=0)
    assert another_way(plan, taken, party) == any(not key[0] for key, _ in blocks)
