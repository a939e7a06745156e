"""Best available, the single-seat rule, wheelchair and companion seats, and seats kept off sale, through the API."""

import pytest

from accounts.models import User
from bookings.models import Booking, Hold
from bookings.tests.factories import make_booking
from catalog.models import TicketType
from catalog.tests.factories import make_screen, make_show
from conftest import client_for, post, run_at_once
from orders.services import box_office_sale

pytestmark = pytest.mark.django_db

# Five rows of ten; row C has a wheelchair space at 5 with companion seats at 4 and 6.
LAYOUT = [
    {"row": "A", "seats": 10},
    {"row": "B", "seats": 10},
    {"row": "C", "seats": 10, "wheelchair": [5], "companion": [4, 6]},
    {"row": "D", "seats": 10},
    {"row": "E", "seats": 10, "tier": "premium"},
]


@pytest.fixture
def hall(movie):
    screen = make_screen(layout=LAYOUT)
    return make_show(movie, screen=screen, tier_prices={"premium": "15.00"})


def labels(response) -> list[str]:
    return [seat["label"] for seat in response.json()["seats"]]


def hold(client, show, body):
    return client.post(f"/shows/{show.id}/holds/", body, format="json")


def test_a_party_gets_the_seats_together_nearest_the_middle_of_the_middle_row(auth_client, hall):
    response = hold(auth_client, hall, {"party": 4})

    assert response.status_code == 201
    # Row C is the middle row, but its centre is the wheelchair space and its companion seats:
    # the rows beside it are as near, and the front one of them comes first.
    assert labels(response) == ["B4", "B5", "B6", "B7"]
    assert Booking.objects.filter(status="held").count() == 4


def test_best_available_is_deterministic_and_the_next_party_sits_elsewhere(auth_client, other_client, hall):
    first, second = hold(auth_client, hall, {"party": 3}), hold(other_client, hall, {"party": 3})

    assert first.status_code == second.status_code == 201
    assert not set(labels(first)) & set(labels(second))


def test_the_screens_sweet_spot_moves_the_choice(auth_client, staff_client, hall):
    assert (
        staff_client.patch(
            f"/screens/{hall.screen_id}/", {"sweet_row": "A", "sweet_place": 1}, format="json"
        ).status_code
        == 200
    )

    assert labels(hold(auth_client, hall, {"party": 2})) == ["A1", "A2"]
    spot = auth_client.get(f"/shows/{hall.id}/seats/").json()["sweet_spot"]
    assert spot == {"row": "A", "place": 1}


def test_a_party_with_no_room_together_gets_409_saying_how_many_can_sit_together(auth_client, user, hall, settings):
    for number in range(1, 51):
        if number % 3 == 0:
            make_booking(user=user, show=hall, seat_number=number)

    response = hold(auth_client, hall, {"party": 4})

    assert response.status_code == 409
    assert response.json()["code"] == "no_seats_together"
    assert response.json()["together"] == 2
    assert response.json()["party"] == 4
    assert not Hold.objects.exists()


def test_where_the_cinema_allows_it_a_party_is_split(auth_client, user, hall, settings):
    settings.BEST_AVAILABLE_SPLIT = True
    for number in range(1, 51):
        if number % 3 == 0:
            make_booking(user=user, show=hall, seat_number=number)

    response = hold(auth_client, hall, {"party": 4})

    assert response.status_code == 201
    assert len(labels(response)) == 4
    assert len({label[0] for label in labels(response)}) <= 2


