"""Signed QR payloads, so that a door device can check a ticket without the server.

A payload is ``TK1.<key id>.<claims>.<signature>``: the claims (ticket id,
show id, seat label) as compact JSON, and an Ed25519 signature over
``TK1.<key id>.<claims>``, both base64url without padding. The key id is
signed too, so a signature can not be moved under another key.

Keys: TICKET_SIGNING_KEY (``<key id>:<private key>``) signs and verifies;
TICKET_RETIRED_KEYS (``<key id>:<public key>``, comma separated) only verify,
so that tickets issued before a rotation stay valid while their key is
listed. With DEBUG on and no key set, a key is made once and kept in
TICKET_SIGNING_KEY_FILE. ``manage.py ticket_signing_key`` makes a key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.localsecrets import local_secret

from .exceptions import InvalidTicket
from .keys import b64, new_key, unb64

PREFIX = "TK1"


@dataclass(frozen=True)
class Claims:
    """What a ticket's QR code says: which ticket, for which show, which seat."""

    ticket: int
    show: int
    seat: str


def sign(claims: Claims) -> str:
    key_id, private = _signing_key()
    body = b64(json.dumps({"t": claims.ticket, "s": claims.show, "seat": claims.seat}, separators=(",", ":")).encode())
    signed = f"{PREFIX}.{key_id}.{body}"
    return f"{signed}.{b64(private.sign(signed.encode()))}"


def looks_signed(text: str) -> bool:
    """Whether a scanned text is meant as a signed payload (rather than a typed code)."""
    return text.startswith(PREFIX + ".")


def verify(payload: str) -> Claims:
    """The claims of a payload signed by a listed key; InvalidTicket (400) otherwise."""
    parts = payload.strip().split(".")
    if len(parts) != 4 or parts[0] != PREFIX:
        raise InvalidTicket("This is not a ticket's QR code.")
    _, key_id, body, signature = parts
    key = public_keys().get(key_id)
    if key is None:
        raise InvalidTicket("This QR code is signed with a key that is not (or no longer) valid.")
    try:
        key.verify(unb64(signature), f"{PREFIX}.{key_id}.{body}".encode())
        claims = json.loads(unb64(body))
        return Claims(ticket=_int(claims["t"]), show=_int(claims["s"]), seat=str(claims["seat"]))
    except (InvalidSignature, ValueError, KeyError, TypeError) as exc:
        raise InvalidTicket("This QR code's signature does not verify: it was not issued by this cinema.") from exc


def public_keys() -> dict[str, Ed25519PublicKey]:
    """Every key a payload may be signed with, by key id: the current one first."""
    key_id, private = _signing_key()
    return {key_id: private.public_key(), **_retired_keys(settings.TICKET_RETIRED_KEYS)}


def current_key_id() -> str:
    return _signing_key()[0]


def public_key_text(key: Ed25519PublicKey) -> str:
    return b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def _signing_key() -> tuple[str, Ed25519PrivateKey]:
    return _private_key(settings.TICKET_SIGNING_KEY or _development_key())


def _development_key() -> str:
    """The key kept in TICKET_SIGNING_KEY_FILE, made on first use (DEBUG only: settings.py)."""
    if not settings.TICKET_SIGNING_KEY_FILE:
        raise ImproperlyConfigured("TICKET_SIGNING_KEY is not set.")
    return local_secret(Path(settings.TICKET_SIGNING_KEY_FILE), lambda: new_key().setting)


@lru_cache(maxsize=8)
def _private_key(setting: str) -> tuple[str, Ed25519PrivateKey]:
    key_id, _, text = setting.partition(":")
    try:
        return key_id, Ed25519PrivateKey.from_private_bytes(unb64(text))
    except ValueError as exc:
        raise ImproperlyConfigured(
            "TICKET_SIGNING_KEY must be <key id>:<private key>, as manage.py ticket_signing_key prints it."
        ) from exc


@lru_cache(maxsize=8)
def _retired_keys(setting: str) -> dict[str, Ed25519PublicKey]:
    keys = {}
    for entry in filter(None, (part.strip() for part in setting.split(","))):
        key_id, _, text = entry.partition(":")
        try:
            keys[key_id] = Ed25519PublicKey.from_public_bytes(unb64(text))
        except ValueError as exc:
            raise ImproperlyConfigured(
                "TICKET_RETIRED_KEYS must be <key id>:<public key> entries separated by commas."
            ) from exc
    return keys


def _int(value: Any) -> int:
    if type(value) is not int:
        raise ValueError("not an integer")
    return value
