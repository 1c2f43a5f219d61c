"""One database connection per worker thread, opened on first use and kept for later requests.

Opening a connection costs a file open and four pragmas, and closing the last connection to a
WAL database checkpoints the whole log into the file and deletes it; done per request, that
was over half of a submission's server time (docs/performance.md). Each request still takes
the connection through ``g``, and teardown rolls back whatever an error left open, so no
request ever sees another's transaction. Connections are per thread (the development server
is threaded) and per process (a forked worker never uses its parent's)."""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app, g

from survey.storage import open_database
from survey.storage.db import ReadOnlyDatabase
from survey.storage.migrations import migrate as run_migrations
from survey.storage.store import Store

_migrated: set[str] = set()
_local = threading.local()


def _connections() -> dict[str, Store]:
    if getattr(_local, "pid", None) != os.getpid():
        _local.pid, _local.connections = os.getpid(), {}
    return _local.connections


def get_db(*, migrate: bool = True) -> Store:
    """The request's connection; the schema is brought up to date once per process."""
    if "db" not in g:
        path = current_app.config["DATABASE"]
        connections = _connections()
        db = connections.get(path)
        if db is None:
            db = open_database(path, migrate=False)
            if not isinstance(db, ReadOnlyDatabase):  # see there: it must not be kept
                connections[path] = db
        if migrate and path not in _migrated:
            run_migrations(db)
            _migrated.add(path)
        g.db = db
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if isinstance(db, ReadOnlyDatabase):
        db.close()
    elif db is not None and db.in_transaction:
        db.rollback()


def close_all() -> None:
    """Close this thread's connections (tests, shutdown)."""
    for db in _connections().values():
        db.close()
    _connections().clear()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
