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

from survey.accounts import (
    ROLES,
    Account,
    AccountEntry,
    hash_password,
    needs_rehash,
    verify_password,
)
from survey.errors import Conflict, Forbidden, InvalidInput, NotFound
from survey.storage.db import stamp
from survey.storage.sessions import end_sessions_of
from survey.storage.store import Store, integrity_errors

MAX_FAILURES = 5
LOCK_MINUTES = 15
SIGNED_IN = "signed in"  # the audit log's action for a sign-in; the list of accounts reads it


@cache
def _dummy_hash() -> str:
    """Checked against when the e-mail is unknown, so an unknown and a known account take
    the same time to refuse (no account enumeration by timing)."""
    return hash_password("not a real password, only for timing")


def _now() -> datetime:
    return datetime.now(UTC)


def add_user(db: Store, email: str, password: str, role: str, units: Iterable[str] = ()) -> Account:
    email = email.strip().lower()
    units = tuple(units)
    _check_role(role, units)
    try:
        with db.writing():
            (account_id,) = db.execute(
                "INSERT INTO users (email, password_hash, role, units, created_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                [email, hash_password(password), role, json.dumps(units), _now().isoformat()],
            ).fetchone()
    except integrity_errors() as error:  # the email's UNIQUE: the one constraint left
        raise Conflict(
            f"there is already an account for {email}",
            message_nb=f"Det finnes allerede en konto for {email}.",
        ) from error
    return Account(account_id, email, role, units)


def _check_role(role: str, units: tuple[str, ...]) -> None:
    if role not in ROLES:
        raise InvalidInput(
            f"unknown role {role!r}: use one of {', '.join(ROLES)}",
            message_nb="Velg en av rollene i listen.",
            field="role",
        )
    if role == "unit-leader" and not units:
        raise InvalidInput(
            "a unit leader needs at least one --unit",
            message_nb="En enhetsleder må ha minst én enhet.",
            field="units",
        )


class LastAdmin(Conflict):
    """The change would leave no enabled admin: nobody could manage accounts or run rounds
    from the workspace any more."""

    def __init__(self, email: str) -> None:
        super().__init__(
            f"{email} is the only enabled admin: make another account admin first",
            message_nb=(
                f"{email} er den eneste aktive administratoren. Gjør en annen konto til "
                "administrator først, ellers kan ingen lenger styre brukere og runder."
            ),
        )


def _row_for_change(db: Store, email: str, *, leaves_admins: bool) -> tuple:
    """The account's row (id, email, role, units), inside the caller's write transaction.
    NotFound for an unknown address; LastAdmin when ``leaves_admins`` (the caller is about
    to disable or demote it) and it is the only enabled admin. Checked and changed in one
    transaction, so two admins who demote each other at the same moment cannot both
    succeed."""
    row = db.execute(
        "SELECT id, email, role, units, disabled_at FROM users WHERE email = ?", [email]
    ).fetchone()
    if row is None:
        raise NotFound(
            f"there is no account for {email}", message_nb=f"Det finnes ingen konto for {email}."
        )
    if leaves_admins and row[2] == "admin" and row[4] is None:
        others = db.execute(
            "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id != ?",
            [row[0]],
        ).fetchone()[0]
        if others == 0:
            raise LastAdmin(email)
    return row[:4]


def _entry(row: tuple) -> AccountEntry:
    account_id, email, role, units, created_at, disabled_at, last_sign_in = row
    return AccountEntry(
        Account(account_id, email, role, tuple(json.loads(units))),
        created_at,
        disabled_at,
        last_sign_in,
    )


_ENTRIES = """
    SELECT u.id, u.email, u.role, u.units, u.created_at, u.disabled_at, s.last
    FROM users u LEFT JOIN (
        SELECT actor, max(at) AS last FROM audit_log WHERE action = ? GROUP BY actor
    ) s ON s.actor = u.email
"""


def list_users(db: Store) -> list[AccountEntry]:
    """Every account, disabled ones too, by address."""
    rows = db.execute(_ENTRIES + " ORDER BY u.email", [SIGNED_IN]).fetchall()
    return [_entry(row) for row in rows]