def test_tier_and_ticket_types_narrow_the_choice(auth_client, hall):
    TicketType.objects.create(code="child", name="Child")
    hall.screen.ticket_prices = {"child": {"standard": "5.00"}}
    hall.screen.save()

    assert {label[0] for label in labels(hold(auth_client, hall, {"party": 2, "tier": "premium"}))} == {"E"}
    Hold.objects.all().delete()
    Booking.objects.all().delete()
    with_child = hold(auth_client, hall, {"party": 2, "ticket_types": ["adult", "child"], "tier": "premium"})
    assert with_child.status_code == 400
    assert "tier" in with_child.json()
    unknown = hold(auth_client, hall, {"party": 2, "ticket_types": ["pirate"]})
    assert unknown.status_code == 400
    assert "ticket_types" in unknown.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"party": 2, "seat_labels": ["A1", "A2"]}, "party"),
        ({"tier": "premium", "seat_labels": ["A1"]}, "tier"),
        ({"wheelchair": True, "seat_number": 1}, "wheelchair"),
        ({"party": 11}, "party"),
        ({"party": 0}, "party"),
        ({"party": "4"}, "party"),
        ({"party": 2, "tier": "No Such"}, "tier"),
    ],
)
def test_malformed_party_requests_are_400_and_hold_nothing(auth_client, hall, body, field):
    response = hold(auth_client, hall, body)

    assert response.status_code == 400
    assert field in response.json()
    assert not Hold.objects.exists()


# Wheelchair spaces and companion seats.


def test_wheelchair_spaces_are_offered_only_when_asked_for(auth_client, other_client, hall):
    plain = hold(auth_client, hall, {"party": 10})
    assert plain.status_code == 201
    assert {label[0] for label in labels(plain)} != {"C"}

    with_chair = hold(other_client, hall, {"party": 2, "wheelchair": True})
    assert with_chair.status_code == 201
    assert "C5" in labels(with_chair)
    kinds = {
        s["label"]: s["kind"]
        for row in other_client.get(f"/shows/{hall.id}/seats/").json()["layout"]
        for s in row["seats"]
    }
    assert (kinds["C4"], kinds["C5"], kinds["C6"], kinds["C1"]) == ("companion", "wheelchair", "companion", "standard")


def test_a_companion_seat_goes_only_with_its_wheelchair_space(auth_client, hall):
    alone = hold(auth_client, hall, {"seat_labels": ["C3", "C4"]})

    assert alone.status_code == 409
    assert alone.json()["code"] == "companion_seat"
    assert alone.json()["seat_labels"] == ["C4"]
    assert hold(auth_client, hall, {"seat_labels": ["C4", "C5"]}).status_code == 201


def test_the_box_office_sells_a_companion_seat_alone(hall, staff_user, user):
    order = box_office_sale(show_id=hall.id, seat_labels=["C4"], method="cash", by=staff_user, customer=user)

    assert order.status == "paid"
    assert Booking.objects.get(status="booked").seat_label == "C4"


# The single-seat rule.


@pytest.fixture
def strict(hall):
    hall.screen.no_single_seats = True
    hall.screen.save()
    return hall


def test_a_choice_that_strands_a_single_seat_is_409_naming_it(auth_client, strict):
    response = hold(auth_client, strict, {"seat_labels": ["A2", "A3"]})

    assert response.status_code == 409
    assert response.json()["code"] == "strands_seat"
    assert response.json()["seat_labels"] == ["A1"]
    assert not Hold.objects.exists()
    booked = auth_client.post(f"/shows/{strict.id}/book/", {"seat_labels": ["A9"]}, format="json")
    assert booked.status_code == 409
    assert booked.json()["seat_labels"] == ["A10"]
    assert hold(auth_client, strict, {"seat_labels": ["A1", "A2"]}).status_code == 201


def test_the_rule_is_off_unless_the_screen_asks_for_it(auth_client, hall):
    assert hold(auth_client, hall, {"seat_labels": ["A2", "A3"]}).status_code == 201


def test_the_rule_gives_way_when_no_other_choice_exists(auth_client, user, strict):
    # Every row has the same three free seats, 1 to 3: any pair leaves one alone.
    for number in range(1, 51):
        if number % 10 not in (1, 2, 3):
            make_booking(user=user, show=strict, seat_number=number)
    # Row C's 1-3 are standard; the wheelchair space and companions are booked.
    assert hold(auth_client, strict, {"seat_labels": ["B2", "B3"]}).status_code == 201


