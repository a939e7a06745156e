"""Refresh-token rotation with reuse detection (OAuth 2.0 Security Best Current Practice, 4.14).

Every refresh token descends from one log-in: its family, carried in the
``fam`` claim (the log-in token's own jti). Refreshing spends the token and
issues its successor in the same family. The token's row is locked while it
is spent, so of any number of simultaneous refreshes with one token exactly
one succeeds. A spent token presented again means two parties hold the family
(a thief, or a client that lost an answer): every refresh token of the
family is revoked, and the user logs in again. Access tokens already issued
live out their short lifetime (JWT_ACCESS_MINUTES).
"""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import state
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from core.events import log_event

from .models import User

FAMILY_CLAIM = "fam"


class _SignedRefreshToken(RefreshToken):
    """Signature, expiry and type checked; the blacklist is checked under the row lock instead."""

    def check_blacklist(self) -> None:
        pass


def _family(payload: dict[str, Any]) -> str:
    return str(payload.get(FAMILY_CLAIM) or payload[api_settings.JTI_CLAIM])


def _revoke_family(*, user_id: int, family: str) -> int:
    live = OutstandingToken.objects.filter(
        user_id=user_id, blacklistedtoken__isnull=True, expires_at__gt=timezone.now()
    )
    backend = state.token_backend
    doomed = [token for token in live if _family(backend.decode(cast(Any, token.token), verify=False)) == family]
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in doomed], ignore_conflicts=True)
    return len(doomed)


def refresh_rotate(*, token: str) -> dict[str, str]:
    """A new access and refresh token for a live refresh token, which is spent.

    Raises InvalidToken for a bad, expired, unknown or spent token (a spent one
    also revokes its family) and AuthenticationFailed when the user is gone or
    inactive.
    """
    try:
        refresh = _SignedRefreshToken(cast(Any, token))  # simplejwt types the encoded token as Token
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from exc
    jti, family = refresh[api_settings.JTI_CLAIM], _family(refresh.payload)
    reused = False
    with transaction.atomic():
        spent = OutstandingToken.objects.select_for_update().filter(jti=jti).first()
        if spent is None:
            raise InvalidToken("Token is not known.")
        if BlacklistedToken.objects.filter(token=spent).exists():
            reused = True
            revoked = _revoke_family(user_id=spent.user_id, family=family) if spent.user_id else 0
            log_event("refresh_token_reused", user_id=spent.user_id, revoked=revoked)
        else:
            user = User.objects.filter(pk=refresh.payload.get(api_settings.USER_ID_CLAIM) or 0).first()
            if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
                raise AuthenticationFailed("No active account found for the given token.", "no_active_account")
            BlacklistedToken.objects.create(token=spent)
            refresh[FAMILY_CLAIM] = family
            refresh.set_jti()
            refresh.set_exp()
            refresh.set_iat()
            OutstandingToken.objects.create(
                user=user,
                jti=refresh[api_settings.JTI_CLAIM],
                token=str(refresh),
                created_at=refresh.current_time,
                expires_at=datetime_from_epoch(refresh["exp"]),
            )
    if reused:  # after the commit: the revocation stands
        raise InvalidToken("Token is blacklisted")
    return {"access": str(refresh.access_token), "refresh": str(refresh)}
