"""Answers whose body is written out by hand.

The hot answers (a booking, a purchase, a hold, a check-in, the caller's
profile) are built as plain dicts: DRF's generic field walk cost two to three
times as much CPU for the same output (docs/performance.md). Each such answer
has one description of its body, a TypedDict (its ``shape``, in the app's
``answers.py``), and one builder that returns it (``build``): mypy holds the
builder to the shape, and core/tests/test_answers.py holds the shape to the
schema the serializer's declared fields generate, key by key and type by type.
The keys a body may leave out are the TypedDict's NotRequired ones, which is
also what the schema marks as not required (core/schema.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.utils import timezone
from rest_framework.serializers import BaseSerializer


# A serializer mixin: to_representation is build, which returns shape. No
# docstring: drf-spectacular would take it as the description of every
# answer's schema component that has none of its own.
class Answer:
    shape: ClassVar[Any]  # a TypedDict
    may_be_absent: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        shape = cls.__dict__.get("shape")
        if shape is not None:
            cls.may_be_absent = tuple(sorted(shape.__optional_keys__))

    def to_representation(self, instance: Any) -> Any:
        return self.build(instance)

    def build(self, instance: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} builds no answer")


def answer_now(serializer: BaseSerializer[Any]) -> datetime:
    """One "now" for every field of one answer, list items included, so that
    a status and the seconds left computed from it agree."""
    context: dict[str, Any] = serializer.context  # type: ignore[assignment]  # DRF passes a dict
    now: datetime = context.setdefault("now", timezone.now())
    return now
