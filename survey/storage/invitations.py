"""Invitations: one person, one token, one round. All or nothing per list."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime

from survey.errors import Conflict
from survey.records import Invitation, Person
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


def invitation_by_token(db: Store, token: str) -> Invitation | None:
    """The invitation a personal link carries, or None; the caller compares the token in
    constant time (``tokens.same_token``) before trusting the match."""
    row = db.execute(
        "SELECT id, round_id, token, name, email, role, unit, attributes FROM invitations "
        "WHERE token = ?",
        [token],
    ).fetchone()
    return invitation_from_row(row) if row else None


def list_invitations(db: Store, round_id: int) -> list[Invitation]:
    rows = db.execute(
        "SELECT id, round_id, token, name, email, role, unit, attributes FROM invitations "
        "WHERE round_id = ? ORDER BY id",
        [round_id],
    )
    return [invitation_from_row(row) for row in rows]
