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
class Choice:
    seats: list[Seat]
    strands: bool
    distance: float
    row: int

    def key(self) -> tuple[bool, float, int, int]:
        # Deterministic: the same seat map gives the same seats.
        return (self.strands, self.distance, self.row, self.seats[0].place)


def _choices(
    plan: SeatPlan,
    taken: set[int],
    party: int,
    *,
    tiers: Collection[str] | None = None,
    wheelchair: bool = False,
    sweet: SweetSpot | None = None,
) -> Iterator[Choice]:
    """Every block of ``party`` seats together in one row (of ``tiers``) that the party may have."""
    spot = sweet or sweet_spot(plan)
    for index, row, places in _rows(plan):
        if tiers is not None and row.get("tier", STANDARD) not in tiers:
            continue
        # With a wheelchair: a space, with its companion seats and the seats beside them.
        runs = stretches(places, taken, (_free(s, taken) for s in places) if wheelchair else None)
        for run in runs:
            for start in range(len(run) - party + 1):
                block = run[start : start + party]
                if wheelchair:
                    if not any(seat.kind == WHEELCHAIR for seat in block):
                        continue
                    stranding = bool(strands(plan, taken, (seat.number for seat in block if seat.number)))
                else:
                    # Within a run of open seats, only a single seat left at either end strands.
                    stranding = start == 1 or len(run) - start - party == 1
                centre = (block[0].place + block[-1].place) / 2
                yield Choice(block, stranding, spot.distance(index, centre, row["seats"]), index)


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
    for, and then a block with one in it."""
    best = min(
        _choices(plan, taken, party, tiers=tiers, wheelchair=wheelchair, sweet=sweet), key=Choice.key, default=None
    )
    return best.seats if best is not None else None


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
    longest = 0
    for _, row, places in _rows(plan):
        if tiers is not None and row.get("tier", STANDARD) not in tiers:
            continue
        if wheelchair:
            runs = stretches(places, taken, (_free(s, taken) for s in places))
            longest = max([longest, *(len(r) for r in runs if any(s.kind == WHEELCHAIR for s in r))])
        else:
            longest = max([longest, *(len(run) for run in stretches(places, taken))])
    return longest


def another_way(plan: SeatPlan, taken: set[int], count: int) -> bool:
    """Whether ``count`` seats together could be had somewhere without stranding anyone."""
    return any(not choice.strands for choice in _choices(plan, taken, count))


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
