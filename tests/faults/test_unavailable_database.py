"""A database that cannot be written right now: read-only, full, or locked too long.

Each fault is produced by SQLite itself on the app's own connection: ``query_only`` makes
every write fail as on a read-only file (SQLITE_READONLY), ``max_page_count`` stops the
file from growing as on a full disk (SQLITE_FULL), and a writer holding the lock past the
busy timeout gives SQLITE_BUSY. The respondent must get a bokmål "try again" page with
status 503 and everything typed still in the form; nothing may be half-written."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

import survey.web.database
from survey.storage import open_database
from tests.security.conftest import LIKERT_P3, MAYOR, P4, Elements, everything, post_page, stored
from tests.web.conftest import csrf

real_open_database = open_database


def read_only(db) -> None:
    db.execute("PRAGMA query_only = ON")


def disk_full(db) -> None:
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    db.execute(f"PRAGMA max_page_count = {pages}")


def short_busy_timeout(db) -> None:
    db.execute("PRAGMA busy_timeout = 50")


@pytest.fixture
def fault(monkeypatch) -> Callable[[Callable | None], None]:
    """fault(read_only) from now on gives the app's connections that fault; fault(None)
    repairs it."""

    def use(apply: Callable | None) -> None:
        def opener(path, *, migrate=True):
            db = real_open_database(path, migrate=migrate)
            if apply is not None:
                apply(db)
            return db

        monkeypatch.setattr(survey.web.database, "open_database", opener)
        survey.web.database.close_all()  # connections are kept: the next one gets the fault

    return use


def checked(html: str, input_id: str) -> bool:
    return "checked" in Elements(html).by_id(input_id)


def assert_try_again_with_answers_kept(r) -> str:
    html = r.get_data(as_text=True)
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "30"
    assert "Svarene ble ikke lagret – prøv igjen" in html
    assert "Svarene du skrev" in html and "står fortsatt her" in html
    return html


@pytest.mark.parametrize("kind", [read_only, disk_full], ids=["read-only", "disk full"])
def test_a_page_that_cannot_be_saved_is_kept_in_the_form_and_can_be_sent_again(setup, fault, kind):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    post_page(client, f"/s/{token}/side/3", {**LIKERT_P3, "action": "next"})
    post_page(client, f"/s/{token}/side/4", {**P4, "action": "next"})
    before = everything(setup)
    page = client.get(f"/s/{token}/side/5")
    fault(kind)
    text = "Lang kommentar om nettverket. " * 150  # needs new pages in the file
    r = client.post(
        f"/s/{token}/side/5",
        data={"csrf_token": csrf(page.get_data(as_text=True)), "q14": text, "action": "next"},
    )
    html = assert_try_again_with_answers_kept(r)
    assert Elements(html).text_in["q14"] == text
    assert everything(setup) == before  # nothing half-written, not submitted
    check = setup.db()
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()

    fault(None)  # the disk has room again: sending the same form works
    r = client.post(
        f"/s/{token}/side/5", data={"csrf_token": csrf(html), "q14": text, "action": "next"}
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/ferdig")
    assert ("q14", "", None, text.strip()) in stored(setup, MAYOR)
    assert setup.rows("SELECT submitted FROM responses") == [(1,)]


def test_a_returning_respondent_can_still_read_a_read_only_database(setup, fault):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    post_page(client, f"/s/{token}/side/3", {**LIKERT_P3, "action": "next"})
    fault(read_only)
    assert client.get(f"/s/{token}").status_code == 200
    page = client.get(f"/s/{token}/side/3")
    assert page.status_code == 200 and checked(page.get_data(as_text=True), "q5-5")
    r = client.post(
        f"/s/{token}/side/3",
        data={"csrf_token": csrf(page.get_data(as_text=True)), **LIKERT_P3, "q5": "2"},
    )
    html = assert_try_again_with_answers_kept(r)
    assert checked(html, "q5-2") and checked(html, "q9b-vet_ikke")


def test_a_first_visit_to_a_read_only_database_shows_the_page_and_keeps_what_is_typed(setup, fault):
    """A first visit only reads (the response is stored with its first page), so it works on
    a read-only database; the page that cannot be saved keeps its answers."""
    fault(read_only)
    client = setup.app.test_client()
    page = client.get(f"/s/{setup.tokens[MAYOR]}/side/1")
    assert page.status_code == 200
    r = client.post(
        f"/s/{setup.tokens[MAYOR]}/side/1",
        data={"csrf_token": csrf(page.get_data(as_text=True)), "q1": "ordforer", "action": "next"},
    )
    html = assert_try_again_with_answers_kept(r)
    assert checked(html, "q1")  # the first choice (ordfører) has the question's own id
    assert setup.rows("SELECT count(*) FROM responses") == [(0,)]


def test_a_page_that_cannot_even_be_read_gets_the_try_again_page(setup, fault):
    """Another process holding the database exclusively (``locking_mode = EXCLUSIVE``, as a
    careless maintenance script might) past the busy timeout: even a read must wait."""
    fault(short_busy_timeout)
    blocker = setup.db()
    blocker.execute("PRAGMA locking_mode = EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    blocker.execute("UPDATE rounds SET name = name")
    try:
        r = setup.app.test_client().get(f"/s/{setup.tokens[MAYOR]}/side/1")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    html = r.get_data(as_text=True)
    assert r.status_code == 503 and r.headers["Retry-After"] == "30"
    assert "<h1>Prøv igjen om litt</h1>" in html
    assert re.search(r'<a href="/s/[^"]+/side/1">Prøv igjen</a>', html)
    assert setup.rows("SELECT count(*) FROM responses") == [(0,)]


def test_a_lock_held_too_long_gets_the_try_again_page_with_answers_kept(setup, fault):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    page = client.get(f"/s/{token}/side/4")
    fault(short_busy_timeout)
    blocker = setup.db()
    blocker.execute("BEGIN IMMEDIATE")  # e.g. a long import holding the write lock
    try:
        r = client.post(
            f"/s/{token}/side/4",
            data={"csrf_token": csrf(page.get_data(as_text=True)), **P4, "action": "next"},
        )
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    html = assert_try_again_with_answers_kept(r)
    assert checked(html, "q10-ja_begge") and checked(html, "q11a-nei")
    assert [row[0] for row in stored(setup, MAYOR)] == ["q1"]


def test_a_programming_error_is_not_disguised_as_a_temporary_problem(setup, fault):
    def broken(db) -> None:
        db.execute("DROP TABLE answers")

    client = setup.app.test_client()
    post_page(client, f"/s/{setup.tokens[MAYOR]}/side/1", {"q1": "ordforer", "action": "next"})
    fault(broken)  # the started response's answers are read on every visit
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    r = client.get(f"/s/{setup.tokens[MAYOR]}/side/1")
    assert r.status_code == 500
