"""Secretariat accounts and the audit log.

Sign-in is throttled per account: after ``MAX_FAILURES`` wrong passwords in a row the
account is locked for ``LOCK_MINUTES``, which turns guessing into a few tries an hour while
a forgetful user only waits. The counter lives in the database, so every worker process
sees the same count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache

import sqlite_utils

from survey.accounts import ROLES, Account, hash_password, needs_rehash, verify_password
from survey.errors import Conflict, Forbidden, InvalidInput
from survey.storage.db import inserted_id

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
    row = db.execute(
        "SELECT id, email, role, units FROM users WHERE id = ?", [account_id]
    ).fetchone()
    return Account(row[0], row[1], row[2], tuple(json.loads(row[3]))) if row else None


class SignInRefused(Forbidden):
    def __init__(self, locked: bool):
        super().__init__("locked" if locked else "wrong e-mail or password")
        self.locked = locked


def sign_in(db: sqlite_utils.Database, email: str, password: str) -> Account:
    """The account, or SignInRefused (wrong e-mail or password, or locked for now)."""
    row = db.execute(
        "SELECT id, email, role, units, password_hash, failed_sign_ins, locked_until "
        "FROM users WHERE email = ?",
        [email.strip().lower()],
    ).fetchone()
    if row is None:
        verify_password(_dummy_hash(), password)
        raise SignInRefused(locked=False)
    account_id, email, role, units, stored, failures, locked_until = row
    if locked_until and datetime.fromisoformat(locked_until) > _now():
        raise SignInRefused(locked=True)
    if not verify_password(stored, password):
        failures += 1
        lock = (
            (_now() + timedelta(minutes=LOCK_MINUTES)).isoformat()
            if failures >= MAX_FAILURES
            else None
        )
        with db.conn:
            db.execute(
                "UPDATE users SET failed_sign_ins = ?, locked_until = ? WHERE id = ?",
                [0 if lock else failures, lock, account_id],
            )
        audit(db, email, "sign-in failed", "account locked" if lock else "")
        raise SignInRefused(locked=lock is not None)
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
