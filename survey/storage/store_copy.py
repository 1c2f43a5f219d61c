"""Copying a whole survey database from one store to another, row for row, ids kept.

What is copied comes from the database's own catalogue (SQLite's ``sqlite_master`` and
pragmas, PostgreSQL's ``information_schema``), never from a list kept here: a table a new
migration adds is copied without a change to this module. Tables go in foreign-key order,
parents first, so every row's references already exist when it arrives.

A table's rows are read in one canonical order (its primary key, else every column, text
by code point on both stores) and digested as they are read: the digest of the same rows
is the same on SQLite and PostgreSQL, so two databases are compared table by table without
holding either in memory. Values are digested as Python reads them: a float by its exact
``repr`` (the shortest text that reads back as the same double), JSON columns as the text
they are stored as, never parsed (parsing could make two different texts equal).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from survey.errors import Conflict, InvalidInput, Unavailable
from survey.storage.db import open_database
from survey.storage.migrations import schema_state
from survey.storage.store import Store, is_postgres_url

BATCH = 20_000  # rows read and written at a time: bounded memory, few round trips
BOOKKEEPING = frozenset({"_migrations"})  # the schema's own record, made by migrating


@dataclass(frozen=True)
class Table:
    """A table as the catalogue has it: its columns in order, the columns of its primary
    key (empty: none), which columns hold text, and the tables its foreign keys name."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    text: frozenset[str]
    parents: frozenset[str]

    def order_by(self, db: Store) -> str:
        """The canonical order: the key's columns, else every column with NULLs first
        (the two stores disagree where NULLs sort, never on which comes first here)."""
        names = self.key or self.columns
        terms = []
        for name in names:
            if not self.key:
                terms.append(f"({name} IS NOT NULL)")
            terms.append(db.sql.binary(name) if name in self.text else name)
        return ", ".join(terms)


@dataclass(frozen=True)
class Copied:
    """One table after copying: how many rows, and the digest of the rows as read."""

    table: str
    rows: int
    digest: str


def survey_tables(db: Store) -> list[Table]:
    """Every table of the survey, parents before children (ties by name)."""
    found = _postgres_tables(db) if db.sql.name == "postgresql" else _sqlite_tables(db)
    tables = {t.name: t for t in found if t.name not in BOOKKEEPING}
    ordered: list[Table] = []
    placed: set[str] = set()
    while len(ordered) < len(tables):
        ready = sorted(
            name
            for name, table in tables.items()
            if name not in placed and table.parents & tables.keys() <= placed | {name}
        )
        if not ready:
            cycle = sorted(set(tables) - placed)
            raise Conflict(f"the tables {', '.join(cycle)} refer to each other in a cycle")
        for name in ready:
            ordered.append(tables[name])
            placed.add(name)
    return ordered


def _sqlite_tables(db: Store) -> list[Table]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    ]
    tables = []
    for name in names:
        info = db.execute(
            "SELECT name, upper(type), pk FROM pragma_table_info(?) ORDER BY cid", [name]
        ).fetchall()
        parents = db.execute('SELECT "table" FROM pragma_foreign_key_list(?)', [name]).fetchall()
        tables.append(
            Table(
                name,
                tuple(column for column, _, _ in info),
                tuple(column for column, _, pk in sorted(info, key=lambda c: c[2]) if pk),
                frozenset(column for column, kind, _ in info if "TEXT" in kind),
                frozenset(parent for (parent,) in parents),
            )
        )
    return tables


def _postgres_tables(db: Store) -> list[Table]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        ).fetchall()
    ]
    tables = []
    for name in names:
        info = db.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            [name],
        ).fetchall()
        key = db.execute(
            "SELECT k.column_name FROM information_schema.table_constraints c "
            "JOIN information_schema.key_column_usage k "
            "ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema "
            "WHERE c.table_schema = current_schema() AND c.table_name = ? "
            "AND c.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position",
            [name],
        ).fetchall()
        parents = db.execute(
            "SELECT DISTINCT p.relname FROM pg_constraint f "
            "JOIN pg_class c ON c.oid = f.conrelid JOIN pg_class p ON p.oid = f.confrelid "
            "WHERE f.contype = 'f' AND c.relname = ? "
            "AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())",
            [name],
        ).fetchall()
        tables.append(
            Table(
                name,
                tuple(column for column, _ in info),
                tuple(column for (column,) in key),
                frozenset(column for column, kind in info if kind == "text"),
                frozenset(parent for (parent,) in parents),
            )
        )
    return tables


def first_with_rows(db: Store, names: Iterable[str]) -> str | None:
    """The first of the tables that exists and holds a row, or None when all are empty."""
    for name in names:
        if db.table_exists(name) and db.execute(f"SELECT 1 FROM {name} LIMIT 1").fetchone():
            return name
    return None


