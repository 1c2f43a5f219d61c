"""Shared helpers: questionnaires are written inline in tests, as their authors would."""

from __future__ import annotations

import tempfile
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import Phase, settings
from playwright.sync_api import Browser, sync_playwright
from werkzeug.serving import make_server

from survey.questionnaire import LoadResult, load_text
from survey.settings import SETTINGS
from survey.web.wcag import CRITERIA
from tests.pg import Cluster

ROOT = Path(__file__).resolve().parents[1]
QUESTIONNAIRES = ROOT / "questionnaires"

settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.register_profile("explicit", deadline=None, phases=[Phase.explicit])
settings.load_profile("ci")

HEADER = """\
id: test
version: 1
title: Test
"""


def yaml(text: str) -> str:
    """Dedent an inline YAML document so that its first line is line 1."""
    return textwrap.dedent(text).lstrip("\n")


def document(text: str) -> str:
    """An inline questionnaire as its file: dedented so its first line is line 1 and, unless
    it begins with an ``id:`` of its own, under the usual three-line ``HEADER``, so a test
    writes only what it is about. Line numbers in messages count the header's lines."""
    body = yaml(text)
    return body if body.startswith("id:") else HEADER + body


def lint(text: str) -> LoadResult:
    return load_text(document(text), "q.yaml")


def messages(result: LoadResult) -> list[str]:
    """Problems without hints, in the linter's own output form."""
    return [str(p).split("\n")[0] for p in result.problems]


@pytest.fixture
def bundled() -> list[Path]:
    return sorted(QUESTIONNAIRES.glob("*.yaml"))


@pytest.fixture(autouse=True)
def _no_settings_from_the_environment(monkeypatch):
    """The app reads SURVEY_* settings from the environment; one exported in the shell that
    runs the tests (a real SURVEY_MAIL_SERVER, say) must not change what they do."""
    for setting in SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)


@pytest.fixture(autouse=True)
def _close_kept_connections():
    """The web layer keeps one connection per thread and database; a test's database is
    gone after the test, so its connection must not outlive it."""
    yield
    from survey.web import database

    database.close_all()


STORES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One throwaway PostgreSQL cluster for the session, started on first use."""
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="survey-pg-"))).start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=STORES)
def database(request, tmp_path) -> Iterator[str]:
    """Where a test's survey database is, once on each store: a SQLite file that does not
    exist yet, or the URL of a fresh PostgreSQL database, already migrated. A test that
    takes it runs on both stores; ``open_database`` and the app's ``DATABASE`` take either."""
    if request.param == "sqlite":
        yield str(tmp_path / "survey.sqlite3")
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.fresh_database()
    yield url
    from survey.web import database as web_database
    from survey.workers import local

    local.wait_drained(url)  # a report job the test asked for may still be under way
    web_database.close_all()
    cluster.drop(url)


@contextmanager
def server_thread(app) -> Iterator[str]:
    """The app on a free loopback port, served by werkzeug's threaded server."""
    http_server = make_server("127.0.0.1", 0, app, threaded=True)
    http_server.request_queue_size = 256
    thread = threading.Thread(target=http_server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http_server.server_port}"
    finally:
        http_server.shutdown()
        http_server.server_close()
        thread.join(timeout=10)


# Debian's Chromium, never a downloaded one, started with background networking off so it
# talks to nothing but our own loopback servers (or a test's routing table).
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One browser for the whole session: Playwright's sync API allows one instance per
    thread, so every test that drives Chromium shares this one (tests/browser,
    tests/accessibility)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


# The accessibility statement's claims (survey/web/wcag.py) stand on the tests it cites, so a
# cited test that is skipped (or expected to fail) must not leave the run green: the claim
# would stand on nothing. A test a narrower run never selected is no such case.
CITED = frozenset(test for criterion in CRITERIA for test in criterion.tests)
_skipped_claims: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and (report.nodeid in CITED or report.nodeid.split("[")[0] in CITED):
        _skipped_claims.append(report.nodeid)


def pytest_terminal_summary(terminalreporter) -> None:
    if _skipped_claims:
        terminalreporter.write_line(
            "The accessibility statement cites tests that did not run: "
            + ", ".join(_skipped_claims),
            red=True,
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped_claims and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
