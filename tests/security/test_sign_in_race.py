"""The sign-in lockout against real parallel requests: gunicorn with several worker
processes on 127.0.0.1, and many browsers guessing at the same moment.

Each browser has its own session and CSRF token (fetched first, as a browser would), then
all post a wrong password together. Only MAX_FAILURES guesses may be checked; the rest, and
the right password after them, must be refused as locked. The old sign-in read the count,
checked the password and wrote count + 1, so with 4 workers about 16 guesses in a batch of
40 were checked and the right password signed in."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from survey.storage import open_database
from survey.storage.users import LOCK_MINUTES, MAX_FAILURES, add_user, audit_entries
from tests.conftest import ROOT
from tests.faults.conftest import Browser, free_port, wait_until_serving

WORKERS = 4
GUESSES = 40
EMAIL = "admin@sekretariatet.no"
PASSWORD = "et langt og godt passord"
WRONG = "Feil e-postadresse eller passord."
LOCKED = "For mange feil forsøk. Kontoen er låst i 15 minutter."


@contextmanager
def gunicorn(db_path: Path, log: Path, workers: int = WORKERS) -> Iterator[str]:
    """The app factory under gunicorn's sync workers on a free loopback port, in its own
    process group, which is ended as a whole (master and workers) afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "SURVEY_DATABASE": str(db_path),
        "SURVEY_SECRET_KEY": "sign-in-race",
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--worker-class", "sync", "--bind", f"127.0.0.1:{port}"]
    command += ["--no-control-socket", "--timeout", "60", "survey:create_app()"]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base, process, timeout=60)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def sign_in_form(base: str) -> Browser:
    """A fresh browser that has opened the sign-in page (its session and CSRF token)."""
    browser = Browser(base)
    page = browser.request("/logg-inn")
    assert page.status == 200 and browser.csrf
    return browser


def post_sign_in(browser: Browser, password: str):
    data = {"csrf_token": browser.csrf, "email": EMAIL, "password": password}
    return browser.request("/logg-inn", data)


def test_the_lockout_cannot_be_raced_by_parallel_requests_to_several_workers(tmp_path):
    db_path = tmp_path / "survey.sqlite3"
    db = open_database(db_path)
    add_user(db, EMAIL, PASSWORD, "admin")
    db.close()
    with gunicorn(db_path, tmp_path / "gunicorn.log") as base:
        browsers = [sign_in_form(base) for _ in range(GUESSES)]
        start = threading.Barrier(GUESSES)
        replies: list = [None] * GUESSES

        def guess(n: int) -> None:
            start.wait(timeout=30)
            replies[n] = post_sign_in(browsers[n], f"feil passord nummer {n}")

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert all(reply is not None for reply in replies), "a guess got no answer in time"

        right = sign_in_form(base)
        after = post_sign_in(right, PASSWORD)
        workspace = right.request("/sekretariat/")

    assert [reply.status for reply in replies] == [401] * GUESSES
    told_wrong = sum(WRONG in reply.body for reply in replies)
    told_locked = sum(LOCKED in reply.body for reply in replies)
    # the MAX_FAILURES-th checked guess is the one that locks, and says so
    assert (told_wrong, told_locked) == (MAX_FAILURES - 1, GUESSES - MAX_FAILURES + 1)
    assert after.status == 401 and LOCKED in after.body
    assert workspace.status == 302 and workspace.location.startswith("/logg-inn")

    db = open_database(db_path, migrate=False)
    try:
        checked = [a for _, _, a, _ in audit_entries(db) if a == "sign-in failed"]
        assert len(checked) == MAX_FAILURES  # only these passwords were ever checked
        assert not [a for _, _, a, _ in audit_entries(db) if a == "signed in"]
        count, locked_until = db.execute(
            "SELECT failed_sign_ins, locked_until FROM users WHERE email = ?", [EMAIL]
        ).fetchone()
    finally:
        db.close()
    assert count == MAX_FAILURES
    lock_left = datetime.fromisoformat(locked_until) - datetime.now(UTC)
    assert timedelta(minutes=LOCK_MINUTES - 2) < lock_left <= timedelta(minutes=LOCK_MINUTES)
