"""Invitations: one person, one token, one round. All or nothing per list."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from survey.errors import Conflict
from survey.invitations import InvitationListError, Person, RowProblem
from survey.storage.rounds import get_round
from survey.tokens import new_token


@dataclass(frozen=True)
class Invitation:
    id: int
    round_id: int
    token: str
    name: str
    email: str
    role: str
    unit: str
    attributes: dict[str, str]


def invited_emails(db: sqlite_utils.Database, round_id: int) -> set[str]:
    rows = db.execute("SELECT email FROM invitations WHERE round_id = ?", [round_id])
    return {row[0] for row in rows}


def add_invitations(
    db: sqlite_utils.Database, round_id: int, people: Iterable[Person]
) -> list[Invitation]:
    """Store every person or, if any cannot be stored, none of them."""
    round_ = get_round(db, round_id)
    if round_.anonymous:
        raise Conflict(f"round {round_id} is anonymous: it has one open link, no invitations")
    people = list(people)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with db.conn:
        db.execute("BEGIN IMMEDIATE")
        taken = invited_emails(db, round_id)
        clashes = [
            RowProblem(i + 2, "email", f"'{p.email}' is already invited in this round")
            for i, p in enumerate(people)
            if p.email in taken
        ]
        if clashes:
            raise InvitationListError(clashes)
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
        db.conn.executemany(
            "INSERT INTO invitations (round_id, token, name, email, role, unit, attributes, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return list_invitations(db, round_id)


def list_invitations(db: sqlite_utils.Database, round_id: int) -> list[Invitation]:
    rows = db.execute(
        "SELECT id, round_id, token, name, email, role, unit, attributes FROM invitations "
        "WHERE round_id = ? ORDER BY id",
        [round_id],
    )
    return [Invitation(*row[:7], json.loads(row[7])) for row in rows]
