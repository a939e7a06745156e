"""Choosing seats: best available for a party, and the rule against stranded single seats.

Pure functions over a screen's SeatPlan and the set of seat numbers that are
not free (occupied, or not sold online); bookings.services calls them under
the show's lock, so what they see is what the insert after them finds.

The stranding rule (docs/seating.md has pictures of each case): a choice of
seats may not leave a single free seat with no free neighbour, that is
between a taken seat, an aisle or the row's end on both sides, where there
was none before. For the rule only standard seats count as seats a customer
could take: a wheelchair space or a companion seat is a wall, as an aisle is.
The rule gives way when no other choice exists: when no block of as many
seats together anywhere in the show would strand nobody.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

from .layouts import COMPANION, STANDARD, WHEELCHAIR, Row, Seat, SeatPlan


@dataclass(frozen=True)
class SweetSpot:
    """Where the best seat is: a row's index (0 = the front row) and a place.
    ``place`` None: the centre of each row (halls are drawn centred)."""

    row: int
    place: float | None = None

    def distance(self, row: int, centre: float, row_seats: int) -> float:
        """How far a block centred on ``centre`` of a row is from the spot; a
        row back or forward weighs as much as two seats sideways."""
        place = self.place if self.place is not None else (row_seats + 1) / 2
        return (2 * (row - self.row)) ** 2 + (centre - place) ** 2


def sweet_spot(plan: SeatPlan, row: str | None = None, place: int | None = None) -> SweetSpot:
    """The screen's sweet spot: the row named (else the middle row, the one behind
    the middle of an even count) at the place given (else each row's centre)."""
    names = [r["row"] for r in plan.layout]
    index = names.index(row) if row in names else len(names) // 2
    return SweetSpot(index, float(place) if place else None)


def _rows(plan: SeatPlan, only: set[str] | None = None) -> Iterator[tuple[int, Row, list[Seat]]]:
    """Each row (or each of ``only``) with its index and its places."""
    for index, row in enumerate(plan.layout):
        if only is None or row["row"] in only:
            yield index, row, plan.row_places(row["row"])


def _free(seat: Seat, taken: set[int]) -> bool:
    return seat.number is not None and seat.number not in taken


def _open(seat: Seat, taken: set[int]) -> bool:
    """A seat the stranding rule counts as one a customer could still take."""
    return seat.kind == STANDARD and _free(seat, taken)


def stretches(places: Sequence[Seat], taken: set[int], fits: Iterable[bool] | None = None) -> Iterator[list[Seat]]:
    """The runs of consecutive places of a row that are ``fits`` (default: open)."""
    run: list[Seat] = []
    for seat, ok in zip(places, fits if fits is not None else (_open(s, taken) for s in places), strict=True):
        if ok:
            run.append(seat)
        elif run:
            yield run
            run = []
    if run:
        yield run


def strands(plan: SeatPlan, taken: set[int], chosen: Iterable[int]) -> list[Seat]:
    """The seats taking ``chosen`` would leave single that were not single before, in order."""
    chosen = set(chosen)
    after = taken | chosen
    stranded: list[Seat] = []
    rows = {seat.row for seat in map(plan.seat, chosen) if seat is not None}
    for _, _, places in _rows(plan, rows):
        stranded += [
            seat for i, seat in enumerate(places) if _single(places, i, after) and not _single(places, i, taken)
        ]
    return stranded


def _single(places: Sequence[Seat], i: int, busy: set[int]) -> bool:
    """Whether place ``i`` of a row is an open seat with no open seat beside it."""
    left = i > 0 and _open(places[i - 1], busy)
    right = i + 1 < len(places) and _open(places[i + 1], busy)
    return _open(places[i], busy) and not left and not right


@dataclass(frozen=True)
class Run:
    """Consecutive open seats of one row: no aisle, taken seat or seat of another kind between."""

    row: int  # the row's index, 0 the front
    first: int  # the first place
    length: int
    number: int  # the seat number of the first place (numbers run on within a run)
    row_seats: int  # the places in the row, for its centre


def _open_runs(plan: SeatPlan, taken: set[int], tiers: Collection[str] | None = None) -> Iterator[Run]:
    """The runs of open seats of each row (of ``tiers``), read off the layout's
    rows: a 5,000-seat hall is walked place by place, building no objects but
    one per run."""
    for index, (before, row) in enumerate(plan.rows.values()):
        if tiers is not None and row.get("tier", STANDARD) not in tiers:
            continue
        blocked = set(row.get("blocked", ()))
        other_kinds = set(row.get(WHEELCHAIR, ())) | set(row.get(COMPANION, ()))
        number, first, first_number = before, 0, 0
        for place in range(1, row["seats"] + 2):  # one past the end closes the last run
            is_seat = place <= row["seats"] and place not in blocked
            number += is_seat
            if is_seat and place not in other_kinds and number not in taken:
                if not first:
                    first, first_number = place, number
            elif first:
                yield Run(index, first, place - first, first_number, row["seats"])
                first = 0


@dataclass(frozen=True)
class Choice:
    key: tuple[bool, float, int, int]  # strands, distance, row, first place: the least is best
    numbers: list[int]


def _choices(
    plan: SeatPlan,
    taken: set[int],
    party: int,
    *,
    tiers: Collection[str] | None = None,
    wheelchair: bool = False,
    sweet: SweetSpot | None = None,
) -> Iterator[Choice]:
    """The blocks of ``party`` seats together in one row (of ``tiers``) that the
    party may have, among them the best: of a run's starts only those near the
    one nearest the sweet spot and the run's two ends are looked at, because
    the distance grows away from it and only the starts one seat in from either
    end strand (so a 5,000-seat hall costs one walk of its places)."""
    spot = sweet or sweet_spot(plan)
    if wheelchair:
        yield from _wheelchair_choices(plan, taken, party, tiers=tiers, spot=spot)
        return
    for run in _open_runs(plan, taken, tiers):
        if run.length < party:
            continue
        low, high = run.first, run.first + run.length - party
        target = spot.place if spot.place is not None else (run.row_seats + 1) / 2
        nearest = min(max(round(target - (party - 1) / 2), low), high)
        for start in {low, high, *(min(max(nearest + d, low), high) for d in (-2, -1, 0, 1, 2))}:
            # Within a run of open seats, only a single seat left at either end strands.
            stranding = start - low == 1 or high - start == 1
            distance = spot.distance(run.row, start + (party - 1) / 2, run.row_seats)
            first = run.number + start - run.first
            yield Choice((stranding, distance, run.row, start), list(range(first, first + party)))


def _wheelchair_choices(
    plan: SeatPlan, taken: set[int], party: int, *, tiers: Collection[str] | None, spot: SweetSpot
) -> Iterator[Choice]:
    """Blocks with a wheelchair space, its companion seats and seats beside them:
    every block is looked at, in the rows that have a wheelchair space."""
    for index, row, places in _rows(plan, {r["row"] for r in plan.layout if r.get(WHEELCHAIR)}):
        if tiers is not None and row.get("tier", STANDARD) not in tiers:
            continue
        for run in stretches(places, taken, (_free(s, taken) for s in places)):
            for start in range(len(run) - party + 1):
                block = run[start : start + party]
                numbers = [seat.number for seat in block if seat.number is not None]
                if not any(seat.kind == WHEELCHAIR for seat in block) or companions_alone(plan, numbers):
                    continue
                stranding = bool(strands(plan, taken, numbers))
                distance = spot.distance(index, (block[0].place + block[-1].place) / 2, row["seats"])
                yield Choice((stranding, distance, index, block[0].place), numbers)


def best_available(
    plan: SeatPlan,
    taken: set[int],
    party: int,
    *,
    tiers: Collection[str] | None = None,
    wheelchair: bool = False,
    sweet: SweetSpot | None = None,
) -> list[Seat] | None:
    """The best ``party`` seats together: one row, adjacent, nearest the sweet
    spot, a block that strands nobody before any that does. None if the party
    can not sit together. Wheelchair spaces only when ``wheelchair`` is asked
    for, and then a block with one in it. Deterministic: ties go to the front
    row, then the leftmost block."""
    choices = _choices(plan, taken, party, tiers=tiers, wheelchair=wheelchair, sweet=sweet)
    best = min(choices, key=lambda choice: choice.key, default=None)
    return _existing(plan, best.numbers) if best is not None else None


def _existing(plan: SeatPlan, numbers: Iterable[int]) -> list[Seat]:
    return [seat for seat in map(plan.seat, numbers) if seat is not None]


def best_split(
    plan: SeatPlan,
    taken: set[int],
    party: int,
    *,
    tiers: Collection[str] | None = None,
    sweet: SweetSpot | None = None,
) -> list[Seat] | None:
    """A party that can not sit together, in as few blocks as the hall allows:
    the best block of the most seats still needed that exists, again until all
    are seated. None if there are not that many seats (of the tier) free."""
    chosen: list[Seat] = []
    busy = set(taken)
    while len(chosen) < party:
        size = min(party - len(chosen), together(plan, busy, tiers=tiers))
        if size == 0:
            return None
        block = best_available(plan, busy, size, tiers=tiers, sweet=sweet)
        assert block is not None  # together() found a block of this size
        chosen += block
        busy |= {seat.number for seat in block if seat.number is not None}
    return sorted(chosen, key=lambda seat: seat.number or 0)


def together(plan: SeatPlan, taken: set[int], *, tiers: Collection[str] | None = None, wheelchair: bool = False) -> int:
    """How many can still sit together: the longest block a party could have."""
    if not wheelchair:
        return max((run.length for run in _open_runs(plan, taken, tiers)), default=0)
    longest = 0
    for _, row, places in _rows(plan, {r["row"] for r in plan.layout if r.get(WHEELCHAIR)}):
        if tiers is not None and row.get("tier", STANDARD) not in tiers:
            continue
        runs = stretches(places, taken, (_free(s, taken) for s in places))
        longest = max([longest, *(len(r) for r in runs if any(s.kind == WHEELCHAIR for s in r))])
    return longest


def another_way(plan: SeatPlan, taken: set[int], count: int) -> bool:
    """Whether ``count`` seats together could be had somewhere without stranding
    anyone: a run of exactly that many, or of two or more over (one over
    strands a seat whichever end the block takes)."""
    return any(run.length == count or run.length >= count + 2 for run in _open_runs(plan, taken))


def companions_alone(plan: SeatPlan, chosen: Sequence[int]) -> list[Seat]:
    """The companion seats of ``chosen`` whose wheelchair space beside them is not chosen too.
    Looks at the chosen seats only: a booking in a large hall builds no map."""
    picked = set(chosen)
    alone = []
    for seat in map(plan.seat, sorted(picked)):
        if seat is None or seat.kind != COMPANION:
            continue
        beside = (plan.seat(n) for n in (plan.number_of(f"{seat.row}{seat.place + d}") for d in (-1, 1)) if n)
        if not any(s is not None and s.kind == WHEELCHAIR and s.number in picked for s in beside):
            alone.append(seat)
    return alone
