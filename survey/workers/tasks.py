"""What each kind of job does, and how it ended (``outcome_of``): the same in a job's own
process (``loop.py`` forks one per job) and in a thread of the web process (``local.py``).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from survey.errors import Conflict, Forbidden, SurveyError, Unavailable
from survey.storage.jobs import set_progress
from survey.storage.store import Store


@dataclass(frozen=True)
class Setup:
    """Where a job's things are: the same for every job of an installation. ``mail`` holds
    the MAIL_* settings (text, as the settings give them) a mail batch sends with; a job's
    forked process has them in memory, never on a command line (the password)."""

    database: str
    report_cache: str
    mail: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What a running job may use: the database, where files go, and a way to say how far
    it is (only while its worker still holds it)."""

    db: Store
    setup: Setup
    job_id: int
    worker: str

    def progress(self, done: int, total: int, text: str) -> None:
        set_progress(self.db, self.job_id, self.worker, done, total, text)


class Outcome(NamedTuple):
    """How a job ended: a result, or an error (first line for the secretariat, then the
    details) and whether another attempt could help."""

    result: str | None = None
    error: str | None = None
    retry: bool = True


def _report_pdf(context: Context, payload: Mapping[str, Any]) -> str | None:
    from survey.operations.report_files import render_report_pdf

    cache = Path(context.setup.report_cache)
    return render_report_pdf(context.db, payload, cache, context.progress)


def _report_pack(context: Context, payload: Mapping[str, Any]) -> str | None:
    from survey.operations.report_packs import make_pack

    cache = Path(context.setup.report_cache)
    return make_pack(context.db, payload, cache, context.progress)


def _mail_batch(context: Context, payload: Mapping[str, Any]) -> str | None:
    """A round's invitations or reminders, sent as ``payload["actor"]`` asked: the same
    operation the CLI calls, so the same rules (one batch per round at a time, each outcome
    recorded as it happens, a retry sending only to those not reached)."""
    from survey.mail import mailer_from_config
    from survey.operations.mail import send_mail
    from survey.storage.users import get_account

    actor = get_account(context.db, int(payload["actor"]))
    if actor is None:
        raise Forbidden("the account that asked for the mail no longer exists")
    mailer = mailer_from_config(context.setup.mail)
    result = send_mail(
        context.db,
        actor,
        int(payload["round_id"]),
        str(payload["kind"]),
        str(payload["base_url"]),
        mailer,
        progress=context.progress,
    )
    return f"{result.sent}/{result.failed}"


SELFTEST_LIMIT = 600.0  # seconds


def _selftest(context: Context, payload: Mapping[str, Any]) -> str | None:
    """A job that only takes time (``seconds``) and fails when told to (``fail``): checks a
    worker end to end (`survey worker --check`) and lets the tests see the queue at work
    without rendering reports."""
    seconds = min(max(float(payload.get("seconds", 0)), 0.0), SELFTEST_LIMIT)
    steps = max(1, min(10, int(seconds * 10)))
    for step in range(steps):
        context.progress(step, steps, "Tester arbeidsprosessen")
        time.sleep(seconds / steps)
    if payload.get("fail"):
        raise RuntimeError(str(payload.get("fail"))[:200])
    import os

    return f"pid {os.getpid()}"


TASKS: dict[str, Callable[[Context, Mapping[str, Any]], str | None]] = {
    "report-pdf": _report_pdf,
    "report-pack": _report_pack,
    "mail-batch": _mail_batch,
    "selftest": _selftest,
}


def outcome_of(kind: str, payload: Mapping[str, Any], context: Context) -> Outcome:
    """Run the job and say how it ended. An error a user caused (a report of a unit the
    account may no longer read, a round that is gone) is not retried; anything else (a
    database busy or full, figures that moved on meanwhile, a bug) is, up to the job's
    attempts."""
    task = TASKS.get(kind)
    if task is None:
        return Outcome(error=f"unknown kind of job {kind!r}", retry=False)
    try:
        return Outcome(result=task(context, payload))
    except SurveyError as error:
        transient = isinstance(error, Unavailable | Conflict)
        return Outcome(error=describe(error), retry=transient)
    except Exception as error:
        return Outcome(error=describe(error))


def describe(error: BaseException) -> str:
    """The error as stored: a first line the secretariat is shown (bokmål for our own
    errors, the exception's own words for a bug), then the traceback for whoever runs it."""
    if isinstance(error, SurveyError):
        first = error.message_nb
    else:
        first = f"{type(error).__name__}: {error}"
    details = "".join(traceback.format_exception(error))
    return f"{first.splitlines()[0] if first else type(error).__name__}\n\n{details}"
