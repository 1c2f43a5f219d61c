"""Respondents over real HTTP on 127.0.0.1: a plan of answers per person, a small browser
(cookies, CSRF token, no redirect following) and servers in a thread or a process."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from survey.invitation_list import Person
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from survey.storage.store import is_postgres_url
from tests.conftest import QUESTIONNAIRES, ROOT
from tests.web.conftest import Setup, sqlite_setup  # noqa: F401 - the fixture is used here


@pytest.fixture
def setup(sqlite_setup: Setup) -> Setup:  # noqa: F811
    """tests/web's 2009 round, on SQLite: the faults that take it are SQLite's own
    (pragmas, a read-only file); PostgreSQL's have their own tests."""
    return sqlite_setup


TIMEOUT = 30  # seconds per request: longer than the database's busy timeout
ROLES = ("ordforer", "radmann", "tillitsvalgt", "prosjektleder")
LIKERT = ("q5", "q6", "q7", "q8", "q9a")
CONNECTION_ERRORS = (urllib.error.URLError, ConnectionError, http.client.HTTPException, OSError)

Row = tuple[str, str, float | None, str | None]


@dataclass(frozen=True)
class Step:
    page: int
    data: dict[str, str]
    rows: frozenset[Row]  # what this page stores


def plan(i: int) -> list[Step]:
    """Respondent i's answers, different for everyone so a mix-up would show."""
    role = ROLES[i % len(ROLES)]
    steps = [Step(1, {"q1": role}, frozenset({("q1", role, None, None)}))]
    if role == "prosjektleder":
        share = i % 101
        steps.append(
            Step(
                2,
                {"q2": "ja", "q2__ja": f"Ny leder {i}", "q3": "skifte", "q4": "frikjopt"}
                | {"q4__frikjopt": str(share)},
                frozenset(
                    {
                        ("q2", "ja", None, f"Ny leder {i}"),
                        ("q3", "skifte", None, None),
                        ("q4", "frikjopt", float(share), None),
                    }
                ),
            )
        )
    likert = {item: 1 + (i + k) % 6 for k, item in enumerate(LIKERT)}
    steps.append(
        Step(
            3,
            {item: str(v) for item, v in likert.items()} | {"q9b": "vet_ikke"},
            frozenset({(item, "", float(v), None) for item, v in likert.items()})
            | {("q9b", "vet_ikke", None, None)},
        )
    )
    steps.append(
        Step(
            4,
            {"q10": "nei", "q11a": "ja", "q11b": "vet_ikke", "q12": str(1 + i % 6), "q13": "6"},
            frozenset(
                {
                    ("q10", "nei", None, None),
                    ("q11a", "ja", None, None),
                    ("q11b", "vet_ikke", None, None),
                    ("q12", "", float(1 + i % 6), None),
                    ("q13", "", 6.0, None),
                }
            ),
        )
    )
    text = f"Svar nr. {i} – æøå"
    steps.append(Step(5, {"q14": text}, frozenset({("q14", "", None, text)})))
    return steps


def expected_rows(i: int) -> frozenset[Row]:
    return frozenset().union(*(step.rows for step in plan(i)))


def email(i: int) -> str:
    return f"person{i}@kommune.example.no"


