"""The two stores behind one interface: SQLite (the embedded default) and PostgreSQL.

Every storage module talks to a ``Store``: ``execute`` and ``executemany`` with SQLite's
``?`` placeholders, ``writing()`` for a transaction that writes, ``reading()`` for several
reads that must see one state, and ``sql`` for the few expressions the two dialects spell
differently (JSON, string aggregation). So the SQL of a storage function is written once,
and a business rule is never written twice.

Why the write transaction serialises writers on both stores: the storage functions were
written for SQLite, where ``BEGIN IMMEDIATE`` takes the one write lock before the
transaction's first read, so "is there a response yet?" and "insert it" cannot be split by
another writer. On PostgreSQL, ``writing()`` takes one transaction-level advisory lock,
which gives every writer the same guarantee on every machine sharing the database, with
no rule rewritten for row locks. Readers never wait for it (PostgreSQL's MVCC, SQLite's
WAL). A write transaction of this product is short (one page of answers), so one lock
costs little; the benchmark in bench/ measures it against SQLite.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from typing import Any, Protocol

import sqlite_utils

Parameters = Sequence[Any] | dict[str, Any]

WRITE_LOCK = 0x5375_7276  # "Surv": the one advisory lock every PostgreSQL writer takes


class Cursor(Protocol):
    """What storage code reads from a statement: the DB-API cursor both drivers give."""

    @property
    def rowcount(self) -> int: ...

    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Dialect:
    """SQLite's spelling of the expressions the stores spell differently."""

    name = "sqlite"

    def json_merge(self, base: str, patch: str) -> str:
        """A JSON object with ``patch``'s keys laid over ``base``'s (both JSON text)."""
        return f"json_patch({base}, {patch})"

    def json_keys(self, document: str) -> str:
        """A table expression with one row per key of a JSON object, its column ``key``."""
        return f"json_each({document})"

    def concat(self, expression: str) -> str:
        """The aggregate that joins a group's values into one text, in no given order."""
        return f"group_concat({expression}, '')"

    def binary(self, column: str) -> str:
        """A text column ordered by its characters' code points (SQLite's BINARY collation,
        its default, named so a column declared otherwise still sorts so), whatever the
        database's own collation: one order on both stores."""
        return f"{column} COLLATE BINARY"


class PostgresDialect(Dialect):
    name = "postgresql"

    def json_merge(self, base: str, patch: str) -> str:
        return f"(({base})::jsonb || ({patch})::jsonb)::text"

    def json_keys(self, document: str) -> str:
        return f"jsonb_each_text(({document})::jsonb)"

    def concat(self, expression: str) -> str:
        return f"string_agg(CAST({expression} AS TEXT), '')"

    def binary(self, column: str) -> str:
        return f'{column} COLLATE "C"'


class Store(Protocol):
    """A connection to one survey database, whichever store holds it."""

    sql: Dialect

    @property
    def location(self) -> str: ...

    @property
    def in_transaction(self) -> bool: ...

    def execute(self, sql: str, parameters: Parameters | None = None) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def load_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Bulk-insert rows as they are (ids included), the fastest way the store has."""
        ...

    def writing(self) -> AbstractContextManager[None]: ...

    def reading(self) -> AbstractContextManager[None]: ...

    def batch(self) -> AbstractContextManager[None]:
        """Statements whose results nobody reads, sent to the server together: a page's save
        ends with a delete, the inserts and an update, one round trip on PostgreSQL instead
        of three. An error surfaces at the latest when the block ends."""
        ...

    def table_exists(self, name: str) -> bool: ...

    def table_names(self) -> list[str]: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...


class SqliteStore(sqlite_utils.Database):
    """A SQLite file through sqlite-utils (``execute`` is its own)."""

    sql = Dialect()

    @property
    def location(self) -> str:
        return str(self.execute("PRAGMA database_list").fetchone()[2])

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def load_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            yield

    @contextmanager
    def reading(self) -> Iterator[None]:
        """In autocommit every statement has its own snapshot; a read transaction gives
        several one. Inside a transaction already, nothing to do."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("ROLLBACK")  # nothing was written: ending it is all

    def batch(self) -> AbstractContextManager[None]:
        return nullcontext()  # in-process: there is no round trip to save

    def table_exists(self, name: str) -> bool:
        return self[name].exists()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()


@lru_cache(maxsize=2048)
def postgres_sql(sql: str) -> str:
    """SQLite's SQL as psycopg takes it: ``?`` becomes ``%s``, ``:name`` ``%(name)s``, and
    a literal ``%`` is doubled (psycopg reads every ``%``); nothing inside quotes but the
    ``%`` changes. ``::`` is PostgreSQL's cast, never a parameter."""
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(sql):
        char = sql[i]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "?":
            out.append("%s")
            i += 1
            continue
        elif char == ":" and _NAME.match(sql, i + 1) and sql[i - 1 : i] != ":":
            name = _NAME.match(sql, i + 1).group()  # type: ignore[union-attr]
            out.append(f"%({name})s")
            i += 1 + len(name)
            continue
        out.append("%%" if char == "%" else char)
        i += 1
    return "".join(out)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


