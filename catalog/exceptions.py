from core.exceptions import Conflict


class HasBookings(Conflict):
    code = "has_bookings"


class ScheduleConflict(Conflict):
    """A change would make two shows share a screen at the same time."""

    code = "schedule_conflict"
