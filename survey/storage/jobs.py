"""The durable job queue: work that leaves the web process, in the same database.

A job is ``queued`` until a worker claims it (``running``, under a lease until
``lease_until``), then ``done`` with a result or, after its last attempt, ``failed`` with
the error. A worker extends its lease by heartbeats; a job whose lease ran out (its worker
was killed, its machine lost) is queued again by ``reclaim_expired``, counting the attempt.
Every change of a running job names the worker that holds it (``claimed_by``), so a worker
that lost its lease can no longer finish, fail or report progress on the job.

All the queue's SQL is here, one text for both stores. A claim is one ``UPDATE … WHERE id =
(the next queued) … RETURNING`` inside ``db.writing()``: SQLite's write lock, or on
PostgreSQL the one advisory lock every writer takes (``storage/store.py``), is held before
the claim reads, so of two workers on any machines one gets each job. Idle workers poll
without it (the read before), so waiting costs no lock. ``FOR UPDATE SKIP LOCKED`` would
let PostgreSQL claimers pass each other instead of queueing for the lock; a claim is a few
milliseconds in a render of seconds, so it would buy nothing measurable here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from survey.storage.db import stamp
from survey.storage.store import Store

STATES = ("queued", "running", "done", "failed")
_COLUMNS = (
    "id, kind, job_key, payload, state, attempts, max_attempts, claimed_by, lease_until, "
    "progress_done, progress_total, progress_text, result, error, created_at, finished_at"
)
# The queued job to claim next.
_NEXT_QUEUED = (
    "SELECT id FROM jobs WHERE state = 'queued' AND run_after <= ? ORDER BY run_after, id LIMIT 1"
)
KEEP_FINISHED = timedelta(days=7)  # done and failed jobs are purged after this


@dataclass(frozen=True)
class Job:
    """One row of the queue, as plain data."""

    id: int
    kind: str
    key: str
    payload: Mapping[str, Any]
    state: str
    attempts: int
    max_attempts: int
    claimed_by: str | None
    lease_until: str | None
    progress_done: int
    progress_total: int
    progress_text: str
    result: str | None
    error: str | None
    created_at: str
    finished_at: str | None


def _job(row: tuple) -> Job:
    return Job(row[0], row[1], row[2], json.loads(row[3]), *row[4:])


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def enqueue(
    db: Store,
    kind: str,
    key: str,
    payload: Mapping[str, Any],
    *,
    max_attempts: int,
    renew_done: bool = False,
    now: datetime | None = None,
) -> Job:
    """Queue a job unless one with ``key`` exists; returns the job of that key. Asking
    twice is one job. A failed job stays failed (``requeue`` is the way to try again, so a
    job that keeps failing is never retried behind the secretariat's back); a done one is
    queued again when ``renew_done`` (its result is gone, e.g. a cached file deleted)."""
    moment = stamp(_now(now))
    with db.writing():
        insert_queued(db, kind, key, payload, max_attempts=max_attempts, moment=moment)
        if renew_done:
            db.execute(
                "UPDATE jobs SET state = 'queued', attempts = 0, result = NULL, error = NULL, "
                "run_after = ?, finished_at = NULL, progress_done = 0, progress_total = 0, "
                "progress_text = '' WHERE job_key = ? AND state = 'done'",
                [moment, key],
            )
        row = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE job_key = ?", [key]).fetchone()
    return _job(row)


def insert_queued(
    db: Store,
    kind: str,
    key: str,
    payload: Mapping[str, Any],
    *,
    max_attempts: int,
    moment: str,
) -> None:
    """``enqueue``'s insert, for a caller that queues jobs as part of its own write
    transaction (a report pack and its jobs are one step): call it inside ``db.writing()``."""
    db.execute(
        "INSERT INTO jobs (kind, job_key, payload, state, max_attempts, run_after, "
        "created_at) VALUES (?, ?, ?, 'queued', ?, ?, ?) ON CONFLICT (job_key) DO NOTHING",
        [kind, key, json.dumps(payload, sort_keys=True), max_attempts, moment, moment],
    )


def requeue(db: Store, key: str, now: datetime | None = None) -> Job | None:
    """A failed job queued again with all its attempts (someone asked to try again); any
    other job is left as it is. None when there is no job of ``key``."""
    with db.writing():
        db.execute(
            "UPDATE jobs SET state = 'queued', attempts = 0, error = NULL, run_after = ?, "
            "finished_at = NULL WHERE job_key = ? AND state = 'failed'",
            [stamp(_now(now)), key],
        )
    return job_by_key(db, key)


def job_by_key(db: Store, key: str) -> Job | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE job_key = ?", [key]).fetchone()
    return _job(row) if row else None


def get_job(db: Store, job_id: int) -> Job | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", [job_id]).fetchone()
    return _job(row) if row else None


def list_jobs(db: Store) -> list[Job]:
    return [_job(row) for row in db.execute(f"SELECT {_COLUMNS} FROM jobs ORDER BY id")]


def claim(db: Store, worker: str, lease: float, now: datetime | None = None) -> Job | None:
    """Take the next queued job whose time has come, for ``lease`` seconds, atomically: of
    any number of workers asking at once, one gets each job. None when there is none."""
    moment = _now(now)
    if db.execute(_NEXT_QUEUED, [stamp(moment)]).fetchone() is None:
        return None  # nothing to do: no write lock taken (idle workers poll often)
    with db.writing():
        row = db.execute(
            "UPDATE jobs SET state = 'running', claimed_by = ?, attempts = attempts + 1, "
            "lease_until = ?, heartbeat_at = ?, started_at = coalesce(started_at, ?) "
            f"WHERE id = ({_NEXT_QUEUED}) AND state = 'queued' RETURNING {_COLUMNS}",
            [
                worker,
                stamp(moment + timedelta(seconds=lease)),
                stamp(moment),
                stamp(moment),
                stamp(moment),
            ],
        ).fetchone()
    return _job(row) if row else None


def heartbeat(
    db: Store, job_id: int, worker: str, lease: float, now: datetime | None = None
) -> bool:
    """Extend the lease of a job ``worker`` holds; False when it no longer holds it (the
    lease ran out and the job went to another worker): then the worker must drop it."""
    moment = _now(now)
    with db.writing():
        cursor = db.execute(
            "UPDATE jobs SET lease_until = ?, heartbeat_at = ? "
            "WHERE id = ? AND claimed_by = ? AND state = 'running'",
            [stamp(moment + timedelta(seconds=lease)), stamp(moment), job_id, worker],
        )
    return cursor.rowcount == 1


def set_progress(db: Store, job_id: int, worker: str, done: int, total: int, text: str) -> bool:
    """How far the job is, in a short text for the secretariat; False when not held."""
    with db.writing():
        cursor = db.execute(
            "UPDATE jobs SET progress_done = ?, progress_total = ?, progress_text = ? "
            "WHERE id = ? AND claimed_by = ? AND state = 'running'",
            [done, total, text[:200], job_id, worker],
        )
    return cursor.rowcount == 1


def finish(
    db: Store,
    job_id: int,
    worker: str,
    result: str | None,
    now: datetime | None = None,
) -> bool:
    """The job is done with ``result``; False when ``worker`` no longer held it."""
    with db.writing():
        cursor = db.execute(
            "UPDATE jobs SET state = 'done', result = ?, error = NULL, finished_at = ?, "
            "lease_until = NULL WHERE id = ? AND claimed_by = ? AND state = 'running'",
            [result, stamp(_now(now)), job_id, worker],
        )
    return cursor.rowcount == 1


def fail(
    db: Store,
    job_id: int,
    worker: str,
    error: str,
    *,
    retry_delay: float,
    retry: bool = True,
    now: datetime | None = None,
) -> Job | None:
    """An attempt failed: the job waits ``retry_delay`` × 2^(attempts − 1) seconds and is
    queued again, or, after its last attempt (or with ``retry`` False, for an error that
    another attempt cannot mend), it is failed with ``error``. None when not held."""
    moment = _now(now)
    with db.writing():
        row = db.execute(
            "SELECT attempts, max_attempts FROM jobs "
            "WHERE id = ? AND claimed_by = ? AND state = 'running'",
            [job_id, worker],
        ).fetchone()
        if row is None:
            return None
        attempts, max_attempts = row
        if retry and attempts < max_attempts:
            later = moment + timedelta(seconds=retry_delay * 2 ** (attempts - 1))
            db.execute(
                "UPDATE jobs SET state = 'queued', error = ?, run_after = ?, claimed_by = NULL, "
                "lease_until = NULL WHERE id = ?",
                [error, stamp(later), job_id],
            )
        else:
            db.execute(
                "UPDATE jobs SET state = 'failed', error = ?, finished_at = ?, "
                "lease_until = NULL WHERE id = ?",
                [error, stamp(moment), job_id],
            )
        found = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", [job_id]).fetchone()
    return _job(found)


def release(db: Store, job_id: int, worker: str, now: datetime | None = None) -> bool:
    """Hand a job back unfinished (its worker is stopping): queued again at once, and the
    attempt it was on does not count. False when ``worker`` no longer held it."""
    with db.writing():
        cursor = db.execute(
            "UPDATE jobs SET state = 'queued', "
            "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, "
            "claimed_by = NULL, lease_until = NULL, run_after = ? "
            "WHERE id = ? AND claimed_by = ? AND state = 'running'",
            [stamp(_now(now)), job_id, worker],
        )
    return cursor.rowcount == 1


def reclaim_expired(db: Store, now: datetime | None = None) -> list[int]:
    """Jobs whose lease ran out (their worker stopped beating) queued again, or failed if
    that was their last attempt; also purges jobs finished more than KEEP_FINISHED ago.
    Returns the ids of the jobs taken back."""
    moment = _now(now)
    with db.writing():
        rows = db.execute(
            "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'failed' "
            "ELSE 'queued' END, error = 'the worker stopped answering (its lease ran out)', "
            "finished_at = CASE WHEN attempts >= max_attempts THEN ? END, "
            "claimed_by = CASE WHEN attempts >= max_attempts THEN claimed_by END, "
            "lease_until = NULL, run_after = ? "
            "WHERE state = 'running' AND lease_until < ? RETURNING id",
            [stamp(moment), stamp(moment), stamp(moment)],
        ).fetchall()
        db.execute(
            "DELETE FROM jobs WHERE state IN ('done', 'failed') AND finished_at < ?",
            [stamp(moment - KEEP_FINISHED)],
        )
    return sorted(row[0] for row in rows)


def worker_started(
    db: Store, worker: str, host: str, pid: int, now: datetime | None = None
) -> None:
    moment = stamp(_now(now))
    with db.writing():
        db.execute(
            "INSERT INTO workers (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)",
            [worker, host, pid, moment, moment],
        )


def worker_beat(db: Store, worker: str, now: datetime | None = None) -> None:
    with db.writing():
        db.execute("UPDATE workers SET heartbeat_at = ? WHERE id = ?", [stamp(_now(now)), worker])


def worker_stopped(db: Store, worker: str, now: datetime | None = None) -> None:
    moment = stamp(_now(now))
    with db.writing():
        db.execute(
            "UPDATE workers SET heartbeat_at = ?, stopped_at = ? WHERE id = ?",
            [moment, moment, worker],
        )
        db.execute(  # a worker that stopped a week ago tells nobody anything
            "DELETE FROM workers WHERE stopped_at < ?",
            [stamp(_now(now) - KEEP_FINISHED)],
        )


def worker_heartbeat(db: Store) -> datetime | None:
    """The newest heartbeat of any running worker (one that has not said it stopped), for
    the health check; None when no worker runs. A killed worker says nothing: its last
    heartbeat simply grows old."""
    row = db.execute("SELECT max(heartbeat_at) FROM workers WHERE stopped_at IS NULL").fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None
