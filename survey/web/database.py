"""One database connection per request (or CLI command), opened lazily, closed at teardown."""

from __future__ import annotations

import sqlite_utils
from flask import Flask, current_app, g

from survey.storage import open_database

_migrated: set[str] = set()


def get_db(*, migrate: bool = True) -> sqlite_utils.Database:
    """The request's connection; the schema is brought up to date once per process."""
    if "db" not in g:
        path = current_app.config["DATABASE"]
        g.db = open_database(path, migrate=migrate and path not in _migrated)
        if migrate:
            _migrated.add(path)
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
