from core.exceptions import Conflict


class SeatsAvailable(Conflict):
    """The seats asked for can be bought now: there is nothing to wait for."""

    code = "seats_available"


class AlreadyWaiting(Conflict):
    code = "already_waiting"


class WaitingListClosed(Conflict):
    """Offers have stopped for the show (WAITING_LIST_CLOSE_MINUTES before it starts)."""

    code = "waiting_list_closed"


class WaitingListFirst(Conflict):
    """Seats that came back are the waiting list's: a customer who is not offered them joins the list."""

    code = "waiting_list"
