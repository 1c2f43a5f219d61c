"""Secretariat accounts and their sessions: adding, disabling and re-passwording an account,
signing in and out, and the question every workspace request asks (whose session is this?).

Who may read and run surveys is an admin's decision, audited. An account's address is
checked by the same rule as an invitation's (``addresses``): it is where the person is
reached. Sessions live on the server (``storage.sessions``) so that each of these can end
them: a signed cookie alone could not be taken back. The web keeps only the session id in
its cookie; the CLI, which acts as the operator, needs no session.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import sqlite_utils

from survey.accounts import Account
from survey.addresses import email_problem
from survey.errors import InvalidInput
from survey.operations.access import require_manager
from survey.storage import sessions, users
from survey.storage.users import audit


class SignedIn(NamedTuple):
    account: Account
    session_id: str  # for the cookie only; the database keeps its hash


def _now() -> datetime:
    return datetime.now(UTC)


def add_account(
    db: sqlite_utils.Database,
    actor: Account,
    email: str,
    password: str,
    role: str,
    units: Iterable[str] = (),
) -> Account:
    """A new account; InvalidInput for a short password, an unknown role or a unit leader
    without a unit, Conflict when the address has one already."""
    require_manager(actor)
    problem = email_problem(email.strip().lower())
    if problem is not None:
        raise InvalidInput(f"invalid email '{email}': {problem}")
    account = users.add_user(db, email, password, role, units)
    where = f" for {', '.join(account.units)}" if account.units else ""
    audit(db, actor.email, "user added", f"{account.email} ({account.role}){where}")
    return account


def disable_account(
    db: sqlite_utils.Database, actor: Account, email: str, *, now: datetime | None = None
) -> Account:
    """Disable an account (someone left, a password may be known to others): it cannot sign
    in any more, and every session it has ends at once. NotFound for an unknown address."""
    require_manager(actor)
    account, ended = users.disable_user(db, email, now or _now())
    audit(db, actor.email, "user disabled", f"{account.email}: {_sessions(ended)} ended")
    return account


def change_password(
    db: sqlite_utils.Database, actor: Account, email: str, password: str
) -> Account:
    """A new password for an account; every session signed in with the old one ends.
    InvalidInput for a short password, NotFound for an unknown address."""
    require_manager(actor)
    account, ended = users.set_password(db, email, password)
    audit(db, actor.email, "password changed", f"{account.email}: {_sessions(ended)} ended")
    return account


def _sessions(count: int) -> str:
    return f"{count} session" + ("" if count == 1 else "s")


def sign_in(
    db: sqlite_utils.Database,
    email: str,
    password: str,
    *,
    idle: timedelta,
    lifetime: timedelta,
    now: datetime | None = None,
) -> SignedIn:
    """The account and a new session for it, or SignInRefused (wrong e-mail or password,
    or locked: see ``storage.users.sign_in``). Audited there, attempt by attempt."""
    now = now or _now()
    account = users.sign_in(db, email, password, now)
    return SignedIn(account, sessions.start_session(db, account.id, now, idle, lifetime))


def session_account(
    db: sqlite_utils.Database,
    session_id: str,
    *,
    idle: timedelta,
    lifetime: timedelta,
    now: datetime | None = None,
) -> Account | None:
    """The signed-in account of a live session; None when it was signed out, ended by a
    password change or by disabling the account, idle for ``idle`` or older than
    ``lifetime``."""
    return sessions.session_account(db, session_id, now or _now(), idle, lifetime)


def sign_out(db: sqlite_utils.Database, session_id: str) -> None:
    """End the session on the server, so a copy of its cookie opens nothing afterwards."""
    account_id = sessions.end_session(db, session_id)
    account = users.get_account(db, account_id) if account_id is not None else None
    if account is not None:
        audit(db, account.email, "signed out")
