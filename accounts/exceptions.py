from django.conf import settings

from core.exceptions import ServiceError


class LockedOut(ServiceError):
    """Too many failed log-ins for this name or from this address."""

    status_code = 429
    code = "locked_out"

    def __init__(self) -> None:
        seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
        super().__init__("Too many failed log-ins; try again later.", retry_after=seconds)
        self.headers = {"Retry-After": str(seconds)}


class InvalidResetToken(ServiceError):
    code = "invalid_token"