def invited_round(path: str | Path, people: int) -> dict[int, str]:
    """A 2009 round with ``people`` invitations; returns respondent number -> token."""
    db = open_database(path)
    publish(db, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    round_ = create_round(db, "kvalitetskommune-2009", "Feiltest")
    invitations = add_invitations(
        db,
        round_.id,
        [
            Person(f"Person {i}", email(i), ROLES[i % len(ROLES)], f"Kommune {i % 7}", {})
            for i in range(people)
        ],
    )
    db.close()
    by_email = {inv.email: inv.token for inv in invitations}
    return {i: by_email[email(i)] for i in range(people)}


def rows_by_respondent(path: str | Path) -> dict[int, tuple[bool, frozenset[Row]]]:
    """respondent number -> (submitted, answer rows), read with a plain connection."""
    db = open_database(path, migrate=False)
    try:
        found: dict[int, tuple[bool, set[Row]]] = {}
        for address, submitted in db.execute(
            "SELECT i.email, r.submitted FROM responses r JOIN invitations i "
            "ON i.id = r.invitation_id"
        ):
            found[int(re.search(r"\d+", address).group())] = (bool(submitted), set())
        for address, *row in db.execute(
            "SELECT i.email, a.item, a.code, a.number, a.text FROM answers a "
            "JOIN responses r ON r.id = a.response_id JOIN invitations i "
            "ON i.id = r.invitation_id"
        ):
            found[int(re.search(r"\d+", address).group())][1].add(tuple(row))
        return {i: (submitted, frozenset(rows)) for i, (submitted, rows) in found.items()}
    finally:
        db.close()


def integrity(path: str | Path) -> str:
    """'ok', or what is wrong: SQLite's integrity check of the file, or on PostgreSQL
    amcheck's of every index of the survey's tables (their entries ordered, and each
    pointing at a row that is there); on both, no invitation with two responses."""
    db = open_database(path, migrate=False)
    try:
        twice = db.execute(
            "SELECT count(*) FROM (SELECT invitation_id FROM responses "
            "WHERE invitation_id IS NOT NULL GROUP BY invitation_id HAVING count(*) > 1) t"
        ).fetchone()[0]
        if twice:
            return f"{twice} invitation(s) with more than one response"
        if not is_postgres_url(str(path)):
            return db.execute("PRAGMA integrity_check").fetchone()[0]
        db.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        checked = db.execute(  # raises on the first index found broken
            "SELECT count(bt_index_check(c.oid, true)) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
            "WHERE am.amname = 'btree' AND c.relnamespace = current_schema()::regnamespace"
        ).fetchone()[0]
        return "ok" if checked else "no index was checked"
    finally:
        db.close()


@dataclass
class Reply:
    status: int
    location: str
    body: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One respondent's browser: its own cookies (session with the CSRF secret)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(), _NoRedirect()
        )
        self.csrf = ""

    def request(self, path: str, data: dict | None = None) -> Reply:
        body = None if data is None else urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                reply = Reply(response.status, "", response.read().decode())
        except urllib.error.HTTPError as exc:
            reply = Reply(exc.code, exc.headers.get("Location", ""), exc.read().decode())
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', reply.body)
        if found:
            self.csrf = found.group(1)
        return reply

    def post(self, path: str, data: dict) -> Reply:
        return self.request(path, {"csrf_token": self.csrf, **data, "action": "next"})


def with_retries(send, attempts: int = 4) -> Reply:
    """What a browser user does when a page does not load: try again (a few times)."""
    for attempt in range(attempts):
        try:
            return send()
        except CONNECTION_ERRORS:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVE_WORKERS = 3  # gunicorn processes on PostgreSQL: more than one, so they race


def start_server_process(db_path: str | Path, port: int) -> subprocess.Popen:
    """The server as its own process, in a session of its own so that ``kill_server``
    takes all of it: on a SQLite file `survey run`, the development server; on PostgreSQL
    `survey serve` with SERVE_WORKERS gunicorn processes, each with its own connection
    pool, the shape a PostgreSQL installation runs in (`survey serve`'s own tests are
    tests/test_serve.py)."""
    env = {
        **os.environ,
        "SURVEY_DATABASE": str(db_path),
        "SURVEY_SECRET_KEY": "fault-tests",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-c", "from survey.cli import main; main()"]
    if is_postgres_url(str(db_path)):
        env |= {"SURVEY_WEB_WORKERS": str(SERVE_WORKERS), "SURVEY_WEB_THREADS": "4"}
        command.append("serve")
    else:
        command.append("run")
    return subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def assert_all_workers(db_path: str | Path, process: subprocess.Popen, timeout: float = 30) -> None:
    """On PostgreSQL, wait until gunicorn has forked all SERVE_WORKERS processes (the first
    answers before the last is forked), so that the test runs against several."""
    if not is_postgres_url(str(db_path)):
        return
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + timeout
    while len(children.read_text().split()) < SERVE_WORKERS:
        assert time.monotonic() < deadline, "gunicorn did not start all its workers"
        time.sleep(0.05)


def kill_server(process: subprocess.Popen) -> None:
    """SIGKILL to every process of the server (gunicorn's master and its workers at once,
    as when the machine dies): no cleanup, no checkpoint, mid-request."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@contextmanager
def server_process(db_path: str | Path) -> Iterator[str]:
    port = free_port()
    process = start_server_process(db_path, port)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base, process)
        assert_all_workers(db_path, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill_server(process)


def wait_until_serving(base: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/static/survey.css", timeout=2) as response:
                if response.status == 200:
                    return
        except CONNECTION_ERRORS:
            time.sleep(0.05)
    raise AssertionError(f"server at {base} did not start within {timeout} s")
