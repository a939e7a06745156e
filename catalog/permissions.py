from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class IsStaffOrReadOnly(BasePermission):
    """Anyone reads the catalog; only staff change it (anonymous -> 401, customers -> 403)."""

    @staticmethod
    def allows_anonymous(method: str) -> bool:
        """Read by the schema (core/schema.py): reads need no token."""
        return method in SAFE_METHODS

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in SAFE_METHODS or bool(request.user and request.user.is_staff)
