"""Who may do what, asked in one way by every operation."""

from __future__ import annotations

from survey.accounts import Account
from survey.errors import Forbidden


def require_manager(actor: Account) -> None:
    """Running rounds (publish, invite, mail, close, export raw responses): admins only."""
    if not actor.may_manage():
        raise Forbidden(f"{actor.email} ({actor.role}) may not run rounds; an admin may")


def require_results(actor: Account, unit: str | None) -> None:
    """Results: admins and analysts for every unit, a unit leader for their own units."""
    if not actor.may_read_results(unit):
        where = f"unit {unit!r}" if unit else "the whole round"
        raise Forbidden(f"{actor.email} ({actor.role}) may not read the results of {where}")


def require_follow_up(actor: Account, unit: str) -> None:
    """Measures are the unit's own business: its leader's, or an admin's."""
    if not actor.may_follow_up(unit):
        raise Forbidden(f"{actor.email} ({actor.role}) may not record measures for {unit!r}")
