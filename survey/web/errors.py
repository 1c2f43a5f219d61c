"""Error pages in bokmål: one handler per kind of failure picks the status and the page.

Every ``SurveyError`` is translated here, once, by its kind (``survey.errors``): not found
404, conflict 409, invalid input 422, forbidden 403, unavailable 503. Views let them pass
unless they can do better, such as showing a form again with its problems. Werkzeug's own
400, 403, 405 and 500 pages are replaced by bokmål ones too.

A database that cannot be written right now (read-only, disk full, locked for too long) is
a temporary problem for the respondent: 503 and a "try again" page, never a stack trace.
On PostgreSQL the same goes for a server out of reach: a connection lost or ended (a
restart, a fail-over, an administrator), no connection to be had from the pool in time,
a lock waited for too long, a full disk. The respondent blueprint catches it earlier when
it can, to keep a page's answers in the form (see ``respond._submit_page``). A bug stays
a bug on either store (a syntax error, a missing table: 500 and a logged traceback).
"""

from __future__ import annotations

import sqlite3

import psycopg
from flask import Flask, current_app, render_template, request, url_for
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)

from survey.errors import NotFound as NotFoundError
from survey.errors import SurveyError, Unavailable
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


# PostgreSQL's SQLSTATE classes that mean "not now": connection exception, transaction
# rollback (a deadlock, a serialisation failure), insufficient resources (disk full, too
# many connections), object not in prerequisite state (a lock not available, a database
# not accepting connections), operator intervention (shut down, terminated, cancelled),
# system error (I/O). Not class 54, "program limit exceeded": a statement too big is a bug.
TRANSIENT_SQLSTATE = frozenset({"08", "40", "53", "55", "57", "58"})

DATABASE_ERRORS = (sqlite3.OperationalError, psycopg.OperationalError)
"""What a database that is unavailable raises, on either store (``is_transient`` decides)."""


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot serve right now, rather than a bug. A
    psycopg error without a SQLSTATE is the client's own: the connection is gone or never
    came (the server unreachable, the pool's wait for a connection timed out)."""
    if isinstance(exc, psycopg.OperationalError):
        return exc.sqlstate is None or exc.sqlstate[:2] in TRANSIENT_SQLSTATE
    code = getattr(exc, "sqlite_errorcode", None)
    return (
        isinstance(exc, sqlite3.OperationalError) and code is not None and code & 0xFF in TRANSIENT
    )


def log_unavailable(exc: BaseException) -> None:
    current_app.logger.warning(
        "database unavailable for %s %s: %s", request.method, request.path, exc
    )


def _not_found(_exc: NotFound) -> tuple[str, int]:
    """Respondents get the same page for every link that does not work (an unknown token
    and a closed round look alike); the workspace says plainly that the page is not there."""
    if request.path.startswith("/sekretariat/"):
        return _error_page(NotFoundError.title_nb, NotFoundError.default_nb), 404
    return render_template("respond/gone.html"), 404


def _too_large(_exc: RequestEntityTooLarge) -> tuple[str, int]:
    return render_template("respond/too_large.html"), 413


def _too_many(exc: TooManyFailures) -> tuple[str, int, dict[str, str]]:
    minutes = max(1, (exc.retry_after + 59) // 60)
    html = render_template("respond/too_many.html", minutes=minutes, reason=exc.reason)
    return html, 429, {"Retry-After": str(exc.retry_after)}


def _database_unavailable(
    exc: sqlite3.OperationalError | psycopg.OperationalError,
) -> tuple[str, int, dict[str, str]]:
    if not is_transient(exc):
        raise exc  # a bug, not the weather: the usual 500 and a logged traceback
    log_unavailable(exc)
    return unavailable_page(), 503, {"Retry-After": str(RETRY_AFTER)}


def unavailable_page() -> str:
    return render_template("respond/unavailable.html", retry=request.method == "GET")


# Werkzeug's statuses that a user can cause, in bokmål: (title, what to do).
HTTP_PAGES = {
    400: ("Forespørselen kunne ikke leses", "Gå tilbake, last inn siden på nytt og prøv igjen."),
    403: ("Ingen tilgang", "Kontoen din har ikke tilgang til dette."),
    405: ("Ikke tillatt", "Siden kan ikke brukes på denne måten."),
    500: ("Noe gikk galt hos oss", "Feilen er logget. Prøv igjen senere."),
}


def _error_page(title: str, message: str) -> str:
    back = url_for("secretariat.rounds") if request.path.startswith("/sekretariat/") else None
    return render_template("error.html", title=title, message=message, back=back)


def _survey_error(exc: SurveyError) -> tuple[str, int, dict[str, str]]:
    headers = {}
    if isinstance(exc, Unavailable):  # the operator needs the details; the page has none
        current_app.logger.warning("%s %s: %s", request.method, request.path, exc.message)
        if exc.retry:
            headers["Retry-After"] = str(RETRY_AFTER)
    return _error_page(exc.title_nb, exc.message_nb), exc.status, headers


def _http_error(exc: BadRequest | Forbidden | MethodNotAllowed | InternalServerError) -> tuple:
    status = exc.code or 500
    title, message = HTTP_PAGES[status]
    headers = dict(exc.get_headers()) if isinstance(exc, MethodNotAllowed) else {}
    headers.pop("Content-Type", None)
    return _error_page(title, message), status, headers


def init_app(app: Flask) -> None:
    app.register_error_handler(SurveyError, _survey_error)
    for kind in (BadRequest, Forbidden, MethodNotAllowed, InternalServerError):
        app.register_error_handler(kind, _http_error)
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(TooManyFailures, _too_many)
    for database_error in DATABASE_ERRORS:
        app.register_error_handler(database_error, _database_unavailable)
