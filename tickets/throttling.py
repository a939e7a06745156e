import hashlib

from rest_framework.request import Request
from rest_framework.views import APIView

from core.throttling import Throttle, UserChangesThrottle


class CheckInDeviceThrottle(Throttle):
    """Scans per door device (the account and the device id it sends): no device can try codes at speed."""

    scope = "check_ins"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not request.user.is_authenticated:
            return None
        device = request.data.get("device") if isinstance(request.data, dict) else None
        digest = hashlib.sha256(str(device or "").encode()).hexdigest()[:16]
        return self.cache_format % {"scope": self.scope, "ident": f"{request.user.pk}:{digest}"}


class CheckInAccountThrottle(UserChangesThrottle):
    """Scans per account, whatever device ids it sends."""

    scope = "check_ins_account"
