"""Secretariat accounts: roles, what each may do, and password hashing.

Passwords are hashed with Argon2id (argon2-cffi's defaults follow RFC 9106's recommended
parameters) and re-hashed on sign-in when those defaults are raised. Permissions are decided
here, once, so every route and command asks the same question the same way.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from survey.errors import InvalidInput

ROLES = ("admin", "analyst", "unit-leader")
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    role: str
    units: tuple[str, ...] = ()

    def may_manage(self) -> bool:
        """Publish questionnaires, run rounds, invite, remind, close: admins only."""
        return self.role == "admin"

    def may_open_workspace(self) -> bool:
        """Every role reads some results, so every account may open the workspace."""
        return self.role in ROLES

    def may_follow_up(self, unit: str) -> bool:
        """Measures are the unit's own business: its leader's, or an admin's."""
        return self.may_manage() or (self.role == "unit-leader" and unit in self.units)

    def may_read_results(self, unit: str | None = None) -> bool:
        """Admins and analysts read every result; a unit leader only their own units'."""
        if self.role in ("admin", "analyst"):
            return True
        return self.role == "unit-leader" and unit is not None and unit in self.units


@dataclass(frozen=True)
class AccountEntry:
    """An account as the list of accounts shows it: enabled or not, and when it was last
    used (from the audit log's sign-ins; None when it never signed in)."""

    account: Account
    created_at: str
    disabled_at: str | None = None
    last_sign_in: str | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


def operator() -> Account:
    """Whoever runs the ``survey`` command: they hold the database file, so they may do
    everything an admin may; audit entries name them by their system user."""
    try:
        user = getpass.getuser()
    except OSError:  # no user name in the environment or the password database
        user = "unknown"
    return Account(0, f"cli:{user}", "admin")


class PasswordProblem(InvalidInput, ValueError):
    pass


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, in bokmål for the form that shows it; None if
    nothing. The one policy: the CLI, the web and ``hash_password`` all ask this."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Passordet må ha minst {MIN_PASSWORD_LENGTH} tegn."
    return None


def check_password(password: str) -> None:
    """PasswordProblem (for the ``password`` field) unless the password meets the policy."""
    problem = password_problem(password)
    if problem is not None:
        raise PasswordProblem(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
            message_nb=problem,
            field="password",
        )


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Constant-time by construction (the hash is recomputed whatever the input)."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
