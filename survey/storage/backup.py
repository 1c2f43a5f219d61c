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


def backup_database(db: SqliteStore, target: str | Path) -> BackupSummary:
    """Copy the SQLite database open on ``db`` to ``target`` (PostgreSQL's installations
    are copied by ``operations.backup``)."""
    source = db.conn
    partial = partial_file(db, target)
    target = Path(target)
    copy = sqlite3.connect(partial, isolation_level=None)
    try:
        source.backup(copy)  # all pages in one step: one consistent snapshot
        (check,) = copy.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise Unavailable(f"the copy failed its integrity check ({check}); nothing written")
    except BaseException:
        copy.close()
        partial.unlink(missing_ok=True)
        raise
    copy.close()
    return finished(partial, target)


def partial_file(db: Store, target: str | Path) -> Path:
    """Where a backup to ``target`` is written until it has passed its check: beside it,
    after refusing a target that is the live database or a folder."""
    target = Path(target)
    if db.sql.name == "sqlite" and target.resolve() == Path(db.location).resolve():
        raise InvalidInput(f"{target} is the live database; choose another file for the backup")
    if target.is_dir():
        raise InvalidInput(f"{target} is a directory; give a file name for the backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    return partial


def finished(partial: Path, target: Path) -> BackupSummary:
    """A checked copy made a single self-contained SQLite file and moved into place."""
    copy = sqlite3.connect(partial, isolation_level=None)
    try:
        copy.execute("PRAGMA journal_mode = DELETE")  # no -wal beside it is needed
        responses, submitted = copy.execute(
            "SELECT count(*), coalesce(sum(submitted), 0) FROM responses"
        ).fetchone()
        (answers,) = copy.execute("SELECT count(*) FROM answers").fetchone()
    finally:
        copy.close()
    os.replace(partial, target)
    return BackupSummary(target, responses, submitted, answers, target.stat().st_size)
