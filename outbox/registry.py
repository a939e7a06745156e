"""What each kind of message says: apps register a renderer per kind in ready().

A renderer gets the message's ``data`` and returns the e-mail to send (the
outbox adds the recipient and the Message-ID), or None when there is nothing
to tell any more (the booking it announced is gone).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMultiAlternatives

Renderer = Callable[[dict[str, Any]], EmailMultiAlternatives | None]

_renderers: dict[str, Renderer] = {}


def register(kind: str, renderer: Renderer) -> None:
    _renderers[kind] = renderer


def renderer_for(kind: str) -> Renderer:
    try:
        return _renderers[kind]
    except KeyError:
        raise LookupError(f"no renderer for messages of kind {kind!r}") from None
