"""Double entry's storage: which rounds have it, and the keyings not yet a response.

A keying is kept until its form is settled (a second keying agreed, or the differences
were resolved) and then deleted: the response stored by the import's store is what counts,
and migration ``0016_double_entry`` says why keyings sit apart from ``responses``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from survey.records import Keying
from survey.storage.store import Store

_COLUMNS = "id, round_id, invitation_id, typed, keyed_by, keyed_at"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def double_entry(db: Store, round_id: int) -> bool:
    row = db.execute("SELECT 1 FROM double_entry_rounds WHERE round_id = ?", [round_id])
    return row.fetchone() is not None


def set_double_entry(db: Store, round_id: int, on: bool, account: str) -> None:
    with db.writing():
        if on:
            db.execute(
                "INSERT INTO double_entry_rounds (round_id, turned_on_by, turned_on_at) "
                "VALUES (?, ?, ?) ON CONFLICT (round_id) DO NOTHING",
                [round_id, account, _now()],
            )
        else:
            db.execute("DELETE FROM double_entry_rounds WHERE round_id = ?", [round_id])


def _keying(row: tuple) -> Keying:
    id_, round_id, invitation_id, typed, keyed_by, keyed_at = row
    return Keying(id_, round_id, invitation_id, json.loads(typed), keyed_by, keyed_at)


def keyings_of(db: Store, invitation_id: int) -> list[Keying]:
    """The invitation's keyings waiting, oldest first (one: a second keying is due; two:
    they differ and wait to be resolved)."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM paper_keyings WHERE invitation_id = ? ORDER BY id",
        [invitation_id],
    )
    return [_keying(row) for row in rows.fetchall()]


def keying(db: Store, round_id: int, keying_id: int) -> Keying | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM paper_keyings WHERE id = ? AND round_id = ?",
        [keying_id, round_id],
    ).fetchone()
    return _keying(row) if row else None


def add_keying(
    db: Store,
    round_id: int,
    invitation_id: int,
    typed: Mapping[str, str],
    account: str,
    *,
    after: int,
) -> int | None:
    """Hold a keying as the invitation's keying number ``after`` + 1, unless it no longer
    has ``after`` keyings (another tab or person got there first): then None. One
    transaction, so two people saving the same form at once never make three keyings."""
    with db.writing():
        (held,) = db.execute(
            "SELECT count(*) FROM paper_keyings WHERE invitation_id = ?", [invitation_id]
        ).fetchone()
        if held != after:
            return None
        (keying_id,) = db.execute(
            "INSERT INTO paper_keyings (round_id, invitation_id, typed, keyed_by, keyed_at) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id",
            [round_id, invitation_id, json.dumps(dict(typed), ensure_ascii=False), account,
             _now()],
        ).fetchone()  # fmt: skip
        return int(keying_id)


def settle(db: Store, invitation_id: int) -> None:
    """The form is a response now: its keyings go."""
    with db.writing():
        db.execute("DELETE FROM paper_keyings WHERE invitation_id = ?", [invitation_id])


def waiting(db: Store, round_id: int) -> list[tuple[int, int, int]]:
    """Forms of the round with keyings waiting: (first keying's id, the form's return code
    number, how many keyings: 1 awaits a second, 2 awaits resolving), in the order they
    were first keyed."""
    rows = db.execute(
        "SELECT min(k.id), r.number, count(*) FROM paper_keyings AS k "
        "JOIN return_codes AS r ON r.invitation_id = k.invitation_id "
        "WHERE k.round_id = ? GROUP BY k.invitation_id, r.number ORDER BY min(k.id)",
        [round_id],
    )
    return [(int(a), int(b), int(c)) for a, b, c in rows.fetchall()]
