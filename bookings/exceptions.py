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
