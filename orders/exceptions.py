from core.exceptions import Conflict


class OrderExists(Conflict):
    code = "order_exists"


class OrderNotPending(Conflict):
    code = "order_not_pending"
