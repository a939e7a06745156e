from config.exceptions import Conflict


class HasBookings(Conflict):
    code = "has_bookings"
