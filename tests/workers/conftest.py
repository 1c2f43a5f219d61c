"""`survey worker` as real processes against one database (a SQLite file or PostgreSQL),
with short leases."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from survey.storage import open_database
from survey.storage.jobs import Job, list_jobs
from tests.conftest import ROOT

SURVEY = [sys.executable, "-c", "from survey.cli import main; main()"]
FAST = {  # a lease of 2 s is beaten every 0.5 s; retries come at once
    "SURVEY_JOB_LEASE": "2",
    "SURVEY_JOB_RETRY_DELAY": "0",
    "SURVEY_JOB_ATTEMPTS": "3",
}


def worker_env(database: Path | str, **settings: str) -> dict[str, str]:
    return {
        **os.environ,
        **FAST,
        "SURVEY_DATABASE": str(database),
        "SURVEY_SECRET_KEY": "workers",
        "PYTHONUNBUFFERED": "1",
        **settings,
    }


def start_worker(database: Path | str, *args: str, log: Path, **settings: str) -> subprocess.Popen:
    """``survey worker ARGS`` writing what it says to ``log`` (files: nothing to block on)."""
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [*SURVEY, "worker", *args],
            cwd=ROOT,
            env=worker_env(database, **settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def jobs(database: Path | str) -> list[Job]:
    db = open_database(database)
    try:
        return list_jobs(db)
    finally:
        db.close()


def wait_for(what: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
