"""Secretariat accounts and their sessions: listing, adding, changing the role of, disabling,
enabling and re-passwording an account, signing in and out, and the question every
workspace request asks (whose session is this?). The workspace's "Brukere" pages and the
``survey user`` commands call these same functions.

Who may read and run surveys is an admin's decision, audited. There is always an enabled
admin: disabling or demoting the last one is refused (``storage.users.LastAdmin``), or
nobody could manage the workspace without a terminal. An account's address is
checked by the same rule as an invitation's (``addresses``): it is where the person is
reached. Sessions live on the server (``storage.sessions``) so that each of these can end
them: a signed cookie alone could not be taken back. The web keeps only the session id in
its cookie; the CLI, which acts as the operator, needs no session.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from survey.accounts import ROLES, Account, AccountEntry, check_password
from survey.addresses import email_problem
from survey.errors import InvalidInput
from survey.operations.access import require_manager
from survey.storage import sessions, users
from survey.storage.store import Store
from survey.storage.users import audit


class SignedIn(NamedTuple):
    account: Account
    session_id: str  # for the cookie only; the database keeps its hash


def _now() -> datetime:
    return datetime.now(UTC)


MAX_UNITS = 200  # units of one unit leader
MAX_UNIT_LENGTH = 200  # characters of a unit's name
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a path, less the angle brackets


def _units(role: str, units: Iterable[str]) -> tuple[str, ...]:
    """A unit leader's units, trimmed, without blanks or repeats; other roles read every
    unit, so they keep none. InvalidInput for too many or too long."""
    if role != "unit-leader":
        return ()
    kept = tuple(dict.fromkeys(unit.strip() for unit in units if unit.strip()))
    if len(kept) > MAX_UNITS:
        raise InvalidInput(
            f"a unit leader may have at most {MAX_UNITS} units",
            message_nb=f"En enhetsleder kan ha høyst {MAX_UNITS} enheter.",
            field="units",
        )
    for unit in kept:
        if len(unit) > MAX_UNIT_LENGTH or not unit.isprintable():
            raise InvalidInput(
                f"unit {unit[:40]!r}…: a unit's name is at most {MAX_UNIT_LENGTH} printable "
                "characters",
                message_nb=f"En enhet kan ha høyst {MAX_UNIT_LENGTH} tegn.",
                field="units",
            )
    if not kept:
        raise InvalidInput(
            "a unit leader needs at least one --unit",
            message_nb="En enhetsleder må ha minst én enhet.",
            field="units",
        )
    return kept


def _email_problem(email: str) -> InvalidInput | None:
    address = email.strip().lower()
    problem = email_problem(address)
    if problem is None and len(address) > MAX_EMAIL_LENGTH:
        problem = f"longer than {MAX_EMAIL_LENGTH} characters"
    if problem is None:
        return None
    return InvalidInput(
        f"invalid email '{email}': {problem}",
        message_nb="Skriv en gyldig e-postadresse, for eksempel navn@kommune.no.",
        field="email",
    )


def _role_problem(role: str) -> InvalidInput | None:
    if role in ROLES:
        return None
    return InvalidInput(
        f"unknown role {role!r}: use one of {', '.join(ROLES)}",
        message_nb="Velg en av rollene i listen.",
        field="role",
    )


def account_problems(
    email: str, password: str, role: str, units: Iterable[str] = ()
) -> list[InvalidInput]:
    """Every problem with a new account's details at once, each naming its ``field``
    (email, password, role, units), so a form can show them all where they belong.
    ``add_account`` refuses an account with any of them."""
    found: list[InvalidInput | None] = [_email_problem(email), _role_problem(role)]
    for check in (lambda: check_password(password), lambda: _units(role, units)):
        try:
            check()
        except InvalidInput as wrong:
            found.append(wrong)
    return [problem for problem in found if problem is not None]


def _where(account: Account) -> str:
    return f" for {', '.join(account.units)}" if account.units else ""


def list_accounts(db: Store, actor: Account) -> list[AccountEntry]:
    """Every account, disabled ones too, with its last sign-in: admins only."""
    require_manager(actor)
    return users.list_users(db)


def account_entry(db: Store, actor: Account, account_id: int) -> AccountEntry:
    """One account by its id, disabled or not: admins only. NotFound for an unknown id."""
    require_manager(actor)
    return users.get_user(db, account_id)


def add_account(
    db: Store,
    actor: Account,
    email: str,
    password: str,
    role: str,
    units: Iterable[str] = (),
) -> Account:
    """A new account; InvalidInput for an invalid address, a short password, an unknown
    role or a unit leader without a unit (``field`` names which), Conflict when the
    address has one already. Only a unit leader keeps units."""
    require_manager(actor)
    problems = account_problems(email, password, role, units)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidInput(
            "; ".join(problem.message for problem in problems),
            problems,
            message_nb=" ".join(problem.message_nb for problem in problems),
        )
    account = users.add_user(db, email, password, role, _units(role, units))
    audit(db, actor.email, "user added", f"{account.email} ({account.role}){_where(account)}")
    return account


def change_role(
    db: Store,
    actor: Account,
    email: str,
    role: str,
    units: Iterable[str] = (),
) -> Account:
    """Give an account another role (and a unit leader other units). It applies from the
    account's next request; its sessions go on. InvalidInput as for ``add_account``,
    NotFound for an unknown address, LastAdmin (a Conflict) when it would demote the only
    enabled admin. Audited only when something changed."""
    require_manager(actor)
    wrong = _role_problem(role)
    if wrong is not None:
        raise wrong
    before, after = users.set_role(db, email, role, _units(role, units))
    if (before.role, before.units) != (after.role, after.units):
        audit(
            db,
            actor.email,
            "role changed",
            f"{after.email}: {before.role}{_where(before)} -> {after.role}{_where(after)}",
        )
    return after


def disable_account(
    db: Store, actor: Account, email: str, *, now: datetime | None = None
) -> Account:
    """Disable an account (someone left, a password may be known to others): it cannot sign
    in any more, and every session it has ends at once. NotFound for an unknown address,
    LastAdmin (a Conflict) for the only enabled admin."""
    require_manager(actor)
    account, ended = users.disable_user(db, email, now or _now())
    audit(db, actor.email, "user disabled", f"{account.email}: {_sessions(ended)} ended")
    return account


def enable_account(db: Store, actor: Account, email: str) -> Account:
    """Let a disabled account sign in again, with the password it had (set a new one too if
    the old may be known to others). NotFound for an unknown address."""
    require_manager(actor)
    account = users.enable_user(db, email)
    audit(db, actor.email, "user enabled", account.email)
    return account


def change_password(db: Store, actor: Account, email: str, password: str) -> Account:
    """A new password for an account; every session signed in with the old one ends.
    InvalidInput for a short password, NotFound for an unknown address."""
    require_manager(actor)
    account, ended = users.set_password(db, email, password)
    audit(db, actor.email, "password changed", f"{account.email}: {_sessions(ended)} ended")
    return account


def _sessions(count: int) -> str:
    return f"{count} session" + ("" if count == 1 else "s")


def sign_in(
    db: Store,
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
    db: Store,
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


def sign_out(db: Store, session_id: str) -> None:
    """End the session on the server, so a copy of its cookie opens nothing afterwards."""
    account_id = sessions.end_session(db, session_id)
    account = users.get_account(db, account_id) if account_id is not None else None
    if account is not None:
        audit(db, account.email, "signed out")
