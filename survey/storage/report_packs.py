"""Report packs as stored: a pack of a round, its reports, and the state of each one's job.

A pack and its first job are written in one transaction, after looking for a pack of the
round whose jobs still run: two admins ordering at the same moment get one pack, not two.
Every report starts out with the pack's own job (the one deciding its reports) and then
follows its PDF's job (``follow_job``). The progress of a pack is one read of its entries
joined with the jobs' rows (a report that is already in the cache, or whose job was
purged, has no job row: ``state`` is None).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from survey.storage.db import stamp
from survey.storage.jobs import insert_queued
from survey.storage.store import Store

_UNDER_WAY = "('queued', 'running')"


@dataclass(frozen=True)
class Pack:
    id: int
    round_id: int
    ordered_by: str
    ordered_at: str


@dataclass(frozen=True)
class PackEntry:
    """One report of a pack and how far its job is (None: no job row)."""

    position: int
    unit: str | None  # None: the overall report
    by: tuple[str, ...]
    job_key: str
    state: str | None
    attempts: int
    progress_done: int
    progress_total: int
    result: str | None  # the file name a done job wrote
    error: str | None


@dataclass(frozen=True)
class Planned:
    """A report to put in a new pack: its unit (None: the overall report) and breakdown."""

    unit: str | None
    by: tuple[str, ...]


def order_pack(
    db: Store,
    round_id: int,
    ordered_by: str,
    planned: Sequence[Planned],
    kind: str,
    payload: Mapping[str, Any],
    *,
    max_attempts: int,
    now: datetime | None = None,
) -> tuple[Pack, bool]:
    """A new pack of ``planned`` and its queued job (key ``<kind>:pakke-<pack>``, its
    ``payload`` with the pack's id as ``pack``), which every report follows first, unless a
    pack of the round has jobs under way: then that one. Returns the pack and whether it
    is new."""
    moment = stamp(now or datetime.now(UTC))
    with db.writing():
        row = db.execute(
            "SELECT p.id, p.round_id, p.ordered_by, p.ordered_at FROM report_packs p "
            "WHERE p.round_id = ? AND EXISTS (SELECT 1 FROM report_pack_entries e "
            f"JOIN jobs j ON j.job_key = e.job_key WHERE e.pack_id = p.id AND j.state IN "
            f"{_UNDER_WAY}) ORDER BY p.id DESC LIMIT 1",
            [round_id],
        ).fetchone()
        if row is not None:
            return Pack(*row), False
        (pack_id,) = db.execute(
            "INSERT INTO report_packs (round_id, ordered_by, ordered_at) VALUES (?, ?, ?) "
            "RETURNING id",
            [round_id, ordered_by, moment],
        ).fetchone()
        key = f"{kind}:pakke-{pack_id}"
        insert_queued(
            db, kind, key, {**payload, "pack": pack_id}, max_attempts=max_attempts, moment=moment
        )
        for position, report in enumerate(planned):
            db.execute(
                "INSERT INTO report_pack_entries (pack_id, position, unit, breakdown, job_key) "
                "VALUES (?, ?, ?, ?, ?)",
                [pack_id, position, report.unit, ",".join(report.by), key],
            )
    return Pack(pack_id, round_id, ordered_by, moment), True


def latest_pack(db: Store, round_id: int) -> Pack | None:
    row = db.execute(
        "SELECT id, round_id, ordered_by, ordered_at FROM report_packs WHERE round_id = ? "
        "ORDER BY id DESC LIMIT 1",
        [round_id],
    ).fetchone()
    return Pack(*row) if row else None


def get_pack(db: Store, pack_id: int) -> Pack | None:
    row = db.execute(
        "SELECT id, round_id, ordered_by, ordered_at FROM report_packs WHERE id = ?", [pack_id]
    ).fetchone()
    return Pack(*row) if row else None


def pack_entries(db: Store, pack_id: int) -> list[PackEntry]:
    """The pack's reports in its order, each with its job's state: one query."""
    rows = db.execute(
        "SELECT e.position, e.unit, e.breakdown, e.job_key, j.state, "
        "coalesce(j.attempts, 0), coalesce(j.progress_done, 0), coalesce(j.progress_total, 0), "
        "j.result, j.error FROM report_pack_entries e LEFT JOIN jobs j ON j.job_key = e.job_key "
        "WHERE e.pack_id = ? ORDER BY e.position",
        [pack_id],
    ).fetchall()
    return [
        PackEntry(row[0], row[1], tuple(b for b in row[2].split(",") if b), *row[3:])
        for row in rows
    ]


def follow_job(db: Store, pack_id: int, position: int, job_key: str) -> None:
    """The report at ``position`` is now made by the job ``job_key`` (made again)."""
    with db.writing():
        db.execute(
            "UPDATE report_pack_entries SET job_key = ? WHERE pack_id = ? AND position = ?",
            [job_key, pack_id, position],
        )