_DDL = [
    (
        re.compile(r"\bid INTEGER PRIMARY KEY\b"),
        "id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    ),
    (re.compile(r"\)\s*WITHOUT ROWID"), ")"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
]


def postgres_ddl(sql: str) -> str:
    """A migration's SQLite DDL as PostgreSQL's: row ids become identity columns,
    ``WITHOUT ROWID`` (a storage layout) goes, REAL is a double as in SQLite."""
    for pattern, replacement in _DDL:
        sql = pattern.sub(replacement, sql)
    return sql


class PostgresStore:
    """A PostgreSQL database through psycopg 3, in autocommit like the SQLite connection
    (``isolation_level=None``): a transaction is begun only where a function asks."""

    sql: Dialect = PostgresDialect()

    def __init__(self, conn: Any, url: str, *, release: Any = None) -> None:
        self.conn = conn
        self.url = url
        self._release = release  # hands the connection back to its pool instead of closing
        self._begin_pending = False  # ``writing`` began: BEGIN goes with the next statement

    @property
    def location(self) -> str:
        return self.url

    @property
    def in_transaction(self) -> bool:
        """A transaction is open (also one a failed statement left, or one whose BEGIN waits
        for its first statement). Not on a connection that is lost (UNKNOWN): there is
        nothing to roll back, and trying raises."""
        from psycopg.pq import TransactionStatus

        status = self.conn.info.transaction_status
        idle = status in (TransactionStatus.IDLE, TransactionStatus.UNKNOWN)
        return self._begin_pending or not idle

    def execute(self, sql: str, parameters: Parameters | None = None) -> Cursor:
        # Always parameters, even none: psycopg reads ``%%`` as ``%`` only when it has
        # some, and ``postgres_sql`` doubles every ``%`` (``id % 5``, ``LIKE 'a%'``).
        query, values = postgres_sql(sql), parameters if parameters else ()
        if not self._begin_pending:
            return self.conn.execute(query, values)
        with self.batch():  # BEGIN, the lock and this statement: one round trip
            cursor = self.conn.execute(query, values)
        return cursor  # (its results arrived when the batch ended)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._begin()
        with self.conn.cursor() as cursor:
            cursor.executemany(postgres_sql(sql), rows)

    def load_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """COPY: several times faster than even pipelined INSERTs for a whole table."""
        self._begin()
        with (
            self.conn.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A write transaction under the one write lock. BEGIN and the lock are not sent
        until the transaction's first statement, and then with it, in one round trip (a
        page's save is a handful of round trips, so each one counts); COMMIT at the end,
        ROLLBACK on any exception."""
        self._begin_pending = True
        try:
            yield
        except BaseException:
            if self._begin_pending:
                self._begin_pending = False  # nothing was sent
            elif not self.conn.closed:
                self.conn.execute("ROLLBACK")
            raise
        if self._begin_pending:
            self._begin_pending = False  # nothing was written
            return
        from psycopg.pq import TransactionStatus

        if self.conn.info.transaction_status == TransactionStatus.INERROR:
            # a statement failed and its error was caught inside: SQLite would have kept
            # the rest, PostgreSQL has lost it all, so this must not pass for a commit
            self.conn.execute("ROLLBACK")
            raise RuntimeError("a statement of the transaction failed; nothing was written")
        self.conn.execute("COMMIT")

    def _begin(self) -> None:
        """Send the BEGIN that ``writing`` holds back, if it still waits."""
        if self._begin_pending:
            self._begin_pending = False
            self.conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One snapshot for several reads: REPEATABLE READ (READ COMMITTED, the default,
        takes a new one per statement)."""
        if self.in_transaction:
            yield
            return
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield
        finally:
            self.conn.execute("ROLLBACK")

    @contextmanager
    def batch(self) -> Iterator[None]:
        """psycopg's pipeline mode; a BEGIN that ``writing`` holds back leads it."""
        with self.conn.pipeline():
            if self._begin_pending:
                self._begin_pending = False
                self.conn.execute("BEGIN")
                self.conn.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            yield

    def table_exists(self, name: str) -> bool:
        row = self.execute("SELECT to_regclass(?)", [name]).fetchone()
        return row is not None and row[0] is not None

    def table_names(self) -> list[str]:
        """The survey's tables (sqlite-utils' ``table_names`` of the SQLite side)."""
        rows = self.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
            "ORDER BY table_name"
        ).fetchall()
        return [name for (name,) in rows]

    def rollback(self) -> None:
        self._begin_pending = False
        self.conn.rollback()

    def close(self) -> None:
        if self._release is not None:
            self._release(self.conn)
        else:
            self.conn.close()


def is_postgres_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def integrity_errors() -> tuple[type[Exception], ...]:
    """The exceptions a broken UNIQUE or foreign key raises, on either store."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return (sqlite3.IntegrityError,)
    return (sqlite3.IntegrityError, psycopg.IntegrityError)
