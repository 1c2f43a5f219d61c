"""Error pages in bokmål: one handler per kind of failure picks the status and the page.

A database that cannot be written right now (read-only, disk full, locked for too long) is
a temporary problem for the respondent: 503 and a "try again" page, never a stack trace.
The respondent blueprint catches it earlier when it can, to keep a page's answers in the
form (see ``respond._submit_page``).
"""

from __future__ import annotations

import sqlite3

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import NotFound, RequestEntityTooLarge

from survey.web.security import TooManyFailures

RETRY_AFTER = 30  # seconds a respondent is asked to wait when the database is unavailable

# SQLite's primary result codes that mean "not now" rather than "this is a bug".
TRANSIENT = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
    }
)


def is_transient(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return (
        isinstance(exc, sqlite3.OperationalError) and code is not None and code & 0xFF in TRANSIENT
    )


def log_unavailable(exc: BaseException) -> None:
    current_app.logger.warning(
        "database unavailable for %s %s: %s", request.method, request.path, exc
    )


def _not_found(_exc: NotFound) -> tuple[str, int]:
    return render_template("respond/gone.html"), 404


def _too_large(_exc: RequestEntityTooLarge) -> tuple[str, int]:
    return render_template("respond/too_large.html"), 413


def _too_many(exc: TooManyFailures) -> tuple[str, int, dict[str, str]]:
    minutes = max(1, (exc.retry_after + 59) // 60)
    html = render_template("respond/too_many.html", minutes=minutes)
    return html, 429, {"Retry-After": str(exc.retry_after)}


def _database_unavailable(exc: sqlite3.OperationalError) -> tuple[str, int, dict[str, str]]:
    if not is_transient(exc):
        raise exc  # a bug, not the weather: the usual 500 and a logged traceback
    log_unavailable(exc)
    return unavailable_page(), 503, {"Retry-After": str(RETRY_AFTER)}


def unavailable_page() -> str:
    return render_template("respond/unavailable.html", retry=request.method == "GET")


def init_app(app: Flask) -> None:
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(TooManyFailures, _too_many)
    app.register_error_handler(sqlite3.OperationalError, _database_unavailable)
