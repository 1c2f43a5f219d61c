"""Respondent tokens: unguessable, URL-safe, compared in constant time."""

from __future__ import annotations

import hmac
import secrets

TOKEN_BYTES = 24  # 192 random bits; the requirement is at least 128


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def same_token(given: str, stored: str) -> bool:
    return hmac.compare_digest(given.encode(), stored.encode())
