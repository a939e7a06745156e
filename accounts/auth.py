from __future__ import annotations

from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from .models import User


def customer(request: HttpRequest | Request) -> User:
    """The logged-in user of a view that requires one (IsAuthenticated has let the request in)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
