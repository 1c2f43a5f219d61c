"""Measures (tiltak): a unit's follow-up of an index that fell below its target.

Recorded against the round whose results prompted them; the next round of the same
questionnaire shows them beside the change in that index, so the steering group sees what
was done and whether it moved anything.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from survey.errors import InvalidInput
from survey.records import Measure
from survey.storage.store import Store

STATUSES = ("planlagt", "i gang", "gjennomført", "avbrutt")


_COLUMNS = "id, round_id, unit, index_id, what, who, due, status"


def add_measure(
    db: Store,
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
    with db.writing():
        (measure_id,) = db.execute(
            "INSERT INTO measures (round_id, unit, index_id, what, who, due, created_by, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
        ).fetchone()
    return Measure(
        measure_id,
        round_id,
        unit,
        index_id,
        what.strip(),
        who.strip(),
        due.isoformat(),
        "planlagt",
    )


def set_status(db: Store, measure_id: int, status: str) -> None:
    if status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    with db.writing():
        db.execute("UPDATE measures SET status = ? WHERE id = ?", [status, measure_id])


def get_measure(db: Store, measure_id: int) -> Measure | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM measures WHERE id = ?", [measure_id]).fetchone()
    return Measure(*row) if row else None


def measures_of_round(db: Store, round_id: int, unit: str | None = None) -> list[Measure]:
    sql = f"SELECT {_COLUMNS} FROM measures WHERE round_id = ?"
    params: list = [round_id]
    if unit is not None:
        sql += " AND unit = ?"
        params.append(unit)
    return [Measure(*row) for row in db.execute(sql + " ORDER BY unit, index_id, id", params)]
