"""An online backup: a consistent copy of the database while respondents keep answering.

SQLite's backup API copies every page inside one read transaction, so the copy is the
database as it was at one instant: each page of answers is in it entirely or not at all.
In WAL mode that read transaction does not block writers, so nobody waits. The copy is
written beside the target and renamed into place only once it has passed an integrity
check, so an interrupted backup never leaves a half-written file under the target's name.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from survey.errors import InvalidInput, Unavailable
from survey.storage.store import SqliteStore, Store


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    responses: int
    submitted: int
    answers: int
    size: int


def backup_database(db: Store, target: str | Path) -> BackupSummary:
    """Copy the database open on ``db`` to ``target``."""
    if not isinstance(db, SqliteStore):
        raise InvalidInput(
            "survey backup copies a SQLite file; back up PostgreSQL with its own tools "
            "(pg_dump, or the managed service's backups: docs/deployment.md)"
        )
    source, live = db.conn, db.location
    target = Path(target)
    if target.resolve() == Path(live).resolve():
        raise InvalidInput(f"{target} is the live database; choose another file for the backup")
    if target.is_dir():
        raise InvalidInput(f"{target} is a directory; give a file name for the backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    copy = sqlite3.connect(partial, isolation_level=None)
    try:
        source.backup(copy)  # all pages in one step: one consistent snapshot
        (check,) = copy.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise Unavailable(f"the copy failed its integrity check ({check}); nothing written")
        # A single self-contained file: no -wal beside it is needed to restore it.
        copy.execute("PRAGMA journal_mode = DELETE")
        responses, submitted = copy.execute(
            "SELECT count(*), coalesce(sum(submitted), 0) FROM responses"
        ).fetchone()
        (answers,) = copy.execute("SELECT count(*) FROM answers").fetchone()
    except BaseException:
        copy.close()
        partial.unlink(missing_ok=True)
        raise
    copy.close()
    os.replace(partial, target)
    return BackupSummary(target, responses, submitted, answers, target.stat().st_size)
