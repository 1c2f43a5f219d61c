"""Report PDFs rendered by workers into a cache of files, ordered through the job queue.

A national report takes seconds and hundreds of megabytes; rendering it inside a request
would hold a web process that respondents need. So asking for a PDF reads and checks the
report (``report_request``, with the asking account) and, unless its file is in the cache,
queues a job; a worker (``survey worker``, or a thread of the web process, see
``survey.workers``) makes the same ``report_request`` as the same account and renders it.
The file is named by a digest of everything it is made from (``report.fingerprint``) and of
what the release ledger decides about it, so it is served until anything in it would
change, by every web process alike, and deleted then.

Rendering releases nothing: figures leave only when the PDF is handed to an account
(``results.report_downloaded``, in the request that serves it), exactly as before workers.

A report decided already (a pack's, after the pack's earlier reports: see
``report_packs``) is queued with its page (HTML) written into the cache beside where its
PDF goes (``order_decided``): the job renders that page as it is, since deciding again
there would read a ledger without the pack's earlier reports.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey.accounts import Account
from survey.errors import Forbidden, InvalidInput, NotFound
from survey.operations.results import ReportRequest, report_request
from survey.report.fingerprint import report_digest
from survey.storage.jobs import Job, enqueue, job_by_key, requeue
from survey.storage.store import Store
from survey.storage.users import get_account

KIND = "report-pdf"
STALE_AFTER = 600  # seconds: a .part this old belongs to a render that died
#: The name ``file_name`` gives a cached PDF, without its suffix.
REPORT_FILE = re.compile(r"runde-[0-9]+-[0-9a-f]{16}-[0-9a-f]{32}")

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ReportOrder:
    """A PDF asked for: what it is made from, where its file is, and the job making it
    (None when the file was already there)."""

    asked: ReportRequest
    path: Path
    job: Job | None


def file_name(asked: ReportRequest, unit: str | None) -> str:
    """``runde-<round>-<which report>-<digest>.pdf``: the digest is of everything the
    report is made from and of what the releases before it decide (its comments, its
    hidden response rates); an earlier file of the same report (round, breakdown, unit,
    comparison) has another digest and is out of date."""
    results, by = asked.results, asked.by
    compared = asked.earlier.round.id if asked.earlier is not None else None
    which = hashlib.sha256(repr((by, unit, compared)).encode()).hexdigest()[:16]
    made_from = report_digest(results, by) + asked.decided_by_ledger()
    digest = hashlib.sha256(made_from.encode()).hexdigest()
    return f"runde-{results.round.id}-{which}-{digest[:32]}.pdf"


def job_key(name: str) -> str:
    """The queue's key of the job rendering the file ``name`` (with or without .pdf)."""
    return f"{KIND}:{Path(name).stem}"


def order_report_pdf(
    db: Store,
    actor: Account,
    round_id: int,
    by: str | Sequence[str],
    cache: Path,
    *,
    unit: str | None = None,
    compare: int | None = None,
    max_attempts: int = 3,
) -> ReportOrder:
    """The report's PDF asked for by ``actor``: checked as ``report_request`` checks it
    (Forbidden, NotFound, InvalidInput), older files of the same report deleted, and a job
    queued unless the file is there. Asking again while it renders is the same job."""
    asked = report_request(db, actor, round_id, by, unit=unit, compare=compare)
    path = cache / file_name(asked, unit)
    forget_superseded(path)
    if path.exists():
        return ReportOrder(asked, path, None)
    payload = {
        **acting_as(actor),
        "round": round_id,
        "by": list(asked.by),
        "unit": unit,
        "compare": compare,
        "file": path.name,
    }
    job = enqueue(db, KIND, job_key(path.name), payload, max_attempts=max_attempts, renew_done=True)
    return ReportOrder(asked, path, job)


def order_decided(
    db: Store,
    actor: Account,
    asked: ReportRequest,
    unit: str | None,
    cache: Path,
    *,
    max_attempts: int,
) -> Job:
    """Queue the PDF of a report decided by the caller (``asked``, as ``actor``): its page
    is written into the cache now (unless its PDF is there already) and the job renders
    that page, whatever the ledger says by then."""
    from survey.report.render import render_html  # WeasyPrint loads slowly

    path = cache / file_name(asked, unit)
    page = path.with_suffix(".html")
    there = path.is_file()
    if not there:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(page, render_html(asked.build()).encode())
    payload = {
        **acting_as(actor),
        "round": asked.results.round.id,
        "by": list(asked.by),
        "unit": unit,
        "file": path.name,
        "page": page.name,
    }
    key = job_key(path.name)
    return enqueue(db, KIND, key, payload, max_attempts=max_attempts, renew_done=not there)


def _write(target: Path, data: bytes) -> None:
    """Write a file whole or not at all, for every reader."""
    part = target.with_suffix(f".{time.monotonic_ns()}.part")
    try:
        part.write_bytes(data)
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)


