from rest_framework.routers import SimpleRouter


class Router(SimpleRouter):
    """Every route answers with and without the trailing slash."""

    def __init__(self) -> None:
        super().__init__()
        # SimpleRouter only knows "/" or "": set the optional slash directly.
        self.trailing_slash = "/?"


# Path ids are integers of at most 18 digits: anything else is a plain 404
# before a query is made, and no id can overflow a 64-bit column.
ID_PATTERN = r"[0-9]{1,18}"
