from config.exceptions import Conflict, ServiceError


class ShowNotFound(ServiceError):
    status_code = 404
    code = "not_found"


class BookingNotFound(ServiceError):
    status_code = 404
    code = "not_found"


class ShowStarted(ServiceError):
    code = "show_started"


class SeatTaken(Conflict):
    code = "seat_taken"


class BookingNotActive(Conflict):
    code = "not_active"
