from core.exceptions import Conflict, ServiceError


class InvalidTicket(ServiceError):
    """A scanned QR code that is not one of ours: malformed, or its signature does not verify."""

    code = "invalid_ticket"


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class TicketCancelled(Conflict):
    code = "ticket_cancelled"


class WrongShow(Conflict):
    code = "wrong_show"


class TooEarly(Conflict):
    code = "too_early"


class ShowOver(Conflict):
    code = "show_over"


class CheckedInCannotBeCancelled(Conflict):
    code = "checked_in"


class CheckInNotActive(Conflict):
    code = "check_in_not_active"


class UndoTooLate(ServiceError):
    """Door staff may undo a check-in only for a few minutes; staff at any time."""

    status_code = 403
    code = "undo_too_late"