def read_rows(db: Store, table: Table) -> Iterator[Sequence[Any]]:
    """The table's rows in the canonical order, a batch at a time."""
    cursor: Any = db.execute(
        f"SELECT {', '.join(table.columns)} FROM {table.name} ORDER BY {table.order_by(db)}"
    )
    while batch := cursor.fetchmany(BATCH):
        yield from batch


def digested(rows: Iterable[Sequence[Any]], into: Any) -> Iterator[Sequence[Any]]:
    """The rows, each fed to the hash ``into`` as it passes."""
    for row in rows:
        into.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
        into.update(b"\n")
        yield row


def table_digest(db: Store, table: Table) -> Copied:
    """The table's row count and digest, read in the canonical order."""
    digest = hashlib.sha256()
    rows = sum(1 for _ in digested(read_rows(db, table), digest))
    return Copied(table.name, rows, digest.hexdigest())


def copy_table(source: Store, target: Store, table: Table) -> Copied:
    """Copy every row of ``table`` (inside the caller's transaction on ``target``);
    returns what was read from ``source``: its count and digest."""
    digest = hashlib.sha256()
    count = 0

    def counted(rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    rows = counted(digested(read_rows(source, table), digest))
    try:
        while batch := list(islice(rows, BATCH)):
            target.load_rows(table.name, table.columns, batch)
    except _store_errors() as exc:
        raise Unavailable(
            f"copying table {table.name} failed ({_reason(exc)}); TO is left empty"
        ) from exc
    return Copied(table.name, count, digest.hexdigest())


def reset_identities(db: Store) -> None:
    """PostgreSQL's identity columns number on from their sequence, which copied ids did
    not advance: set each to follow the largest id, so a new row never takes a copied
    one's. (SQLite numbers a new row after the largest id by itself.)"""
    if db.sql.name != "postgresql":
        return
    identities = db.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES'"
    ).fetchall()
    for table, column in identities:
        db.execute(
            f"SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max({column}), 0) + 1, "
            f"false) FROM {table}",
            [table, column],
        )


def open_source(location: str) -> Store:
    """The database to copy from: it must exist, hold a survey, and be at this release's
    schema (it is never migrated here: a copy is of what is, not of an upgrade)."""
    if not is_postgres_url(location):
        path = Path(location)
        if not path.is_file():
            raise InvalidInput(
                f"FROM: {location} is no file; give a SQLite database file or a postgresql:// URL"
            )
    db = _open(location, "FROM", migrate=False)
    try:
        if not db.table_exists("_migrations"):
            raise InvalidInput(f"FROM: {shown(location)} holds no survey database")
        state = schema_state(db)
        if state.unknown:
            raise Conflict(
                f"FROM: {shown(location)} was written by a newer release "
                f"(migrations {', '.join(state.unknown)}); copy it with that release"
            )
        if state.pending:
            raise Conflict(
                f"FROM: {shown(location)} is not at the current schema "
                f"({len(state.pending)} migration(s) pending: {', '.join(state.pending)}); "
                f"run `SURVEY_DATABASE={shown(location)} survey init-db` first"
            )
    except BaseException:
        db.close()
        raise
    return db


def open_target(location: str) -> Store:
    """The database to copy into, not migrated yet (it must be found empty first)."""
    db = _open(location, "TO", migrate=False)
    try:
        state = schema_state(db)
    except BaseException:
        db.close()
        raise
    if state.unknown:
        db.close()
        raise Conflict(
            f"TO: {shown(location)} was written by a newer release "
            f"(migrations {', '.join(state.unknown)})"
        )
    return db


def _store_errors() -> tuple[type[Exception], ...]:
    """What either store raises for a database that refuses, is missing or is broken."""
    import psycopg

    return (sqlite3.Error, psycopg.Error)


def _reason(exc: BaseException) -> str:
    """An error's first line, as the operator reads it."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _open(location: str, which: str, *, migrate: bool) -> Store:
    if not is_postgres_url(location) and Path(location).is_dir():
        raise InvalidInput(f"{which}: {location} is a directory; give a database file")
    try:
        return open_database(location, migrate=migrate)
    except _store_errors() + (OSError,) as exc:
        reason = _reason(exc)
        if is_postgres_url(location):
            raise Unavailable(f"{which}: cannot connect to {shown(location)}: {reason}") from None
        raise InvalidInput(f"{which}: {location} is not a SQLite database ({reason})") from None


def shown(location: str) -> str:
    """A location as it may be printed: a URL's password is never shown."""
    if not is_postgres_url(location) or "@" not in location:
        return location
    scheme, rest = location.split("://", 1)
    credentials, host = rest.split("@", 1)
    user = credentials.split(":", 1)[0]
    hidden = f"{user}:***" if ":" in credentials else user
    return f"{scheme}://{hidden}@{host}"
