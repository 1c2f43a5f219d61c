"""Opening the database: a SQLite file (with the pragmas every connection needs) or a
PostgreSQL URL, in one place."""

from __future__ import annotations

import os
import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

from survey.storage.store import PostgresStore, SqliteStore, Store, is_postgres_url


def open_database(location: str | Path, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the survey database: a file, or ``postgresql://…``.

    WAL lets respondents write while the secretariat reads reports; synchronous=NORMAL is
    durable across application crashes in WAL mode (only an OS crash can lose the last
    commits); foreign keys are off by default in SQLite and must be asked for on every
    connection; the busy timeout makes concurrent writers wait instead of failing."""
    if is_postgres_url(location):
        db: Store = connect_postgres(str(location))
    else:
        db = _open_sqlite(Path(location))
    if migrate:
        from survey.storage.migrations import migrate as run_migrations

        run_migrations(db)
    return db


def connect_postgres(url: str) -> PostgresStore:
    """A PostgreSQL connection as the storage code expects it: autocommit, and Python's
    booleans sent as the 0/1 integers the schema's flags hold (as sqlite3 does)."""
    import psycopg

    conn = psycopg.connect(url, autocommit=True)
    prepare_postgres(conn)
    return PostgresStore(conn, url)


def prepare_postgres(conn: object, *, lock_timeout: float | None = None) -> None:
    """What every PostgreSQL connection needs, pooled or not; with ``lock_timeout``
    (seconds), a wait for a lock longer than that fails (``LockNotAvailable``) instead of
    waiting for ever, as SQLite's busy timeout does."""
    from psycopg.adapt import Dumper
    from psycopg.postgres import types

    class BoolAsInteger(Dumper):
        oid = types["int4"].oid

        def dump(self, obj: object) -> bytes:
            return b"1" if obj else b"0"

    conn.adapters.register_dumper(bool, BoolAsInteger)  # type: ignore[attr-defined]
    if lock_timeout is not None:
        milliseconds = max(1, int(lock_timeout * 1000))
        conn.execute(f"SET lock_timeout = {milliseconds}")  # type: ignore[attr-defined]


def _open_sqlite(path: Path) -> SqliteStore:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    db = SqliteStore(conn)
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
    return db


class ReadOnlyDatabase(SqliteStore):
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


def snapshot(db: Store) -> AbstractContextManager[None]:
    """Several reads that must see the same database: in autocommit every statement has
    its own snapshot, so a response submitted between reading the people and reading the
    answers would have answers and no person."""
    return db.reading()


def database_file(db: Store) -> str:
    """Where the database is (a file, or a PostgreSQL URL): what tells databases apart in
    a process that opens several (tests, the CLI)."""
    return db.location


def stamp(moment: datetime) -> str:
    """A moment as stored where SQL compares moments (locks, sessions): UTC, with the
    microseconds always written, so that text order is time order (``isoformat`` leaves
    out zero microseconds, and ``…:00+00:00`` would then sort before ``…:00.5+00:00`` only
    by luck of the characters)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
