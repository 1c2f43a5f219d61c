"""Respondent tokens: unguessable, URL-safe, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 24  # 192 random bits; the requirement is at least 128


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def same_token(given: str, stored: str) -> bool:
    return hmac.compare_digest(given.encode(), stored.encode())


CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: digits and capitals without I, L, O and U, which are read as 1, 1,
0 and (nothing): a code copied from a letter by hand survives the usual mix-ups."""

CODE_LENGTH = 16  # 80 random bits, written as four groups of four
MAX_CODE_INPUT = 40  # what a code field takes in before anything else is done with it


def new_code() -> str:
    """A one-time code for an anonymous round, e.g. ``7KQM-2XRP-9D4T-H6WC``: typed from a
    letter, so unambiguous and not long; 80 bits, so the link-guessing brake makes guessing
    futile, and so a copy of the stored digests cannot be searched back to codes either
    (5,000 digests of 60-bit codes would have been hours of one graphics card's time)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normal_code(text: str) -> str | None:
    """A typed code in its one written form (``7KQM-2XRP-9D4T-H6WC``), or None when it cannot be
    one: spaces and hyphens anywhere, small letters, O for 0 and I or L for 1 are fine."""
    if len(text) > MAX_CODE_INPUT:
        return None
    raw = "".join(text.split()).replace("-", "").upper()
    raw = raw.translate(str.maketrans("OIL", "011"))
    if len(raw) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_digest(code: str) -> str:
    """What is stored of a code: the secretariat is shown the codes once, the database keeps
    only their digests, so a copy of it cannot be used to answer."""
    return hashlib.sha256(code.encode()).hexdigest()
