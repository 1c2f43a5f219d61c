"""Measures (tiltak): a unit's follow-up of an index that fell below its target.

Recorded against the round whose results prompted them; the next round of the same
questionnaire shows them beside the change in that index, so the steering group sees what
was done and whether it moved anything.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlite_utils

from survey.errors import InvalidInput
from survey.records import Measure
from survey.storage.db import inserted_id

STATUSES = ("planlagt", "i gang", "gjennomført", "avbrutt")


_COLUMNS = "id, round_id, unit, index_id, what, who, due, status"


def add_measure(
    db: sqlite_utils.Database,
    round_id: int,
    unit: str,
    index_id: str,
    what: str,
    who: str,
    due: date,
    created_by: str,
) -> Measure:
    if not what.strip() or not who.strip():
        raise InvalidInput("a measure needs both what will be done and who is responsible")
    with db.conn:
        cursor = db.execute(
            "INSERT INTO measures (round_id, unit, index_id, what, who, due, created_by, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                round_id,
                unit,
                index_id,
                what.strip(),
                who.strip(),
                due.isoformat(),
                created_by,
                datetime.now(UTC).isoformat(timespec="seconds"),
            ],
        )
    return Measure(
        inserted_id(cursor),
        round_id,
        unit,
        index_id,
        what.strip(),
        who.strip(),
        due.isoformat(),
        "planlagt",
    )


def set_status(db: sqlite_utils.Database, measure_id: int, status: str) -> None:
    if status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    with db.conn:
        db.execute("UPDATE measures SET status = ? WHERE id = ?", [status, measure_id])


def get_measure(db: sqlite_utils.Database, measure_id: int) -> Measure | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM measures WHERE id = ?", [measure_id]).fetchone()
    return Measure(*row) if row else None


def measures_of_round(
    db: sqlite_utils.Database, round_id: int, unit: str | None = None
) -> list[Measure]:
    sql = f"SELECT {_COLUMNS} FROM measures WHERE round_id = ?"
    params: list = [round_id]
    if unit is not None:
        sql += " AND unit = ?"
        params.append(unit)
    return [Measure(*row) for row in db.execute(sql + " ORDER BY unit, index_id, id", params)]
