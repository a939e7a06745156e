import pytest
from django.core.exceptions import ValidationError

from catalog.layouts import SeatPlan, clean_layout, grid, normalize_label, row_label, rows_of


@pytest.mark.parametrize(("index", "label"), [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB"), (51, "AZ"), (52, "BA")])
def test_row_labels_run_like_spreadsheet_columns(index, label):
    assert row_label(index) == label


def test_grid_and_rows_of():
    assert grid(2, 3) == [{"row": "A", "seats": 3}, {"row": "B", "seats": 3}]
    assert rows_of(45) == [{"row": "A", "seats": 20}, {"row": "B", "seats": 20}, {"row": "C", "seats": 5}]


@pytest.mark.parametrize(
    ("text", "label"),
    [("F7", "F7"), ("f7", "F7"), ("  F7 ", "F7"), ("F 7", "F7"), ("aa12", "AA12"), ("B100", "B100")],
)
def test_labels_are_case_and_whitespace_tolerant(text, label):
    assert normalize_label(text) == label


@pytest.mark.parametrize("text", ["F07", "7F", "F", "7", "F0", "F-7", "F7A", "ABC1", "F1000", "", "Ｆ7", "F\u00a07x"])
def test_anything_else_is_not_a_label(text):
    assert normalize_label(text) is None


LAYOUT = [
    {"row": "A", "seats": 4, "blocked": [1]},
    {"row": "B", "seats": 3},
    {"row": "C", "seats": 2, "tier": "premium"},
]


def test_seats_are_numbered_row_by_row_skipping_blocked_places():
    plan = SeatPlan(LAYOUT)

    assert plan.capacity == 8
    assert [(s.number, s.label, s.tier) for s in plan.places()] == [
        (None, "A1", "standard"),
        (1, "A2", "standard"),
        (2, "A3", "standard"),
        (3, "A4", "standard"),
        (4, "B1", "standard"),
        (5, "B2", "standard"),
        (6, "B3", "standard"),
        (7, "C1", "premium"),
        (8, "C2", "premium"),
    ]
    assert plan.tiers == {"standard", "premium"}


def test_labels_resolve_to_numbers_and_unknown_or_blocked_ones_are_named():
    plan = SeatPlan(LAYOUT)

    assert plan.numbers_for(["C2", "A2"]) == [8, 1]
    with pytest.raises(ValidationError, match="No seat A1, D1, B4 in this screen"):
        plan.numbers_for(["A1", "D1", "B4", "B1"])


def test_the_canonical_form_drops_defaults_and_sorts_blocked():
    assert clean_layout([{"row": "A", "seats": 5, "blocked": [4, 2], "tier": "standard"}]) == [
        {"row": "A", "seats": 5, "blocked": [2, 4]}
    ]


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ([], "list of 1 to"),
        ("A:10", "list of 1 to"),
        ([{"row": "a", "seats": 5}], "capital letters"),
        ([{"row": "A1", "seats": 5}], "capital letters"),
        ([{"row": "A", "seats": 0}], "from 1 to 100"),
        ([{"row": "A", "seats": 101}], "from 1 to 100"),
        ([{"row": "A", "seats": True}], "from 1 to 100"),
        ([{"row": "A", "seats": 5}, {"row": "A", "seats": 5}], "appears twice"),
        ([{"row": "A", "seats": 5, "blocked": [6]}], "distinct places"),
        ([{"row": "A", "seats": 5, "blocked": [2, 2]}], "distinct places"),
        ([{"row": "A", "seats": 2, "blocked": [1, 2]}], "at least one seat"),
        ([{"row": "A", "seats": 5, "tier": "VIP!"}], "tier"),
        ([{"row": "A", "seats": 5, "colour": "red"}], "give row, seats"),
        ([{"row": "A", "seats": 5}] * 51, "list of 1 to 50"),
    ],
)
def test_bad_layouts_are_refused_with_a_reason(layout, message):
    with pytest.raises(ValidationError, match=message):
        clean_layout(layout)


def test_seat_and_label_lookups_agree_with_the_full_map_in_a_big_hall():
    layout = [{"row": "A", "seats": 100, "blocked": [1, 50, 51, 100]}] + grid(50, 100)[1:]
    plan = SeatPlan(layout)

    places = [place for place in plan.places() if place.number is not None]

    assert plan.capacity == len(places) == 4996
    for place in places[::37] + places[:3] + places[-3:]:
        assert place.number is not None
        assert plan.seat(place.number) == place
        assert plan.number_of(place.label) == place.number
    assert plan.seat(0) is None
    assert plan.seat(4997) is None
    assert plan.number_of("A50") is None
    assert plan.number_of("BA1") is None  # rows run A..Z, AA..AX
