"""The release ledger: what figures of a round left the system, to whom, when."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from survey.scoring.linked import MEAN_ONLY
from survey.storage.snapshots import StaleSnapshot, latest_snapshot_id
from survey.storage.store import Store

Figure = tuple[str, tuple[tuple[str, str], ...], str, float]
"""(measure, group as (dimension, value) pairs, statistic, value)."""


@dataclass(frozen=True)
class LedgerMark:
    """The round's last release when figures were decided (None: none yet)."""

    last: int | None


def ledger_mark(db: Store, round_id: int) -> LedgerMark:
    """Read before the ledger itself: a release after it makes ``record_release`` refuse."""
    return LedgerMark(last_release(db, round_id))


@dataclass(frozen=True)
class Pending:
    """A release not in the ledger yet that is about to be made: a report pack's earlier
    reports, in the order its zip will release them. The ledger's reads below take each
    as made after every release in the ledger, so a report is decided now exactly as it
    will be when its turn comes (``operations.report_packs``)."""

    snapshot_id: int | None
    figures: Sequence[Figure]


def _group(group: Sequence[tuple[str, str]]) -> str:
    """A group as ``released_figures.grp`` holds it."""
    return json.dumps(dict(group), ensure_ascii=False)


def _pending(
    pending: Sequence[Pending], statistics: Sequence[str]
) -> list[tuple[int, int | None, str, str, str, float]]:
    """The figures of ``statistics`` among ``pending`` as the ledger's rows: (release,
    snapshot, measure, group, statistic, value), releases numbered after any in it."""
    return [
        (-1 - n, release.snapshot_id, measure, _group(group), statistic, float(value))
        for n, release in enumerate(pending)
        for measure, group, statistic, value in release.figures
        if statistic in statistics
    ]


def _in_order(rows: set[tuple]) -> list[tuple]:
    """Distinct rows in one order on both stores and with releases pending (a column may be
    None: the snapshot of a release from before snapshots existed; those come first)."""
    return sorted(rows, key=lambda row: tuple((v is not None, v) for v in row))


@dataclass(frozen=True)
class Release:
    id: int
    round_id: int
    released_at: str
    account: str
    channel: str
    breakdown: str
    unit: str | None
    responses: int
    figures: int


def record_release(
    db: Store,
    round_id: int,
    account: str,
    channel: str,
    breakdown: Sequence[str],
    unit: str | None,
    responses: int,
    figures: Sequence[Figure],
    snapshot_id: int | None = None,
    after: LedgerMark | None = None,
) -> int:
    """One release and its figures (from the snapshot ``snapshot_id``), in one
    transaction; returns its id. Raises ``StaleSnapshot`` if that is no longer the round's
    latest snapshot: a newer one was admitted without these figures in the ledger, so they
    must be made again from it; and, given the mark ``after`` the figures were decided
    on, if another release came since: they were audited without it (two reports made at
    the same moment, each safe beside what came before, may not be safe beside each
    other)."""
    released_at = datetime.now(UTC).isoformat(timespec="seconds")
    with db.writing():
        if snapshot_id is not None and latest_snapshot_id(db, round_id) != snapshot_id:
            raise StaleSnapshot(f"snapshot {snapshot_id} is no longer the latest")
        if after is not None and last_release(db, round_id) != after.last:
            raise StaleSnapshot(f"round {round_id} released figures meanwhile")
        (release_id,) = db.execute(
            "INSERT INTO releases (round_id, released_at, account, channel, breakdown, unit, "
            "responses, snapshot_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                round_id,
                released_at,
                account,
                channel,
                ",".join(breakdown),
                unit,
                responses,
                snapshot_id,
            ],
        ).fetchone()
        db.executemany(
            "INSERT INTO released_figures (release_id, position, measure, grp, statistic, value) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (release_id, n, measure, _group(group), stat, value)
                for n, (measure, group, stat, value) in enumerate(figures)
            ],
        )
    return release_id


