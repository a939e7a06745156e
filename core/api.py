"""What DRF views share: idempotent writes (core.idempotency over HTTP), the caller's own rows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.auth import customer
from accounts.models import User

from .idempotency import Replay, run_once
from .routers import ID_PATTERN

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Optional. Retrying with the same key and the same request replays the first successful answer "
        "instead of acting twice. Keys are per user and expire after 24 hours."
    ),
)


def fingerprint(request: Request) -> str:
    """What makes two requests "the same": method, path (slash or not) and JSON body."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    text = f"{request.method} {request.path.rstrip('/')} {body}"
    return hashlib.sha256(text.encode()).hexdigest()


def key_from(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or not key.isprintable() or not key.isascii():
        raise ValidationError({HEADER: ["Must be 1 to 255 printable ASCII characters, e.g. a UUID."]})
    return key


def _answer(response: Response) -> tuple[int, Any]:
    return response.status_code, response.data


def idempotent(request: Request, user_id: int, perform: Callable[[], Response]) -> Response:
    """Answer with ``perform()`` once per (user, Idempotency-Key); without the header, just run it."""
    key = key_from(request)
    if key is None:
        return perform()
    outcome = run_once(user_id=user_id, key=key, fingerprint=fingerprint(request), perform=perform, answer=_answer)
    if isinstance(outcome, Replay):
        return Response(outcome.body, status=outcome.status, headers={REPLAY_HEADER: "true"})
    return outcome


_Row = TypeVar("_Row", bound=models.Model)

if TYPE_CHECKING:

    class _ViewSet(viewsets.GenericViewSet[_Row]): ...

else:  # a mixin: the viewset brings the base

    class _ViewSet(Generic[_Row]):
        pass


# A viewset of the caller's own rows (bookings, orders): rows_of(user) says
# which. No docstring: drf-spectacular would take it as every operation's description.
class CallersRowsMixin(_ViewSet[_Row]):
    model: type[_Row]
    lookup_value_regex = ID_PATTERN

    def rows_of(self, user: User) -> QuerySet[_Row]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[_Row]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            manager: Any = self.model._default_manager
            rows: QuerySet[_Row] = manager.none()
            return rows
        return self.rows_of(customer(self.request))
