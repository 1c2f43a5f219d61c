"""Rounds: one run of a questionnaire version, with its confidentiality threshold."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from survey.errors import NotFound
from survey.records import Round
from survey.storage.questionnaires import latest_version
from survey.storage.store import Store
from survey.tokens import new_token

DEFAULT_MIN_GROUP_SIZE = 5


_COLUMNS = (
    "id, name, questionnaire_version_id, anonymous, min_group_size, closes_on, closed_at, "
    "open_token, allow_changes, created_at"
)


def columns(alias: str) -> str:
    """The columns ``round_from_row`` reads, for a query joining rounds as ``alias``."""
    return ", ".join(f"{alias}.{name.strip()}" for name in _COLUMNS.split(","))


def round_from_row(row: Sequence[Any]) -> Round:
    values = list(row)
    values[3] = bool(values[3])
    values[8] = bool(values[8])
    return Round(*values)


def create_round(
    db: Store,
    questionnaire_id: str,
    name: str,
    *,
    anonymous: bool = False,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    closes_on: date | None = None,
    allow_changes: bool = True,
    open_link: bool | None = None,
) -> Round:
    """Store a round; the rules on its settings are checked by ``operations.rounds``. An
    anonymous round has an open link unless ``open_link`` is False (it then takes one-time
    codes); ``operations.rounds`` makes codes the default."""
    version = latest_version(db, questionnaire_id)
    with db.writing():
        (new_id,) = db.execute(
            "INSERT INTO rounds (name, questionnaire_version_id, anonymous, min_group_size, "
            "closes_on, open_token, allow_changes, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                name.strip(),
                version.id,
                int(anonymous),
                min_group_size,
                closes_on.isoformat() if closes_on else None,
                new_token() if anonymous and open_link is not False else None,
                int(allow_changes),
                datetime.now(UTC).isoformat(timespec="seconds"),
            ],
        ).fetchone()
    return get_round(db, new_id)


def get_round(db: Store, round_id: int) -> Round:
    row = db.execute(f"SELECT {_COLUMNS} FROM rounds WHERE id = ?", [round_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no round {round_id}; 'survey round list' shows them")
    return round_from_row(row)


def round_by_open_token(db: Store, token: str) -> Round | None:
    """The anonymous round an open link carries, or None (compare the token in constant
    time before trusting the match)."""
    row = db.execute(f"SELECT {_COLUMNS} FROM rounds WHERE open_token = ?", [token]).fetchone()
    return round_from_row(row) if row else None


def list_rounds(db: Store) -> list[Round]:
    return [round_from_row(r) for r in db.execute(f"SELECT {_COLUMNS} FROM rounds ORDER BY id")]


def declared_breakdowns(db: Store, round_id: int) -> list[tuple[str, ...]] | None:
    """The breakdowns declared for the round, or None if none were ever declared."""
    row = db.execute("SELECT breakdowns FROM rounds WHERE id = ?", [round_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no round {round_id}; 'survey round list' shows them")
    return None if row[0] is None else [tuple(names) for names in json.loads(row[0])]


def declare_breakdowns(db: Store, round_id: int, breakdowns: list[tuple[str, ...]]) -> None:
    with db.writing():
        db.execute(
            "UPDATE rounds SET breakdowns = ? WHERE id = ?",
            [json.dumps([list(names) for names in breakdowns]), round_id],
        )


def close_round(db: Store, round_id: int, *, reopen: bool = False) -> Round:
    get_round(db, round_id)
    closed_at = None if reopen else datetime.now(UTC).isoformat(timespec="seconds")
    with db.writing():
        db.execute("UPDATE rounds SET closed_at = ? WHERE id = ?", [closed_at, round_id])
    return get_round(db, round_id)


def change_round(
    db: Store,
    round_id: int,
    *,
    name: str,
    closes_on: date | None,
    min_group_size: int,
) -> Round:
    """Store the round's settings (checked by ``operations.rounds.change_settings``)."""
    get_round(db, round_id)
    with db.writing():
        db.execute(
            "UPDATE rounds SET name = ?, closes_on = ?, min_group_size = ? WHERE id = ?",
            [name, closes_on.isoformat() if closes_on else None, min_group_size, round_id],
        )
    return get_round(db, round_id)
