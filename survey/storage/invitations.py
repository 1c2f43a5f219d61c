"""Invitations: one person, one token, one round. All or nothing per list."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from survey.errors import Conflict
from survey.records import Invitation, Person, Round
from survey.storage import rounds
from survey.storage.rounds import get_round
from survey.storage.store import Store
from survey.tokens import new_token


def invitation_from_row(row: tuple) -> Invitation:
    """An invitation from its columns (id, round_id, token, name, email, role, unit,
    attributes), in that order."""
    id_, round_id, token, name, email, role, unit, attributes = row
    return Invitation(id_, round_id, token, name, email, role, unit, json.loads(attributes))


def invited_emails(db: Store, round_id: int) -> set[str]:
    rows = db.execute("SELECT email FROM invitations WHERE round_id = ?", [round_id])
    return {row[0] for row in rows}


def add_invitations(db: Store, round_id: int, people: Iterable[Person]) -> list[Invitation]:
    """Store every person or, if any cannot be stored, none of them."""
    round_ = get_round(db, round_id)
    if round_.anonymous:
        raise Conflict(f"round {round_id} is anonymous: it has one open link, no invitations")
    people = list(people)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with db.writing():
        taken = invited_emails(db, round_id)
        clashes = [p.email for p in people if p.email in taken]
        if clashes:  # invited by someone else since the list was checked
            raise Conflict(
                f"already invited in round {round_id} while the list was being read: "
                + ", ".join(clashes)
            )
        rows = [
            (
                round_id,
                new_token(),
                p.name,
                p.email,
                p.role,
                p.unit,
                json.dumps(dict(p.attributes), ensure_ascii=False),
                now,
            )
            for p in people
        ]
        db.executemany(
            "INSERT INTO invitations (round_id, token, name, email, role, unit, attributes, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return list_invitations(db, round_id)


@dataclass(frozen=True)
class PersonalLink:
    """Where a personal link leads: its invitation, the invitation's round and the hash of
    the round's questionnaire text (``questionnaire_of_version`` caches models by it)."""

    invitation: Invitation
    round: Round
    questionnaire_sha: str


def personal_link(db: Store, token: str) -> PersonalLink | None:
    """What a personal link carries, or None; the caller compares the token in constant
    time (``tokens.same_token``) before trusting the match. One query, not three: every
    request of every respondent asks for all of it, and on PostgreSQL each query is a
    round trip."""
    row = db.execute(
        "SELECT i.id, i.round_id, i.token, i.name, i.email, i.role, i.unit, i.attributes, "
        f"{rounds.columns('r')}, v.sha256 FROM invitations i "
        "JOIN rounds r ON r.id = i.round_id "
        "JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id "
        "WHERE i.token = ?",
        [token],
    ).fetchone()
    if row is None:
        return None
    return PersonalLink(invitation_from_row(row[:8]), rounds.round_from_row(row[8:-1]), row[-1])


def list_invitations(db: Store, round_id: int) -> list[Invitation]:
    rows = db.execute(
        "SELECT id, round_id, token, name, email, role, unit, attributes FROM invitations "
        "WHERE round_id = ? ORDER BY id",
        [round_id],
    )
    return [invitation_from_row(row) for row in rows]
