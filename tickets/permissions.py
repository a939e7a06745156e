from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.auth import has_permission


class IsDoorStaff(BasePermission):
    """Door staff (the tickets.check_in permission, given through a group such as
    "Door staff") and staff. Door staff are not staff: they can use the door's
    endpoints and nothing more than any customer."""

    message = "Only door staff can do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_staff or has_permission(user, "tickets.check_in")))
