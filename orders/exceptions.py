from core.exceptions import Conflict


class OrderExists(Conflict):
    code = "order_exists"


class OrderNotPending(Conflict):
    code = "order_not_pending"


class RefundRefused(Conflict):
    code = "refund_refused"


class BookingOfOrder(Conflict):
    code = "booking_of_order"