def test_best_available_does_not_strand_when_it_need_not(auth_client, user, strict):
    # Row B: 4 to 6 free only; a pair there strands one, so best available goes elsewhere.
    for number in range(11, 21):
        if number not in (14, 15, 16):
            make_booking(user=user, show=strict, seat_number=number)
    Booking.objects.filter(show=strict).exclude(seat_number__range=(11, 20)).delete()

    response = hold(auth_client, strict, {"party": 3})

    assert labels(response) == ["B4", "B5", "B6"]


def test_staff_at_the_box_office_may_strand_a_seat(strict, staff_user):
    order = box_office_sale(show_id=strict.id, seat_labels=["A2", "A3"], method="card", by=staff_user)

    assert order.status == "paid"


def test_the_seat_map_says_whether_the_rule_applies(api_client, strict):
    assert api_client.get(f"/shows/{strict.id}/seats/").json()["no_single_seats"] is True


# Seats kept off sale.


def test_staff_block_seats_of_a_show_and_customers_can_not_have_them(staff_client, auth_client, api_client, hall):
    response = staff_client.post(
        f"/shows/{hall.id}/blocks/", {"seat_labels": ["A5", "A6"], "reason": "house seats"}, format="json"
    )

    assert response.status_code == 201
    assert [(b["label"], b["reason"], b["blocked_by"]) for b in response.json()] == [
        ("A5", "house seats", "charlie"),
        ("A6", "house seats", "charlie"),
    ]
    seats = api_client.get(f"/shows/{hall.id}/seats/").json()
    assert seats["unavailable"] == [5, 6]
    assert 5 not in seats["available"]
    assert seats["layout"][0]["seats"][4]["status"] == "unavailable"
    refused = hold(auth_client, hall, {"seat_labels": ["A5"]})
    assert refused.status_code == 409
    assert refused.json()["code"] == "seat_not_for_sale"
    booked = auth_client.post(f"/shows/{hall.id}/book/", {"seat_number": 6}, format="json")
    assert booked.json()["code"] == "seat_not_for_sale"
    assert staff_client.get(f"/shows/{hall.id}/blocks/").json()[0]["label"] == "A5"
    assert auth_client.get(f"/shows/{hall.id}/blocks/").status_code == 403
    # Blocking again keeps the block; a sold seat can not be blocked.
    again = staff_client.post(f"/shows/{hall.id}/blocks/", {"seat_labels": ["A5"], "reason": "x"}, format="json")
    assert again.status_code == 201
    assert Booking.objects.filter(status="blocked").count() == 2


