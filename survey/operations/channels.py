"""One person, one response: the secretariat chooses between a person's web answers and
their returned paper form (or imported row) when both came in. Nothing is overwritten
before that; the choice is the admin's, audited, and the one not chosen is kept."""

from __future__ import annotations

from survey.accounts import Account
from survey.errors import InvalidInput
from survey.operations.access import require_manager
from survey.storage import channels
from survey.storage.channels import ChannelConflict
from survey.storage.rounds import get_round
from survey.storage.store import Store
from survey.storage.users import audit

CHOICES = ("counted", "held")
"""``counted``: the response that counts now stays; ``held``: the held one replaces it."""


def conflicts(db: Store, actor: Account, round_id: int) -> list[ChannelConflict]:
    """The round's people with two responses by two channels, waiting for a choice."""
    require_manager(actor)
    get_round(db, round_id)
    return channels.open_conflicts(db, round_id)


def conflict(db: Store, actor: Account, round_id: int, conflict_id: int) -> ChannelConflict:
    require_manager(actor)
    return channels.conflict(db, round_id, conflict_id)


def choose_response(db: Store, actor: Account, round_id: int, conflict_id: int, keep: str) -> str:
    """Decide one conflict (``keep`` one of CHOICES); returns the channel that counts now."""
    require_manager(actor)
    if keep not in CHOICES:
        raise InvalidInput(
            f"choose one of {', '.join(CHOICES)}, not {keep!r}",
            message_nb="Velg hvilket svar som skal gjelde.",
        )
    get_round(db, round_id)
    counts = channels.choose(db, round_id, conflict_id, keep, actor.email)
    audit(
        db,
        actor.email,
        "response chosen",
        f"round {round_id}, conflict {conflict_id}: the {counts} response counts",
    )
    return counts


def set_aside_counts(db: Store, actor: Account, round_id: int) -> dict[str, int]:
    """Per answer id, how many counted responses hold an answer kept aside (answered
    although the form said to skip it): the secretariat's to see, never a figure."""
    require_manager(actor)
    get_round(db, round_id)
    return channels.set_aside_counts(db, round_id)
