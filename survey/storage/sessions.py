"""Secretariat sessions, held on the server so that they can be ended.

A signed cookie alone cannot be taken back: a copy made before signing out kept opening the
workspace for as long as the cookie's signature was valid (31 days). Here the cookie holds
only a random session id, and this table decides whether it still opens anything. The id is
stored as its SHA-256, so a copy of the database (a backup) opens no session; the id has 192
random bits, so a plain hash is enough (nothing to guess, nothing to stretch).

A session ends when it is signed out, when its account's password changes or the account is
disabled, after ``idle`` without a request, and ``lifetime`` after sign-in whatever happens.
The last request is written at most once a minute, so browsing the workspace does not take
the write lock on every page.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from survey.accounts import Account
from survey.storage.db import stamp
from survey.storage.store import Store
from survey.tokens import new_token

TOUCH_EVERY = timedelta(minutes=1)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(
    db: Store,
    account_id: int,
    now: datetime,
    idle: timedelta,
    lifetime: timedelta,
) -> str:
    """A new session for the account; returns its id, which only the cookie keeps. Sessions
    of anyone that have run out are deleted here, so the table holds live ones only."""
    session_id = new_token()
    with db.writing():
        db.execute(
            "DELETE FROM sessions WHERE last_seen <= ? OR created_at <= ?",
            [stamp(now - idle), stamp(now - lifetime)],
        )
        db.execute(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen) VALUES (?, ?, ?, ?)",
            [_hash(session_id), account_id, stamp(now), stamp(now)],
        )
    return session_id


def session_account(
    db: Store,
    session_id: str,
    now: datetime,
    idle: timedelta,
    lifetime: timedelta,
) -> Account | None:
    """The account whose live session this is, or None: unknown, ended, run out, or the
    account disabled. A session that has run out is deleted; a live one is marked seen."""
    key = _hash(session_id)
    row = db.execute(
        "SELECT s.created_at, s.last_seen, u.id, u.email, u.role, u.units "
        "FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.id_hash = ? AND u.disabled_at IS NULL",
        [key],
    ).fetchone()
    if row is None:
        return None
    created, last_seen = datetime.fromisoformat(row[0]), datetime.fromisoformat(row[1])
    if now - last_seen >= idle or now - created >= lifetime:
        with db.writing():
            db.execute("DELETE FROM sessions WHERE id_hash = ?", [key])
        return None
    if now - last_seen >= TOUCH_EVERY:
        with db.writing():
            db.execute("UPDATE sessions SET last_seen = ? WHERE id_hash = ?", [stamp(now), key])
    return Account(row[2], row[3], row[4], tuple(json.loads(row[5])))


def end_session(db: Store, session_id: str) -> int | None:
    """Delete the session; returns its account's id, or None if it was not there."""
    with db.writing():
        rows = db.execute(
            "DELETE FROM sessions WHERE id_hash = ? RETURNING user_id", [_hash(session_id)]
        ).fetchall()
    return rows[0][0] if rows else None


def end_sessions_of(db: Store, account_id: int) -> int:
    """Delete every session of the account; returns how many there were. Called inside the
    transaction that changes the account, so no session outlives the change."""
    return db.execute("DELETE FROM sessions WHERE user_id = ?", [account_id]).rowcount