def test_a_booked_seat_can_not_be_blocked(staff_client, user, hall):
    make_booking(user=user, show=hall, seat_number=1)

    response = staff_client.post(
        f"/shows/{hall.id}/blocks/", {"seat_numbers": [1, 2], "reason": "camera"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "seat_taken"
    assert not Booking.objects.filter(status="blocked").exists()


def test_released_seats_are_on_sale_again(staff_client, auth_client, hall):
    staff_client.post(f"/shows/{hall.id}/blocks/", {"seat_labels": ["A5"], "reason": "camera"}, format="json")

    released = staff_client.post(f"/shows/{hall.id}/blocks/release/", {"seat_labels": ["A5", "A6"]}, format="json")

    assert released.json() == {"released": 1}
    assert hold(auth_client, hall, {"seat_labels": ["A5"]}).status_code == 201


def test_the_box_office_sells_a_blocked_seat_and_its_block_ends(staff_client, staff_user, hall):
    staff_client.post(f"/shows/{hall.id}/blocks/", {"seat_labels": ["A5"], "reason": "house seats"}, format="json")

    box_office_sale(show_id=hall.id, seat_labels=["A5"], method="cash", by=staff_user)

    assert list(Booking.objects.filter(seat_number=5).values_list("status", flat=True)) == ["booked"]


def test_best_available_leaves_blocked_and_unsold_seats_out(staff_client, auth_client, other_client, hall):
    middle = [f"{row}{n}" for row in "BD" for n in range(1, 11)]
    staff_client.post(f"/shows/{hall.id}/blocks/", {"seat_labels": middle, "reason": "press"}, format="json")
    patched = staff_client.patch(
        f"/screens/{hall.screen_id}/", {"unsold_seats": {"a5": "broken seat", "A6": "broken seat"}}, format="json"
    )
    assert patched.json()["unsold_seats"] == {"A5": "broken seat", "A6": "broken seat"}

    response = hold(auth_client, hall, {"party": 4})

    assert response.status_code == 201
    assert not set(labels(response)) & {*middle, "A5", "A6"}
    assert hold(other_client, hall, {"seat_labels": ["A5"]}).json()["code"] == "seat_not_for_sale"
    assert 5 in auth_client.get(f"/shows/{hall.id}/seats/").json()["unavailable"]
    # 50 seats, 20 blocked, 2 unsold, 4 held.
    assert auth_client.get(f"/shows/{hall.id}/").json()["available_seats"] == 24


@pytest.mark.parametrize(
    "body",
    [
        {"unsold_seats": {"Z9": "broken"}},
        {"unsold_seats": {"A1": ""}},
        {"unsold_seats": {"A1": 5}},
        {"unsold_seats": ["A1"]},
        {"sweet_row": "Q"},
        {"sweet_place": 11},
        {"sweet_place": 0},
    ],
)
def test_bad_seating_settings_of_a_screen_are_400(staff_client, hall, body):
    response = staff_client.patch(f"/screens/{hall.screen_id}/", body, format="json")

    assert response.status_code == 400
    assert next(iter(body)) in response.json()


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_parties_holding_at_once_never_get_overlapping_seats(movie):
    show = make_show(movie, screen=make_screen(layout=LAYOUT))
    clients = [client_for(User.objects.create_user(username=f"party{n}", password="x")) for n in range(14)]

    responses = run_at_once([post(c, f"/shows/{show.id}/holds/", {"party": 4}) for c in clients])

    won = [r for r in responses if r.status_code == 201]
    assert sorted({r.status_code for r in responses}) in ([201], [201, 409])
    assert all(r.json()["code"] == "no_seats_together" for r in responses if r.status_code == 409)
    seats = [seat for r in won for seat in r.json()["seat_numbers"]]
    assert len(seats) == len(set(seats)) == 4 * len(won)
    # Each party sits centred in a row: one per row, and row C's 7 to 10 beside the wheelchair space.
    assert len(won) == 5
    held = list(Booking.objects.filter(show=show, status="held").values_list("seat_number", flat=True))
    assert sorted(held) == sorted(seats)


def test_the_confirmation_says_where_the_step_free_entrance_is(auth_client, hall, settings, user):
    from tickets.emails import render_confirmation

    settings.STEP_FREE_ENTRANCE = "the Park Lane doors, left of the box office"
    settings.BOOKING_REQUIRES_PAYMENT = False
    chair = auth_client.post(f"/shows/{hall.id}/book/", {"seat_labels": ["C4", "C5"]}, format="json")
    plain = auth_client.post(f"/shows/{hall.id}/book/", {"seat_labels": ["A1"]}, format="json")

    with_chair = render_confirmation({"reference": chair.json()["reference"]})
    without = render_confirmation({"reference": plain.json()["reference"]})

    assert with_chair is not None
    assert without is not None
    assert "Step-free entrance: the Park Lane doors, left of the box office." in with_chair.body
    assert "Park Lane" in str(with_chair.alternatives[0][0])
    assert "Step-free" not in without.body


def test_the_show_report_counts_blocked_and_unsold_seats_apart(staff_client, hall):
    staff_client.post(f"/shows/{hall.id}/blocks/", {"seat_labels": ["A1", "A2"], "reason": "press"}, format="json")
    staff_client.patch(f"/screens/{hall.screen_id}/", {"unsold_seats": {"B1": "broken"}}, format="json")

    (row,) = staff_client.get("/reports/shows/").json()["results"]

    assert (row["capacity"], row["seats_blocked"], row["seats_unsold"], row["sellable"]) == (50, 2, 1, 47)
    assert row["seats_sold"] == 0
