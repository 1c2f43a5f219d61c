"""Rounds: creating one, closing it and opening it again.

The minimum group size is the round's confidentiality promise, so its range is one rule:
below 3 a published mean of a group can hardly protect anyone (with 2 respondents each knows
the other's answer from the mean and their own), and above 100 almost every breakdown would
be hidden. The web offered 3–100 while the CLI and storage took any number from 1.
"""

from __future__ import annotations

from datetime import date

import sqlite_utils

from survey.accounts import Account
from survey.errors import InvalidInput
from survey.operations.access import require_manager
from survey.storage import rounds
from survey.storage.rounds import DEFAULT_MIN_GROUP_SIZE, Round
from survey.storage.users import audit

MIN_GROUP_SIZE_RANGE = (3, 100)
MAX_NAME_LENGTH = 200
MAX_REASON_LENGTH = 500


def check_min_group_size(size: int) -> int:
    low, high = MIN_GROUP_SIZE_RANGE
    if not low <= size <= high:
        raise InvalidInput(
            f"the minimum group size must be from {low} to {high}, not {size}",
            message_nb=f"Minste gruppestørrelse må være et tall fra {low} til {high}.",
            field="min_group_size",
        )
    return size


def create_round(
    db: sqlite_utils.Database,
    actor: Account,
    questionnaire_id: str,
    name: str,
    *,
    anonymous: bool = False,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    closes_on: date | None = None,
    open_link: bool = False,
) -> Round:
    """A new round of the questionnaire's latest published version (NotFound if none).

    An anonymous round takes one-time codes (``operations.access_codes``) unless
    ``open_link`` asks for one link for everyone: anyone with that link can answer as
    often as they like, and a few made-up answers lift a small group over the minimum,
    after which subtracting them gives the real ones. Codes answer once each."""
    require_manager(actor)
    check_min_group_size(min_group_size)
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"a round needs a name of 1 to {MAX_NAME_LENGTH} characters",
            message_nb=f"Gi runden et navn på høyst {MAX_NAME_LENGTH} tegn.",
            field="name",
        )
    round_ = rounds.create_round(
        db,
        questionnaire_id,
        name,
        anonymous=anonymous,
        min_group_size=min_group_size,
        closes_on=closes_on,
        open_link=anonymous and open_link,
    )
    kind = (
        "" if not anonymous else " (anonymous, open link)" if open_link else " (anonymous, codes)"
    )
    audit(db, actor.email, "round created", f"round {round_.id}: {round_.name}{kind}")
    return round_


def close_round(
    db: sqlite_utils.Database, actor: Account, round_id: int, reason: str = ""
) -> Round:
    """Stop answering now, whatever the closing date says."""
    return _set_closed(db, actor, round_id, reason, reopen=False)


def reopen_round(
    db: sqlite_utils.Database, actor: Account, round_id: int, reason: str = ""
) -> Round:
    """Let answering go on after a close (the closing date still applies)."""
    return _set_closed(db, actor, round_id, reason, reopen=True)


def _set_closed(
    db: sqlite_utils.Database, actor: Account, round_id: int, reason: str, *, reopen: bool
) -> Round:
    require_manager(actor)
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(
            f"the reason is over {MAX_REASON_LENGTH} characters",
            message_nb=f"Begrunnelsen kan være høyst {MAX_REASON_LENGTH} tegn.",
        )
    round_ = rounds.close_round(db, round_id, reopen=reopen)
    detail = f"round {round_id}" + (f": {reason}" if reason else "")
    audit(db, actor.email, "round reopened" if reopen else "round closed", detail)
    return round_