_COLUMNS = (
    "r.id, r.round_id, r.released_at, r.account, r.channel, r.breakdown, r.unit, r.responses, "
    "(SELECT count(*) FROM released_figures f WHERE f.release_id = r.id)"
)


def list_releases(db: Store, round_id: int | None = None, limit: int = 200) -> list[Release]:
    """The latest releases, newest first (of one round, or of all)."""
    where, args = ("WHERE r.round_id = ?", [round_id]) if round_id is not None else ("", [])
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM releases r {where} ORDER BY r.id DESC LIMIT ?", [*args, limit]
    ).fetchall()
    return [Release(*row) for row in rows]


def released_figures(db: Store, release_id: int) -> list[Figure]:
    rows = db.execute(
        "SELECT measure, grp, statistic, value FROM released_figures WHERE release_id = ? "
        "ORDER BY position",
        [release_id],
    ).fetchall()
    return [
        (measure, tuple(json.loads(group).items()), statistic, value)
        for measure, group, statistic, value in rows
    ]


def text_sets(
    db: Store, round_id: int, pending: Sequence[Pending] = ()
) -> list[tuple[str, list[dict[str, str]]]]:
    """Every text set the round has released (and ``pending`` will): (measure, the groups
    it covered), one per heading shown ("texts"), one per pool (its groups, "pooled
    texts")."""
    rows = db.execute(
        "SELECT f.release_id, f.measure, f.grp, f.statistic FROM released_figures f "
        "JOIN releases r ON r.id = f.release_id WHERE r.round_id = ? "
        "AND f.statistic IN ('texts', 'pooled texts') ORDER BY f.release_id, f.position",
        [round_id],
    ).fetchall()
    rows += [(r, m, g, s) for r, _, m, g, s, _ in _pending(pending, ("texts", "pooled texts"))]
    sets: list[tuple[str, list[dict[str, str]]]] = []
    pools: dict[tuple[int, str], list[dict[str, str]]] = {}
    for release_id, measure, group, statistic in rows:
        name = measure.removeprefix("texts:")
        if statistic == "texts":
            sets.append((name, [json.loads(group)]))
        elif (release_id, name) not in pools:
            pools[(release_id, name)] = [json.loads(group)]
            sets.append((name, pools[(release_id, name)]))
        else:
            pools[(release_id, name)].append(json.loads(group))
    return sets


def released_counts(
    db: Store,
    round_id: int,
    measure: str | None,
    statistic: str,
    pending: Sequence[Pending] = (),
) -> list[tuple[dict[str, str], float]]:
    """Every value of ``measure``'s ``statistic`` (of every measure's, for None) the round
    has released (or ``pending`` will), with its group, each once (the same page seen
    twice releases nothing new; the same count in many tables is one)."""
    rows = db.execute(
        "SELECT DISTINCT f.grp, f.value FROM released_figures f "
        "JOIN releases r ON r.id = f.release_id "
        "WHERE r.round_id = ? AND f.statistic = ?"
        + (" AND f.measure = ?" if measure is not None else ""),
        [round_id, statistic, *([measure] if measure is not None else [])],
    ).fetchall()
    more = {
        (g, v)
        for _, _, m, g, _, v in _pending(pending, (statistic,))
        if measure is None or m == measure
    }
    return [(json.loads(group), value) for group, value in _in_order({*map(tuple, rows), *more})]


def last_release(db: Store, round_id: int) -> int | None:
    """The id of the round's latest release: a mark to tell whether the ledger grew."""
    return db.execute("SELECT max(id) FROM releases WHERE round_id = ?", [round_id]).fetchone()[0]


