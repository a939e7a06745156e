from core.throttling import UserChangesThrottle


class BookingThrottle(UserChangesThrottle):
    """Booking, holding, confirming and cancelling, per user."""

    scope = "bookings"
