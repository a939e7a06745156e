from catalog.layouts import Seat
from core.exceptions import Busy, Conflict, FieldError, ServiceError


class ShowStarted(ServiceError):
    code = "show_started"


class SeatTaken(Conflict):
    code = "seat_taken"

    def __init__(self, seat_numbers: list[int]) -> None:
        if len(seat_numbers) == 1:
            super().__init__(
                f"Seat {seat_numbers[0]} is already booked.", seat_number=seat_numbers[0], seat_numbers=seat_numbers
            )
        else:
            listed = ", ".join(map(str, seat_numbers))
            super().__init__(f"Seats {listed} are already booked.", seat_numbers=seat_numbers)


class BookingNotActive(Conflict):
    code = "not_active"


class ShowBusy(Busy):
    code = "show_busy"


class HoldNotActive(Conflict):
    code = "hold_not_active"


class HoldLimit(Conflict):
    code = "hold_limit"


class PaymentRequired(ServiceError):
    """Seats are sold only through paid orders (BOOKING_REQUIRES_PAYMENT)."""

    status_code = 402
    code = "payment_required"


class SeatsChanged(Conflict):
    """The show's layout no longer has the seats a hold quoted (the screen changed after the hold lapsed)."""

    code = "seats_changed"


class UnknownSeats(FieldError):
    """Seats the show's screen does not have, reported under the field that named them."""

    code = "unknown_seats"


class SeatNotForSale(Conflict):
    """Seats staff keep off sale (blocked for the show or the screen): only staff sell them."""

    code = "seat_not_for_sale"

    def __init__(self, seats: list[Seat]) -> None:
        listed = ", ".join(seat.label for seat in seats)
        super().__init__(
            f"Not for sale online: {listed}.",
            seat_numbers=[seat.number for seat in seats],
            seat_labels=[seat.label for seat in seats],
        )


class StrandsSeat(Conflict):
    """The choice would leave a single free seat alone (catalog/seating.py) when another choice would not."""

    code = "strands_seat"

    def __init__(self, seats: list[Seat]) -> None:
        listed = ", ".join(seat.label for seat in seats)
        super().__init__(
            f"These seats would leave {listed} on its own: choose seats beside it, or seats that leave "
            "no single seat between taken seats or an aisle.",
            seat_numbers=[seat.number for seat in seats],
            seat_labels=[seat.label for seat in seats],
        )


class CompanionSeat(Conflict):
    code = "companion_seat"

    def __init__(self, seats: list[Seat]) -> None:
        listed = ", ".join(seat.label for seat in seats)
        super().__init__(
            f"{listed}: a companion seat is sold with the wheelchair space beside it; "
            "choose both, or ask the box office.",
            seat_numbers=[seat.number for seat in seats],
            seat_labels=[seat.label for seat in seats],
        )


class NoSeatsTogether(Conflict):
    code = "no_seats_together"

    def __init__(self, party: int, together: int) -> None:
        super().__init__(
            f"No {party} seats together are free; at most {together} can still sit together.",
            party=party,
            together=together,
        )
