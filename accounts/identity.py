"""What makes two usernames the same name.

A username is stored as typed (after NFKC, as Django does) and keyed by its
canonical form: NFKC, case folded, NFKC again (Unicode's NFKC_Casefold). The
key is what the database keeps unique, what log-in looks up and what the
log-in lockout counts, so "Alice", "ALICE", "ａｌｉｃｅ" (fullwidth) and "Ａlice"
are one name everywhere, and "ſfbbfg" is "sfbbfg". Python's str.lower() and
the database's UPPER() disagree on letters such as "ı" and "ſ"; neither is
used for identity.

Names that mix scripts ("аlice" with a Cyrillic "а") are refused at sign-up:
they exist to look like somebody else.
"""

from __future__ import annotations

import unicodedata

from confusable_homoglyphs import confusables
from django.core.exceptions import ValidationError


def username_key(username: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


def validate_single_script(username: str) -> None:
    """Refuse a name written in more than one script (digits and punctuation are in none)."""
    if confusables.is_mixed_script(unicodedata.normalize("NFKC", username)):
        raise ValidationError(
            "Use letters of one script only: this name mixes scripts, as look-alikes of other names do.",
            code="mixed_script",
        )


def collision_key(key: str, pk: int | None) -> str:
    """The key of an account whose name collided with an older account's when
    keys were introduced (migration 0002): unique, and never a canonical key,
    since "~" is not allowed in usernames. The account is kept, not merged;
    staff rename it (manage.py username_collisions lists them)."""
    return f"{key}~{pk}"
