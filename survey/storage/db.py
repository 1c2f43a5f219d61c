"""Opening the database: the pragmas every connection needs, in one place."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils


def open_database(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (and by default migrate) the survey database.

    WAL lets respondents write while the secretariat reads reports; synchronous=NORMAL is
    durable across application crashes in WAL mode (only an OS crash can lose the last
    commits); foreign keys are off by default in SQLite and must be asked for on every
    connection; the busy timeout makes concurrent writers wait instead of failing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 10000")
    if migrate:
        from survey.storage.migrations import migrate as run_migrations

        run_migrations(db)
    return db


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid an INSERT just made (sqlite3 types it as optional for other statements)."""
    assert cursor.lastrowid is not None, "not the cursor of an INSERT"
    return cursor.lastrowid


@contextmanager
def snapshot(db: sqlite_utils.Database) -> Iterator[None]:
    """Several reads that must see the same database: in autocommit every statement has
    its own snapshot, so a response submitted between reading the people and reading the
    answers would have answers and no person. Inside a transaction already, nothing to do."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.execute("ROLLBACK")  # nothing was written: ending it is all that is needed


def stamp(moment: datetime) -> str:
    """A moment as stored where SQL compares moments (locks, sessions): UTC, with the
    microseconds always written, so that text order is time order (``isoformat`` leaves
    out zero microseconds, and ``…:00+00:00`` would then sort before ``…:00.5+00:00`` only
    by luck of the characters)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
