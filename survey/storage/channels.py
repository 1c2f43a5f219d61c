"""One person, one response, whichever way it came in: the forms held beside a response.

A returned paper form (or a row of an imported file) for someone who has answered on the
web, or web answers from someone whose paper form already counts, is kept in
``held_responses`` (migration ``0012_response_channel`` says why there). The response in
``responses`` is the one that counts until the secretariat chooses; choosing the held one
swaps the two, so the one not chosen stays in the held row and nothing is lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from survey.errors import Conflict, NotFound
from survey.storage.store import Store

CONFLICT = "chosen IS NULL AND (h.channel != 'web' OR h.submitted = 1)"
"""A held form the secretariat must choose on: a returned form, or web answers sent in
(web answers still being given are the respondent's work in progress, not a choice yet)."""


@dataclass(frozen=True)
class ChannelConflict:
    """One person's two responses, by two channels, waiting for the secretariat."""

    id: int  # the held row's
    round_id: int
    name: str
    email: str
    held_channel: str  # how the held one came in
    held_on: str  # the day it arrived (sent in, for web answers)
    counted_channel: str  # how the response that counts now came in
    counted_submitted: bool  # whether that one was sent in (a web one may be half done)


def open_conflicts(db: Store, round_id: int) -> list[ChannelConflict]:
    rows = db.execute(
        "SELECT h.id, h.round_id, i.name, i.email, h.channel, h.arrived_on, r.channel, "
        "r.submitted FROM held_responses h JOIN invitations i ON i.id = h.invitation_id "
        "JOIN responses r ON r.invitation_id = h.invitation_id "
        f"WHERE h.round_id = ? AND {CONFLICT} ORDER BY h.id",
        [round_id],
    ).fetchall()
    return [
        ChannelConflict(held, round_, name, email, channel, on, counted, bool(submitted))
        for held, round_, name, email, channel, on, counted, submitted in rows
    ]


def conflict(db: Store, round_id: int, conflict_id: int) -> ChannelConflict:
    found = [c for c in open_conflicts(db, round_id) if c.id == conflict_id]
    if not found:
        raise NotFound(
            f"round {round_id} has no open conflict {conflict_id}",
            message_nb="Fant ikke dette valget. Kanskje noen andre har valgt allerede.",
        )
    return found[0]


_RESPONSE = "channel, role, unit, attributes, set_aside, page, submitted"


def choose(db: Store, round_id: int, conflict_id: int, keep: str, account: str) -> str:
    """Decide a conflict: ``keep`` is ``counted`` (the response that counts stays, the held
    one is kept as not chosen) or ``held`` (the held one becomes the response, and the one
    that counted is kept in its place). Returns the channel that counts now. One
    transaction; a conflict already decided (another tab) is Conflict."""
    assert keep in ("counted", "held")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with db.writing():
        held = db.execute(
            f"SELECT h.invitation_id, h.{_RESPONSE.replace(', ', ', h.')}, h.answers "
            f"FROM held_responses h WHERE h.id = ? AND h.round_id = ? AND {CONFLICT}",
            [conflict_id, round_id],
        ).fetchone()
        if held is None:
            raise Conflict(
                f"conflict {conflict_id} of round {round_id} is decided already",
                message_nb="Dette er allerede avgjort.",
            )
        invitation_id, channel, *fields, answers = held
        (response_id, *counted) = db.execute(
            f"SELECT id, {_RESPONSE} FROM responses WHERE invitation_id = ?", [invitation_id]
        ).fetchone()
        if keep == "held":
            counted_answers = db.execute(
                "SELECT item, code, number, text FROM answers WHERE response_id = ?",
                [response_id],
            ).fetchall()
            db.execute(
                f"UPDATE held_responses SET ({_RESPONSE}, answers) = (?, ?, ?, ?, ?, ?, ?, ?) "
                "WHERE id = ?",
                [*counted, json.dumps([list(r) for r in counted_answers]), conflict_id],
            )
            role, unit, attributes, set_aside, page, _ = fields
            db.execute(
                "UPDATE responses SET channel = ?, role = ?, unit = ?, attributes = ?, "
                "set_aside = ?, page = ?, submitted = 1, revision = revision + 1, "
                "submitted_on = coalesce(submitted_on, ?) WHERE id = ?",
                [channel, role, unit, attributes, set_aside, page, now[:10], response_id],
            )
            db.execute("DELETE FROM answers WHERE response_id = ?", [response_id])
            db.executemany(
                "INSERT INTO answers (response_id, item, code, number, text) "
                "VALUES (?, ?, ?, ?, ?)",
                [(response_id, *row) for row in json.loads(answers)],
            )
            channel_now = channel
        else:
            channel_now = counted[0]
        db.execute(
            "UPDATE held_responses SET chosen = ?, chosen_by = ?, chosen_at = ? WHERE id = ?",
            [keep, account, now, conflict_id],
        )
    return str(channel_now)


def set_aside_counts(db: Store, round_id: int) -> dict[str, int]:
    """How many responses of the round that count hold an answer kept aside, by item."""
    counts: dict[str, int] = {}
    rows = db.execute(
        "SELECT set_aside FROM responses WHERE round_id = ? AND submitted = 1 "
        "AND set_aside != '[]'",
        [round_id],
    )
    for (text,) in rows:
        for item in sorted({row[0] for row in json.loads(text)}):
            counts[item] = counts.get(item, 0) + 1
    return counts


def paper_form_typed(db: Store, invitation_id: int) -> bool:
    """Whether a paper form of this invitation has been stored already (counted or held)."""
    return bool(
        db.execute(
            "SELECT EXISTS (SELECT 1 FROM responses WHERE invitation_id = ? AND channel = 'paper') "
            "OR EXISTS (SELECT 1 FROM held_responses WHERE invitation_id = ? "
            "AND channel = 'paper' AND chosen IS NULL)",
            [invitation_id, invitation_id],
        ).fetchone()[0]
    )


def paper_forms(db: Store, round_id: int) -> int:
    """How many paper forms of a round are stored: counted, or held for a choice."""
    return int(
        db.execute(
            "SELECT (SELECT count(*) FROM responses WHERE round_id = ? AND channel = 'paper') "
            "+ (SELECT count(*) FROM held_responses WHERE round_id = ? AND channel = 'paper' "
            "AND chosen IS NULL)",
            [round_id, round_id],
        ).fetchone()[0]
    )
