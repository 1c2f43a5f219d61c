"""Secretariat accounts: adding one."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from survey.accounts import Account
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
    account = users.add_user(db, email, password, role, units)
    where = f" for {', '.join(account.units)}" if account.units else ""
    audit(db, actor.email, "user added", f"{account.email} ({account.role}){where}")
    return account
