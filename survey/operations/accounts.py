"""Secretariat accounts: who may read and run surveys is an admin's decision, audited.

An account's address is checked by the same rule as an invitation's (``addresses``): it is
where the person is reached, and a typo here would lock them out without a word."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from survey.accounts import Account
from survey.addresses import email_problem
from survey.errors import InvalidInput
from survey.operations.access import require_manager
from survey.storage import users
from survey.storage.users import audit


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
