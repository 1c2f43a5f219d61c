"""``/helse``: whether this process can serve, for load balancers and monitoring.

A load balancer asks every few seconds and takes a process out of rotation on anything but
200. So the answer is cheap and bounded: one read of the small migrations table on the
request's kept connection (in WAL mode a read waits for no writer; at worst SQLite's busy
timeout), no count of anything, no session (no cookie is set), and the link-guessing brake
never sees it. It tells nothing an outsider could use: each check's name, ok or not, and a
fixed text, never an exception's message (which could hold a path) or a figure.

The checks are a list (``app.extensions["survey_health_checks"]``) of named functions, each
given the same ``Probe``; a later part of the engine adds its own to the list. A check is
*serving* (database, migrations: this process cannot answer respondents without it, so the
answer is 503 and the balancer takes it out) or not (workers): a failing one makes the
status "degraded" with 200. The ``workers`` check reads the newest heartbeat of the
``survey worker`` processes when jobs are left to them (``WORKERS`` = 0): none within a
lease means reports and mail wait, which monitoring must see, but every web machine shares
that state, so a 503 would take them all out of the balancer and stop respondents
answering for the sake of reports. Where the web processes run jobs themselves
(``WORKERS`` above 0), there is nothing to wait for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Flask, Response, current_app, jsonify

from survey.storage.jobs import worker_heartbeat
from survey.storage.migrations import SchemaState, schema_state
from survey.web.database import get_db

PATH = "/helse"
EXTENSION = "survey_health_checks"  # the list of (name, check)

bp = Blueprint("health", __name__)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str  # a fixed text: never an error's message, a path or a count


class Probe:
    """What the checks of one request share: the schema is read once, by the first asking."""

    def __init__(self) -> None:
        self._schema: SchemaState | None = None
        self._failed = False

    def schema(self) -> SchemaState | None:
        """The database's schema state, or None when the database could not be read."""
        if self._schema is None and not self._failed:
            try:
                self._schema = schema_state(get_db(migrate=False))
            except Exception:  # whatever the store raises, the answer is "not reachable"
                current_app.logger.warning("health check: database unreachable", exc_info=True)
                self._failed = True
        return self._schema


Check = Callable[[Probe], Outcome]


def database(probe: Probe) -> Outcome:
    if probe.schema() is None:
        return Outcome(False, "unreachable")
    return Outcome(True, "reachable")


def migrations(probe: Probe) -> Outcome:
    state = probe.schema()
    if state is None:
        return Outcome(False, "unknown: the database is unreachable")
    if state.pending:
        return Outcome(False, "behind this release: run 'survey init-db'")
    if state.unknown:
        return Outcome(False, "ahead of this release: upgrade this machine")
    return Outcome(True, "current")


def workers(probe: Probe) -> Outcome:
    if current_app.config["WORKERS"] > 0:
        return Outcome(True, "jobs are run in the web processes")
    if probe.schema() is None:
        return Outcome(False, "unknown: the database is unreachable")
    newest = worker_heartbeat(get_db(migrate=False))
    lease = timedelta(seconds=current_app.config["JOB_LEASE"])
    if newest is None or datetime.now(UTC) - newest > lease:
        return Outcome(False, "no worker has reported within a lease: start 'survey worker'")
    return Outcome(True, "a worker reported within a lease")


CHECKS: tuple[tuple[str, Check], ...] = (
    ("database", database),
    ("migrations", migrations),
    ("workers", workers),
)
NOT_SERVING = frozenset({"workers"})
"""Checks whose failure leaves this process able to answer respondents: "degraded", 200."""


@bp.route(PATH)
def health() -> tuple[Response, int]:
    probe = Probe()
    results = [(name, check(probe)) for name, check in current_app.extensions[EXTENSION]]
    serving = all(outcome.ok for name, outcome in results if name not in NOT_SERVING)
    healthy = serving and all(outcome.ok for _, outcome in results)
    response = jsonify(
        status="ok" if healthy else "degraded" if serving else "failing",
        checks=[{"name": n, "ok": o.ok, "detail": o.detail} for n, o in results],
    )
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if serving else 503


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = list(CHECKS)
    app.register_blueprint(bp)
