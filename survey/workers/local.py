"""The web process's own worker, for installations that run no ``survey worker``.

With ``WORKERS`` above 0 (the default, so ``make run`` and a small municipality need
nothing more), asking for a job (``kick``) makes sure a thread of this process is draining
the queue: it runs what is queued, ``WORKERS`` jobs at a time, in threads (a fresh process
per job would cost a web request's patience for little), and ends when nothing is left. A
job waiting for its retry is picked up by the next ``kick`` after its time (the waiting
page asks every few seconds). Jobs queued by any process are taken, as by any worker: the
queue does not care who runs them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from survey.workers.loop import Options, Worker
from survey.workers.tasks import Setup

_lock = threading.Lock()
_draining: dict[str, threading.Thread] = {}


def report_cache(config: Mapping[str, Any], instance_path: str) -> Path:
    """Where report PDFs are kept: REPORT_CACHE, or ``reports`` in the instance folder."""
    return Path(config.get("REPORT_CACHE") or Path(instance_path) / "reports")


def setup_of(config: Mapping[str, Any], instance_path: str) -> Setup:
    """What jobs need of the settings: the database, the report cache, and the MAIL_*
    settings as text (the outbox made absolute: a job's process has no instance folder)."""
    from survey.mail import MAIL_SETTINGS

    mail = {name: str(config[name]) for name in MAIL_SETTINGS if config.get(name) is not None}
    if not mail.get("MAIL_SERVER") and not mail.get("MAIL_OUTBOX"):
        mail["MAIL_OUTBOX"] = str(Path(instance_path) / "outbox")
    return Setup(str(config["DATABASE"]), str(report_cache(config, instance_path)), mail)


def options_of(config: Mapping[str, Any], **changes: Any) -> Options:
    return Options(
        lease=float(config["JOB_LEASE"]),
        retry_delay=float(config["JOB_RETRY_DELAY"]),
        **changes,
    )


def kick(config: Mapping[str, Any], instance_path: str) -> bool:
    """Start draining the queue in this process unless it already is, or ``WORKERS`` is 0
    (external workers do it). True when a thread is draining now."""
    count = int(config["WORKERS"])
    if count <= 0:
        return False
    setup = setup_of(config, instance_path)
    with _lock:
        thread = _draining.get(setup.database)
        if thread is not None and thread.is_alive():  # a forked child sees its parent's dead
            return True
        worker = Worker(setup, options_of(config, concurrency=count, fresh_process=False))
        thread = threading.Thread(
            target=worker.run, kwargs={"drain": True}, name="survey-jobs", daemon=True
        )
        _draining[setup.database] = thread
        thread.start()
    return True


def wait_drained(database: str, timeout: float = 60) -> None:
    """Wait until this process's thread draining ``database``'s queue has ended: before the
    database goes away (a test's PostgreSQL database is dropped, which ends the thread's
    connection under it)."""
    with _lock:
        thread = _draining.get(database)
    if thread is not None:
        thread.join(timeout)
