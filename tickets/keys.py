"""Making ticket signing keys, and their text form; no Django needed (settings use it in tests)."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat


@dataclass(frozen=True)
class NewKey:
    key_id: str
    private: str
    public: str

    @property
    def setting(self) -> str:
        """The value of TICKET_SIGNING_KEY."""
        return f"{self.key_id}:{self.private}"

    @property
    def retired_setting(self) -> str:
        """The entry for TICKET_RETIRED_KEYS once this key is replaced."""
        return f"{self.key_id}:{self.public}"


def new_key() -> NewKey:
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return NewKey(key_id=f"k{secrets.token_hex(4)}", private=b64(raw_private), public=b64(raw_public))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
