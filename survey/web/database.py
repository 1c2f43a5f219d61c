"""One database connection per worker thread, opened on first use and kept for later requests.

Opening a connection costs a file open and four pragmas, and closing the last connection to a
WAL database checkpoints the whole log into the file and deletes it; done per request, that
was over half of a submission's server time (docs/performance.md). Each request still takes
the connection through ``g``, and teardown rolls back whatever an error left open, so no
request ever sees another's transaction. Connections are per thread (the development server
is threaded) and per process (a forked worker never uses its parent's).

PostgreSQL (``DATABASE`` a ``postgresql://`` URL): a connection pool per process
(psycopg_pool), one connection taken for a request and handed back at its end, so the
server's connections are bounded by processes × threads, not by requests. A connection is
not checked before each request (a round trip on every page): one the server dropped (a
restart, a fail-over) fails its request as "unavailable, try again" (``errors.is_transient``)
and the pool replaces it. A request waits for a connection, and for the write lock, as
long as a SQLite request waits for its file's lock (``busy_timeout``): then it too is told
to try again, not left hanging."""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app, g
from psycopg import Connection
from psycopg_pool import ConnectionPool

from survey.storage import open_database
from survey.storage.db import ReadOnlyDatabase, prepare_postgres
from survey.storage.migrations import migrate as run_migrations
from survey.storage.store import PostgresStore, Store, is_postgres_url

_migrated: set[str] = set()
_local = threading.local()


def _connections() -> dict[str, Store]:
    if getattr(_local, "pid", None) != os.getpid():
        _local.pid, _local.connections = os.getpid(), {}
    return _local.connections


POOL_TIMEOUT = 10.0  # seconds a request waits for a pooled connection (PoolTimeout, then 503)
LOCK_TIMEOUT = 10.0  # seconds a request waits for a lock (LockNotAvailable, then 503)

_pools: dict[tuple[int, str], ConnectionPool] = {}
_pools_lock = threading.Lock()


def _pool(url: str) -> ConnectionPool:
    """This process's pool for ``url``, made on first use (after gunicorn forked)."""
    key = (os.getpid(), url)
    with _pools_lock:
        if key not in _pools:
            _pools[key] = ConnectionPool(
                url,
                min_size=1,
                max_size=max(4, int(current_app.config.get("WEB_THREADS") or 4) * 2),
                kwargs={"autocommit": True},
                configure=_configure,
                open=True,
            )
        return _pools[key]


def _configure(conn: Connection) -> None:
    prepare_postgres(conn, lock_timeout=LOCK_TIMEOUT)


def _pooled(url: str) -> PostgresStore:
    pool = _pool(url)
    return PostgresStore(pool.getconn(timeout=POOL_TIMEOUT), url, release=pool.putconn)


def get_db(*, migrate: bool = True) -> Store:
    """The request's connection; the schema is brought up to date once per process."""
    if "db" not in g:
        path = current_app.config["DATABASE"]
        connections = _connections()
        db = connections.get(path)
        if is_postgres_url(path):
            db = _pooled(path)
        elif db is None:
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
    if db is not None and db.in_transaction:
        db.rollback()
    if isinstance(db, ReadOnlyDatabase | PostgresStore):
        db.close()  # a read-only view is never kept; a pooled connection goes back


def close_all() -> None:
    """Close this thread's connections (tests, shutdown)."""
    for db in _connections().values():
        db.close()
    _connections().clear()
    with _pools_lock:
        for (pid, url), pool in list(_pools.items()):
            if pid == os.getpid():
                pool.close()
                del _pools[(pid, url)]


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
