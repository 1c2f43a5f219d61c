"""Opening the database: the pragmas every connection needs, in one place."""

from __future__ import annotations

import os
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
    try:
        db.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError:
        conn.close()
        read_only = _open_read_only(path)
        if read_only is None:
            raise
        db = read_only
    else:
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 10000")
    if migrate:
        from survey.storage.migrations import migrate as run_migrations

        run_migrations(db)
    return db


class ReadOnlyDatabase(sqlite_utils.Database):
    """A database on a read-only file system, opened so that it can still be read.

    A WAL database needs its ``-shm`` index, which SQLite creates on open and deletes when
    the last connection closes; on a read-only file system it cannot be created, so even a
    read fails. When no ``-wal`` file is left, the main file holds every commit and nothing
    can change it, which is what SQLite's ``immutable`` flag promises. Every write on it
    fails as ``SQLITE_READONLY``, which the web shows as "try again". Such a connection must
    not be kept: once the file system is writable again, an immutable view would go stale."""


def _open_read_only(path: Path) -> ReadOnlyDatabase | None:
    """The database opened immutable, or None when that would not be the truth: the file
    system is writable (the failure is something else), there is no database, or commits
    live only in the log (SQLite reads a log only through its index; a view without them
    would be wrong, not just old)."""
    if not os.statvfs(path.parent).f_flag & os.ST_RDONLY:
        return None
    if not path.exists() or Path(f"{path}-wal").exists():
        return None
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    db = ReadOnlyDatabase(conn)
    db.execute("PRAGMA foreign_keys = ON")
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


def database_file(db: sqlite_utils.Database) -> str:
    """The file the connection's main database is in: what tells databases apart in a
    process that opens several (tests, the CLI)."""
    return str(db.execute("PRAGMA database_list").fetchone()[2])


def stamp(moment: datetime) -> str:
    """A moment as stored where SQL compares moments (locks, sessions): UTC, with the
    microseconds always written, so that text order is time order (``isoformat`` leaves
    out zero microseconds, and ``…:00+00:00`` would then sort before ``…:00.5+00:00`` only
    by luck of the characters)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
