"""Secretariat accounts and the audit log.

Sign-in is throttled per account: after ``MAX_FAILURES`` wrong passwords in a row the
account is locked for ``LOCK_MINUTES``, which turns guessing into a few tries an hour while
a forgetful user only waits. The counter lives in the database and each attempt is counted
by one atomic statement before its password is checked, so every thread, worker process and
machine sees the same count and no burst of parallel guesses gets past it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache

import sqlite_utils

from survey.accounts import ROLES, Account, hash_password, needs_rehash, verify_password
from survey.errors import Conflict, Forbidden, InvalidInput, NotFound
from survey.storage.db import inserted_id, stamp
from survey.storage.sessions import end_sessions_of

MAX_FAILURES = 5
LOCK_MINUTES = 15


@cache
def _dummy_hash() -> str:
    """Checked against when the e-mail is unknown, so an unknown and a known account take
    the same time to refuse (no account enumeration by timing)."""
    return hash_password("not a real password, only for timing")


def _now() -> datetime:
    return datetime.now(UTC)


def add_user(
    db: sqlite_utils.Database, email: str, password: str, role: str, units: Iterable[str] = ()
) -> Account:
    email = email.strip().lower()
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    units = tuple(units)
    if role == "unit-leader" and not units:
        raise InvalidInput("a unit leader needs at least one --unit")
    try:
        with db.conn:
            cursor = db.execute(
                "INSERT INTO users (email, password_hash, role, units, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [email, hash_password(password), role, json.dumps(units), _now().isoformat()],
            )
    except Exception as error:
        if "UNIQUE" in str(error):
            raise Conflict(f"there is already an account for {email}") from error
        raise
    return Account(inserted_id(cursor), email, role, units)


def has_account(db: sqlite_utils.Database, email: str) -> bool:
    row = db.execute("SELECT 1 FROM users WHERE email = ?", [email.strip().lower()]).fetchone()
    return row is not None


def get_account(db: sqlite_utils.Database, account_id: int) -> Account | None:
    """The account, or None when there is none or it is disabled."""
    row = db.execute(
        "SELECT id, email, role, units FROM users WHERE id = ? AND disabled_at IS NULL",
        [account_id],
    ).fetchone()
    return Account(row[0], row[1], row[2], tuple(json.loads(row[3]))) if row else None


def disable_user(
    db: sqlite_utils.Database, email: str, now: datetime | None = None
) -> tuple[Account, int]:
    """Disable the account and end its sessions, in one transaction; returns the account
    and how many sessions were ended. The row stays, so the audit log keeps naming it and
    the address cannot be taken by a new account by mistake. Disabling twice is harmless."""
    email = email.strip().lower()
    with db.conn:
        db.execute("BEGIN IMMEDIATE")
        row = db.execute(
            "UPDATE users SET disabled_at = coalesce(disabled_at, ?) WHERE email = ? "
            "RETURNING id, email, role, units",
            [stamp(now or _now()), email],
        ).fetchall()
        if not row:
            raise NotFound(f"there is no account for {email}")
        ended = end_sessions_of(db, row[0][0])
    account_id, email, role, units = row[0]
    return Account(account_id, email, role, tuple(json.loads(units))), ended


def set_password(db: sqlite_utils.Database, email: str, password: str) -> tuple[Account, int]:
    """Give the account a new password and end its sessions, in one transaction (whoever
    held the old password may hold a session too); the lockout count starts again.
    Returns the account and how many sessions were ended."""
    email = email.strip().lower()
    new_hash = hash_password(password)  # slow, and may refuse: before the transaction
    with db.conn:
        db.execute("BEGIN IMMEDIATE")
        row = db.execute(
            "UPDATE users SET password_hash = ?, failed_sign_ins = 0, locked_until = NULL "
            "WHERE email = ? RETURNING id, email, role, units",
            [new_hash, email],
        ).fetchall()
        if not row:
            raise NotFound(f"there is no account for {email}")
        ended = end_sessions_of(db, row[0][0])
    account_id, email, role, units = row[0]
    return Account(account_id, email, role, tuple(json.loads(units))), ended


class SignInRefused(Forbidden):
    def __init__(self, locked: bool):
        super().__init__("locked" if locked else "wrong e-mail or password")
        self.locked = locked


def sign_in(
    db: sqlite_utils.Database, email: str, password: str, now: datetime | None = None
) -> Account:
    """The account, or SignInRefused (wrong e-mail or password, or locked for now).

    Every attempt is counted *before* its password is checked, by one conditional UPDATE:
    it adds one to the account's count unless the account is locked, and locks it when the
    count reaches MAX_FAILURES. Reading the count, checking and writing count + 1 let
    parallel guesses all read the same count (39 at once left it at 2); a single statement
    is atomic in the database itself, so the limit holds across threads, worker processes
    and machines, and a locked account's password is never checked at all. A right
    password then resets the count. An unknown or disabled address is checked against a
    dummy hash, so it is refused in the same words and the same time as a wrong password.
    """
    now = now or _now()
    email = email.strip().lower()
    counted = _count_attempt(db, email, now)
    if counted is None:
        locked = db.execute(
            "SELECT 1 FROM users WHERE email = ? AND disabled_at IS NULL AND locked_until > ?",
            [email, stamp(now)],
        ).fetchone()
        if locked:
            raise SignInRefused(locked=True)
        verify_password(_dummy_hash(), password)
        raise SignInRefused(locked=False)
    account_id, email, role, units, stored, locked_until = counted
    if not verify_password(stored, password):
        audit(db, email, "sign-in failed", "account locked" if locked_until else "")
        raise SignInRefused(locked=locked_until is not None)
    with db.conn:
        db.execute(
            "UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE id = ?", [account_id]
        )
        if needs_rehash(stored):
            db.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                [hash_password(password), account_id],
            )
    audit(db, email, "signed in")
    return Account(account_id, email, role, tuple(json.loads(units)))


def _count_attempt(db: sqlite_utils.Database, email: str, now: datetime) -> tuple | None:
    """Count one sign-in attempt on an account that is not locked, locking it if this is the
    MAX_FAILURES-th in a row; None when there is no such (enabled) account or it is locked. A lock
    that has run out starts the count again. (SQLite evaluates every SET expression on the
    row as it was, so both CASEs see the old values.)"""
    rows = db.execute(
        """
        UPDATE users SET
            failed_sign_ins = CASE WHEN locked_until IS NULL THEN failed_sign_ins + 1 ELSE 1 END,
            locked_until = CASE
                WHEN (CASE WHEN locked_until IS NULL THEN failed_sign_ins + 1 ELSE 1 END)
                    >= :limit THEN :lock
                ELSE NULL END
        WHERE email = :email AND disabled_at IS NULL
            AND (locked_until IS NULL OR locked_until <= :now)
        RETURNING id, email, role, units, password_hash, locked_until
        """,
        {
            "limit": MAX_FAILURES,
            "lock": stamp(now + timedelta(minutes=LOCK_MINUTES)),
            "email": email,
            "now": stamp(now),
        },
    ).fetchall()  # to the end: the statement (and its write lock) is finished only then
    return rows[0] if rows else None


def audit(db: sqlite_utils.Database, actor: str, action: str, detail: str = "") -> None:
    with db.conn:
        db.execute(
            "INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)",
            [_now().isoformat(timespec="seconds"), actor, action, detail],
        )


def audit_entries(db: sqlite_utils.Database, limit: int = 200) -> list[tuple[str, str, str, str]]:
    return db.execute(
        "SELECT at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?", [limit]
    ).fetchall()
