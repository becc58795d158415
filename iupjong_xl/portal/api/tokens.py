"""Making, checking and revoking API tokens. A token reads `iup_` + 43 URL-safe characters (32 random bytes);
only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.utils import timezone

from iupjong_xl.portal.api.models import Token

PREFIX = "iup_"
SHOWN = 12  # characters of the token kept to tell tokens apart (`iup_` and 8 random ones)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(user: Any, name: str) -> tuple[Token, str]:
    """A new token for the account; returns the record and the token itself (the only time it is known)."""
    token = PREFIX + secrets.token_urlsafe(32)
    record = Token.objects.create(user=user, name=name.strip()[:100] or "API", digest=digest(token),
                                  prefix=token[:SHOWN])
    return record, token


def authenticate(token: str) -> Token | None:
    """The live token record (not revoked, its account active) of a presented token, or None. Marks it used."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    record = Token.objects.select_related("user").filter(digest=digest(token), revoked__isnull=True).first()
    if record is None or not record.user.is_active:
        return None
    now = timezone.now()
    if record.last_used is None or (now - record.last_used).total_seconds() > 60:  # one write a minute at most
        Token.objects.filter(pk=record.pk).update(last_used=now)
    return record


def revoke(user: Any, token_id: int) -> bool:
    """Revoke one of the account's own tokens; False when it has no such live token."""
    return bool(Token.objects.filter(user=user, pk=token_id, revoked__isnull=True).update(revoked=timezone.now()))
