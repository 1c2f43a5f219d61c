"""Rounds: creating one, changing its settings, closing it and opening it again.

The minimum group size is the round's confidentiality promise, so its range is one rule:
below 3 a published mean of a group can hardly protect anyone (with 2 respondents each knows
the other's answer from the mean and their own), and above 100 almost every breakdown would
be hidden. The web offered 3–100 while the CLI and storage took any number from 1.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from survey.accounts import Account
from survey.dates import norwegian_date
from survey.errors import Conflict, InvalidInput
from survey.operations.access import require_manager
from survey.storage import rounds
from survey.storage.releases import list_releases
from survey.storage.rounds import DEFAULT_MIN_GROUP_SIZE, Round
from survey.storage.store import Store
from survey.storage.users import audit

MIN_GROUP_SIZE_RANGE = (3, 100)
MAX_NAME_LENGTH = 200
MAX_REASON_LENGTH = 500


def _today() -> date:
    return datetime.now(UTC).date()  # the day Round.is_open compares the closing date with


def check_closing_date(closes_on: date | None) -> date | None:
    """A closing date in the past would make a round that is born closed (or closes the
    moment it is saved): a typo, never an intention. Closing now is ``close_round``."""
    if closes_on is not None and closes_on < _today():
        raise InvalidInput(
            f"the closing date {closes_on.isoformat()} has passed",
            message_nb=(
                f"Siste svardag kan ikke være før i dag ({norwegian_date(_today())}). "
                f"Du skrev {norwegian_date(closes_on)}."
            ),
            field="closes_on",
        )
    return closes_on


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"a round needs a name of 1 to {MAX_NAME_LENGTH} characters",
            message_nb=f"Gi runden et navn på høyst {MAX_NAME_LENGTH} tegn.",
            field="name",
        )
    return name


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
    db: Store,
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
    name = check_name(name)
    check_closing_date(closes_on)
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


def change_settings(
    db: Store,
    actor: Account,
    round_id: int,
    *,
    name: str,
    closes_on: date | None,
    min_group_size: int,
) -> Round:
    """Change the round's name, closing date and minimum group size, while that is safe.

    The name can always change. The closing date can move to any day from today on: a
    round born closed by a typo opens again (unless someone closed it by hand, which only
    "open again" undoes), and an open round can be given more days. The minimum group size
    can be raised at any time (more is hidden, nothing more is shown), but lowered only
    while nothing of the round has been released: a figure hidden at 5 and shown at 3
    would tell a group of 3 or 4 what the earlier release withheld."""
    require_manager(actor)
    before = rounds.get_round(db, round_id)
    name = check_name(name)
    check_min_group_size(min_group_size)
    if closes_on is not None and closes_on.isoformat() != before.closes_on:
        check_closing_date(closes_on)
    if min_group_size < before.min_group_size and list_releases(db, round_id, limit=1):
        raise InvalidInput(
            f"round {round_id} has released figures: its minimum group size can only be raised",
            message_nb=(
                "Tall fra runden er alt vist eller lastet ned, så minste gruppestørrelse kan "
                f"bare økes (nå {before.min_group_size}): med en lavere grense kunne nye tall "
                "vise hva de tidligere holdt skjult."
            ),
            field="min_group_size",
        )
    after = rounds.change_round(
        db, round_id, name=name, closes_on=closes_on, min_group_size=min_group_size
    )
    changes = [
        f"{label} {old!r} -> {new!r}"
        for label, old, new in (
            ("name", before.name, after.name),
            ("closes on", before.closes_on, after.closes_on),
            ("minimum group size", before.min_group_size, after.min_group_size),
        )
        if old != new
    ]
    if changes:
        audit(db, actor.email, "round settings changed", f"round {round_id}: " + "; ".join(changes))
    return after


def close_round(db: Store, actor: Account, round_id: int, reason: str = "") -> Round:
    """Stop answering now, whatever the closing date says."""
    return _set_closed(db, actor, round_id, reason, reopen=False)


def reopen_round(db: Store, actor: Account, round_id: int, reason: str = "") -> Round:
    """Let answering go on after a close (the closing date still applies)."""
    return _set_closed(db, actor, round_id, reason, reopen=True)


def _set_closed(db: Store, actor: Account, round_id: int, reason: str, *, reopen: bool) -> Round:
    require_manager(actor)
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(
            f"the reason is over {MAX_REASON_LENGTH} characters",
            message_nb=f"Begrunnelsen kan være høyst {MAX_REASON_LENGTH} tegn.",
        )
    if reopen:
        round_ = rounds.get_round(db, round_id)
        if round_.closes_on is not None and date.fromisoformat(round_.closes_on) < _today():
            raise Conflict(
                f"round {round_id} closed on {round_.closes_on}: change its closing date",
                message_nb=(
                    f"Siste svardag ({norwegian_date(date.fromisoformat(round_.closes_on))}) "
                    "er passert, så runden ville vært lukket likevel. Sett en ny siste svardag "
                    "i rundens innstillinger."
                ),
            )
    round_ = rounds.close_round(db, round_id, reopen=reopen)
    detail = f"round {round_id}" + (f": {reason}" if reason else "")
    audit(db, actor.email, "round reopened" if reopen else "round closed", detail)
    return round_
