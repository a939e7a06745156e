from django.conf import settings

from bookings.models import Booking
from catalog.models import Show


def make_booking(*, user, show: Show, seat_number: int, status: str = Booking.Status.BOOKED, **fields) -> Booking:
    """A booking row as the service would write it (label, price and currency of the seat)."""
    seat = show.screen.plan.seat(seat_number)  # None: a seat the screen lacks, for constraint tests
    fields.setdefault("seat_label", seat.label if seat else "")
    fields.setdefault("price", show.price_of(seat) if seat else show.price)
    fields.setdefault("currency", settings.CURRENCY)
    return Booking.objects.create(user=user, show=show, seat_number=seat_number, status=status, **fields)