def released_groups(
    db: Store,
    round_id: int,
    statistics: Sequence[str] = (),
    excluding: Sequence[str] = (),
) -> dict[int, list[tuple[str, dict[str, str]]]]:
    """Per snapshot of the round that figures were released from, every (measure, group)
    released (with one of ``statistics``, or any but those ``excluding``), each once: what
    a later snapshot's changes are audited against. Releases from before snapshots existed
    name none and are not here."""
    wanted = ", ".join("?" * len(statistics))
    marks = ", ".join("?" * len(excluding))
    rows = db.execute(
        "SELECT DISTINCT r.snapshot_id, f.measure, f.grp FROM released_figures f "
        "JOIN releases r ON r.id = f.release_id WHERE r.round_id = ? "
        + (f"AND f.statistic IN ({wanted}) " if statistics else "")
        + (f"AND f.statistic NOT IN ({marks}) " if excluding else "")
        + "AND r.snapshot_id IS NOT NULL ORDER BY r.snapshot_id, f.measure, f.grp",
        [round_id, *statistics, *excluding],
    ).fetchall()
    found: dict[int, list[tuple[str, dict[str, str]]]] = {}
    for snapshot_id, measure, group in rows:
        found.setdefault(snapshot_id, []).append((measure, json.loads(group)))
    return found


def released_at(
    db: Store, round_id: int, snapshot_id: int | None, pending: Sequence[Pending] = ()
) -> dict[str, list[dict[str, str]]]:
    """Per measure, every group whose count (n) the round has released (or ``pending``
    will) from the snapshot ``snapshot_id``, each once: what a new table from it is audited
    with. A group whose mean was released without its count and distribution (the
    summary by another breakdown than the tables') is listed under ``MEAN_ONLY`` + the
    measure ("mean:item:q5"), read as its count and sum (``scoring.linked``)."""
    rows = db.execute(
        "SELECT DISTINCT f.measure, f.grp, f.statistic FROM released_figures f "
        "JOIN releases r ON r.id = f.release_id WHERE r.round_id = ? AND r.snapshot_id = ? "
        "AND f.statistic IN ('n', 'mean')",
        [round_id, snapshot_id],
    ).fetchall()
    more = {
        (m, g, statistic)
        for _, s, m, g, statistic, _ in _pending(pending, ("n", "mean"))
        if s == snapshot_id
    }
    every = {*map(tuple, rows), *more}
    counted = {(m, g) for m, g, statistic in every if statistic == "n"}
    found: dict[str, list[dict[str, str]]] = {}
    for measure, group in _in_order(counted):
        found.setdefault(measure, []).append(json.loads(group))
    means = {(m, g) for m, g, statistic in every if statistic == "mean"} - counted
    for measure, group in _in_order(means):
        found.setdefault(MEAN_ONLY + measure, []).append(json.loads(group))
    return found


Reason = tuple[dict[str, str], str, float]
"""A reason released for a hidden group: the group, its statistic and its value (k)."""


def released_reasons(
    db: Store, round_id: int, statistics: Sequence[str], pending: Sequence[Pending] = ()
) -> dict[int | None, dict[str, list[Reason]]]:
    """Per snapshot of the round (None: releases from before snapshots existed), per
    measure, every reason released for a hidden group (figures of ``statistics``:
    ``scoring.suppression.STATED``; and those ``pending`` will release), each once:
    inequalities on the group's count that every later release is audited with
    (``scoring.audit``)."""
    marks = ", ".join("?" * len(statistics))
    rows = db.execute(
        "SELECT DISTINCT r.snapshot_id, f.measure, f.grp, f.statistic, f.value "
        "FROM released_figures f JOIN releases r ON r.id = f.release_id "
        f"WHERE r.round_id = ? AND f.statistic IN ({marks})",
        [round_id, *statistics],
    ).fetchall()
    more = {row[1:] for row in _pending(pending, statistics)}
    found: dict[int | None, dict[str, list[Reason]]] = {}
    for snapshot_id, measure, group, statistic, value in _in_order({*map(tuple, rows), *more}):
        found.setdefault(snapshot_id, {}).setdefault(measure, []).append(
            (json.loads(group), statistic, value)
        )
    return found