def report_job(db: Store, round_id: int, name: str) -> Job | None:
    """The job of the cached file ``name`` (a ``REPORT_FILE``) of the round; NotFound for a
    name that is not one, or of another round (a status address made up or edited)."""
    if not REPORT_FILE.fullmatch(name) or not name.startswith(f"runde-{round_id}-"):
        raise NotFound(f"no report file {name!r} of round {round_id}")
    return job_by_key(db, job_key(name))


def retry_report_pdf(db: Store, order: ReportOrder) -> Job | None:
    """Try a failed rendering again, with all its attempts."""
    return requeue(db, job_key(order.path.name))


def render_report_pdf(
    db: Store, payload: Mapping[str, Any], cache: Path, progress: Progress
) -> str:
    """The job: the report asked for, read again as the account that asked (which must
    still exist and be enabled, and still may read it) and rendered into the cache. The
    figures may have moved on since it was asked for; then the file gets the name of what
    it now holds, and the request that serves it finds it by that name. Returns the file
    name."""
    from survey.report.render import render_html, render_pdf  # WeasyPrint loads slowly

    actor = job_actor(db, payload)
    decided = _decided(payload, cache)
    if decided is not None:
        target, page = decided
        if not target.is_file():
            progress(1, 2, "Lager PDF-filen")
            _write(target, render_pdf(page.read_text(encoding="utf-8")))
            forget_superseded(target)
        page.unlink(missing_ok=True)
        progress(2, 2, "Ferdig")
        return target.name
    progress(0, 3, "Leser tallene")
    unit = str(payload["unit"]) if payload.get("unit") is not None else None
    compare = payload.get("compare")
    asked = report_request(
        db,
        actor,
        _int(payload, "round"),
        [str(b) for b in payload.get("by", [])],
        unit=unit,
        compare=compare if isinstance(compare, int) else None,
    )
    target = cache / file_name(asked, unit)
    target.parent.mkdir(parents=True, exist_ok=True)  # a cache it cannot write: fail early
    if target.is_file():  # made already (a pack ordered again, or the same report twice)
        progress(3, 3, "Ferdig")
        return target.name
    progress(1, 3, "Setter opp rapporten")
    html = render_html(asked.build())
    progress(2, 3, "Lager PDF-filen")
    _write(target, render_pdf(html))
    forget_superseded(target)  # a pack's jobs are ordered without a look at the cache
    progress(3, 3, "Ferdig")
    return target.name


def _decided(payload: Mapping[str, Any], cache: Path) -> tuple[Path, Path] | None:
    """The PDF and the page of a report decided when it was queued (``order_decided``);
    None for a report to decide now, or whose page is gone (it is decided now, then)."""
    file, page = payload.get("file"), payload.get("page")
    if not isinstance(file, str) or not isinstance(page, str):
        return None
    stem = Path(file).stem
    if not REPORT_FILE.fullmatch(stem) or file != f"{stem}.pdf" or page != f"{stem}.html":
        return None  # a payload written by hand: nothing outside the cache is read
    target = cache / file
    if not target.is_file() and not (cache / page).is_file():
        return None
    return target, cache / page


def acting_as(actor: Account) -> dict[str, Any]:
    """Who a job acts as, in its payload: an account by its id, or the CLI's operator
    (``accounts.operator``, id 0), who has no account row, by its name."""
    if actor.id == 0:
        return {"account": 0, "operator": actor.email}
    return {"account": actor.id}


def job_actor(db: Store, payload: Mapping[str, Any]) -> Account:
    """The account a job acts as (``acting_as``); Forbidden unless it still exists and is
    enabled. The operator is whoever holds the database, as the command that queued the
    job was: a row of ``jobs`` is written by nobody else."""
    operator = payload.get("operator")
    if payload.get("account") == 0 and isinstance(operator, str) and operator.startswith("cli:"):
        return Account(0, operator[:200], "admin")
    actor = get_account(db, _int(payload, "account"))
    if actor is None:
        raise Forbidden(
            "the account that asked for the report no longer exists or is disabled",
            message_nb="Kontoen som ba om rapporten, finnes ikke lenger eller er deaktivert.",
        )
    return actor


def _int(payload: Mapping[str, Any], name: str) -> int:
    value = payload.get(name)
    if not isinstance(value, int):
        raise InvalidInput(f"the job's payload has no whole number {name!r}")
    return value


def forget_superseded(target: Path) -> list[Path]:
    """Delete the files of earlier versions of ``target``: those named like it up to the
    last "-" (the same report) with another key after it, and those from before the cache's
    names had a report in them (a bare key). A rendering still under way is left to finish
    (its ``.part``, unless stale); what it writes is deleted the next time. Returns what was
    deleted."""
    report, _, key = target.stem.rpartition("-")
    deleted = []
    for path in target.parent.glob("*") if target.parent.is_dir() else ():
        stem = path.name.split(".", 1)[0]
        other, _, other_key = stem.rpartition("-")
        if not ((other == report and other_key != key) or (not other and path.is_file())):
            continue
        if path.suffix == ".part" and time.time() - path.stat().st_mtime < STALE_AFTER:
            continue
        path.unlink(missing_ok=True)
        deleted.append(path)
    return deleted