def get_user(db: Store, account_id: int) -> AccountEntry:
    """The account, disabled or not; NotFound when there is none."""
    row = db.execute(_ENTRIES + " WHERE u.id = ?", [SIGNED_IN, account_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no account {account_id}")
    return _entry(row)


def set_role(
    db: Store, email: str, role: str, units: Iterable[str] = ()
) -> tuple[Account, Account]:
    """Give the account another role and units; returns it before and after. LastAdmin
    when this would demote the only enabled admin. Its sessions go on: the account is read
    with the session on every request, so the new role applies from the next one."""
    email = email.strip().lower()
    units = tuple(units)
    _check_role(role, units)
    with db.writing():
        before = _row_for_change(db, email, leaves_admins=role != "admin")
        db.execute(
            "UPDATE users SET role = ?, units = ? WHERE email = ?",
            [role, json.dumps(units), email],
        )
    return _account(before), Account(before[0], email, role, units)


def _account(row: tuple) -> Account:
    return Account(row[0], row[1], row[2], tuple(json.loads(row[3])))


def enable_user(db: Store, email: str) -> Account:
    """Let a disabled account sign in again (with its password as it was: change it too if
    it may be known to others). Its old sessions stay ended. Enabling twice is harmless."""
    email = email.strip().lower()
    with db.writing():
        rows = db.execute(
            "UPDATE users SET disabled_at = NULL, failed_sign_ins = 0, locked_until = NULL "
            "WHERE email = ? RETURNING id, email, role, units",
            [email],
        ).fetchall()
    if not rows:
        raise NotFound(
            f"there is no account for {email}", message_nb=f"Det finnes ingen konto for {email}."
        )
    return _account(rows[0])


def has_account(db: Store, email: str) -> bool:
    row = db.execute("SELECT 1 FROM users WHERE email = ?", [email.strip().lower()]).fetchone()
    return row is not None


def get_account(db: Store, account_id: int) -> Account | None:
    """The account, or None when there is none or it is disabled."""
    row = db.execute(
        "SELECT id, email, role, units FROM users WHERE id = ? AND disabled_at IS NULL",
        [account_id],
    ).fetchone()
    return Account(row[0], row[1], row[2], tuple(json.loads(row[3]))) if row else None


def disable_user(db: Store, email: str, now: datetime | None = None) -> tuple[Account, int]:
    """Disable the account and end its sessions, in one transaction; returns the account
    and how many sessions were ended. The row stays, so the audit log keeps naming it and
    the address cannot be taken by a new account by mistake. Disabling twice is harmless.
    LastAdmin when it is the only enabled admin (nobody could manage the workspace)."""
    email = email.strip().lower()
    with db.writing():
        _row_for_change(db, email, leaves_admins=True)
        row = db.execute(
            "UPDATE users SET disabled_at = coalesce(disabled_at, ?) WHERE email = ? "
            "RETURNING id, email, role, units",
            [stamp(now or _now()), email],
        ).fetchall()
        ended = end_sessions_of(db, row[0][0])
    account_id, email, role, units = row[0]
    return Account(account_id, email, role, tuple(json.loads(units))), ended


def set_password(db: Store, email: str, password: str) -> tuple[Account, int]:
    """Give the account a new password and end its sessions, in one transaction (whoever
    held the old password may hold a session too); the lockout count starts again.
    Returns the account and how many sessions were ended."""
    email = email.strip().lower()
    new_hash = hash_password(password)  # slow, and may refuse: before the transaction
    with db.writing():
        row = db.execute(
            "UPDATE users SET password_hash = ?, failed_sign_ins = 0, locked_until = NULL "
            "WHERE email = ? RETURNING id, email, role, units",
            [new_hash, email],
        ).fetchall()
        if not row:
            raise NotFound(
                f"there is no account for {email}",
                message_nb=f"Det finnes ingen konto for {email}.",
            )
        ended = end_sessions_of(db, row[0][0])
    account_id, email, role, units = row[0]
    return Account(account_id, email, role, tuple(json.loads(units))), ended


class SignInRefused(Forbidden):
    def __init__(self, locked: bool):
        super().__init__("locked" if locked else "wrong e-mail or password")
        self.locked = locked


def sign_in(db: Store, email: str, password: str, now: datetime | None = None) -> Account:
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
    with db.writing():
        db.execute(
            "UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE id = ?", [account_id]
        )
        if needs_rehash(stored):
            db.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                [hash_password(password), account_id],
            )
    audit(db, email, "signed in")  # SIGNED_IN: the list of accounts reads it
    return Account(account_id, email, role, tuple(json.loads(units)))


def _count_attempt(db: Store, email: str, now: datetime) -> tuple | None:
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


def audit(db: Store, actor: str, action: str, detail: str = "") -> None:
    with db.writing():
        db.execute(
            "INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)",
            [_now().isoformat(timespec="seconds"), actor, action, detail],
        )


def audit_entries(db: Store, limit: int = 200) -> list[tuple[str, str, str, str]]:
    return db.execute(
        "SELECT at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?", [limit]
    ).fetchall()
