"""The order arithmetic over random mixes of ticket types, codes and fees."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from pricing.quote import NO_FEE, Discount, Fee, Line, price_lines

TYPES = ["adult", "child", "senior", "student"]
CENT = Decimal("0.01")


def money(low: str, high: str, places: int = 2):
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False)


lines = st.lists(
    st.tuples(st.sampled_from(TYPES), money("0", "250")),
    min_size=1,
    max_size=12,
).map(
    lambda drawn: [Line(seat_number=n, label=f"A{n}", ticket_type=t, list_price=p) for n, (t, p) in enumerate(drawn, 1)]
)

types = st.one_of(st.none(), st.sets(st.sampled_from(TYPES), min_size=1).map(frozenset))
discounts = st.one_of(
    st.none(),
    st.builds(Discount, kind=st.just("percent"), value=money("0.01", "100"), types=types),
    st.builds(Discount, kind=st.just("amount"), value=money("0.01", "1000"), types=types),
    st.builds(Discount, kind=st.just("free_seats"), value=st.integers(1, 5).map(Decimal), types=types),
)
fees = st.builds(Fee, amount=money("0", "5"), per=st.sampled_from(["ticket", "order"]))


@given(lines=lines, discount=discounts, fee=fees)
def test_every_total_adds_up_to_the_cent_and_no_seat_costs_less_than_nothing(lines, discount, fee):
    priced = price_lines(lines, currency="EUR", discount=discount, fee=fee)

    assert [line.seat_number for line in priced.lines] == [line.seat_number for line in lines]
    for line in priced.lines:
        assert 0 <= line.discount <= line.list_price
        assert line.price == line.list_price - line.discount >= 0
        for amount in (line.list_price, line.discount, line.price, line.fee):
            assert amount == amount.quantize(CENT)
        if discount is None or not discount.applies_to(line):
            assert line.discount == 0
    assert priced.subtotal == sum(line.list_price for line in lines)
    assert priced.discount == sum(line.discount for line in priced.lines)
    assert priced.fee == sum(line.fee for line in priced.lines) + priced.order_fee
    assert priced.total == priced.subtotal - priced.discount + priced.fee >= 0
    assert priced.total == sum(line.price + line.fee for line in priced.lines) + priced.order_fee


@given(lines=lines, discount=discounts)
def test_each_kind_of_code_takes_off_what_it_says(lines, discount):
    priced = price_lines(lines, currency="EUR", discount=discount, fee=NO_FEE)
    eligible = [line for line in priced.lines if discount is not None and discount.applies_to(line)]
    if discount is None:
        assert priced.discount == 0
    elif discount.kind == "percent":
        for line in eligible:  # per line, half up, to the cent
            assert line.discount == (line.list_price * discount.value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    elif discount.kind == "amount":
        assert priced.discount == min(discount.value, sum(line.list_price for line in eligible))
    else:
        free = sorted((line.list_price for line in eligible), reverse=True)[: int(discount.value)]
        assert priced.discount == sum(free)
        assert sum(1 for line in eligible if line.discount == line.list_price) >= len(free)


@given(lines=lines, fee=fees)
def test_the_booking_fee_is_per_ticket_or_once_per_order(lines, fee):
    priced = price_lines(lines, currency="EUR", discount=None, fee=fee)
    expected = fee.amount * len(lines) if fee.per == "ticket" else fee.amount
    assert priced.fee == expected
    assert priced.total == priced.subtotal + expected


def test_a_percentage_is_rounded_half_up_per_line_not_on_the_total():
    three = [Line(seat_number=n, label=f"A{n}", ticket_type="adult", list_price=Decimal("0.05")) for n in (1, 2, 3)]
    priced = price_lines(three, currency="EUR", discount=Discount("percent", Decimal("50")), fee=NO_FEE)
    # 0.025 rounds up to 0.03 on each line: 0.09 off, where rounding the total (0.075) would give 0.08.
    assert [line.discount for line in priced.lines] == [Decimal("0.03")] * 3
    assert priced.discount == Decimal("0.09")
    assert priced.total == Decimal("0.06")


def test_a_currency_without_cents_rounds_to_whole_units():
    one = [Line(seat_number=1, label="A1", ticket_type="adult", list_price=Decimal("1250"))]
    priced = price_lines(
        one, currency="JPY", discount=Discount("percent", Decimal("15")), fee=Fee(Decimal("99.5"), "order")
    )
    assert priced.lines[0].discount == Decimal("188")  # 187.5 half up
    assert priced.fee == Decimal("100")
    assert priced.total == Decimal("1162")


def test_an_amount_off_is_taken_from_the_seats_it_applies_to_in_order_and_never_below_nothing():
    seats = [
        Line(seat_number=1, label="A1", ticket_type="adult", list_price=Decimal("12.00")),
        Line(seat_number=2, label="A2", ticket_type="child", list_price=Decimal("6.00")),
        Line(seat_number=3, label="A3", ticket_type="child", list_price=Decimal("6.00")),
    ]
    priced = price_lines(
        seats, currency="EUR", discount=Discount("amount", Decimal("8.00"), frozenset({"child"})), fee=NO_FEE
    )
    assert [line.discount for line in priced.lines] == [Decimal("0"), Decimal("6.00"), Decimal("2.00")]
    assert priced.total == Decimal("16.00")
