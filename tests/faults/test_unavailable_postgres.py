"""A PostgreSQL server that cannot serve right now, for real: a session ended by an
administrator while a page is being saved, the whole server shut down and started again,
the write lock held too long. The respondent gets the same bokmål "try again" page with
status 503 as on SQLite (tests/faults/test_unavailable_database.py), with everything typed
still in the form when a page could not be saved, and the page saves once the server is
back. A bug (a table missing) is still a 500."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import psycopg
import pytest

import survey.web.database
from survey.storage.store import WRITE_LOCK
from tests.faults.test_unavailable_database import assert_try_again_with_answers_kept, checked
from tests.security.conftest import MAYOR, P4, post_page, stored
from tests.web.conftest import Setup, csrf, make_setup

pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)

SAVED_P4 = ["q1", "q10", "q11a", "q11b", "q12", "q13"]


@pytest.fixture
def setup(database) -> Setup:
    return make_setup(database)


@contextmanager
def write_lock_held(url: str) -> Iterator[psycopg.Connection]:
    """The one write lock, held by another session (a long import, say) until the end."""
    with psycopg.connect(url, autocommit=True) as holder, holder.transaction():
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
        yield holder


def backend_waiting_for_the_lock(url: str, timeout: float = 20) -> int:
    """The process id of the session that waits for the write lock: the app's request."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as admin:
        while time.monotonic() < deadline:
            row = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
            ).fetchone()
            if row is not None:
                return int(row[0])
            time.sleep(0.02)
    raise AssertionError("no request came to wait for the write lock")


def test_a_session_ended_while_its_page_is_saved_keeps_the_answers_and_saves_later(setup):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    page = client.get(f"/s/{token}/side/4")
    data = {"csrf_token": csrf(page.get_data(as_text=True)), **P4, "action": "next"}
    with write_lock_held(setup.db_path), ThreadPoolExecutor(1) as respondent:
        sending = respondent.submit(client.post, f"/s/{token}/side/4", data=data)
        pid = backend_waiting_for_the_lock(setup.db_path)
        with psycopg.connect(setup.db_path, autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
        r = sending.result(timeout=30)
    html = assert_try_again_with_answers_kept(r)
    assert checked(html, "q10-ja_begge") and checked(html, "q11a-nei") and checked(html, "q13-5")
    assert [row[0] for row in stored(setup, MAYOR)] == ["q1"]  # nothing of page 4

    # Sending the same form again: the pool replaced the ended connection.
    r = client.post(f"/s/{token}/side/4", data={"csrf_token": csrf(html), **P4, "action": "next"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/side/5")
    assert [row[0] for row in stored(setup, MAYOR)] == SAVED_P4


def test_a_server_shut_down_and_started_again(setup, pg_cluster, monkeypatch):
    """While the server is down no connection can be had (the pool waits POOL_TIMEOUT for
    one): the "try again" page, with a link to the same page. Once it is up again, the
    same browser loads the page (its pooled connections, ended by the shutdown, are
    replaced) and its form saves."""
    monkeypatch.setattr(survey.web.database, "POOL_TIMEOUT", 1.0)
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    form = csrf(client.get(f"/s/{token}/side/4").get_data(as_text=True))
    pg_cluster.halt()
    try:
        down = client.get(f"/s/{token}/side/4")
        posted = client.post(f"/s/{token}/side/4", data={"csrf_token": form, **P4})
    finally:
        pg_cluster.serve()
    for r in (down, posted):
        html = r.get_data(as_text=True)
        assert r.status_code == 503 and r.headers["Retry-After"] == "30"
        assert "<h1>Prøv igjen om litt</h1>" in html and "Traceback" not in html
    assert f'<a href="/s/{token}/side/4">Prøv igjen</a>' in down.get_data(as_text=True)

    deadline = time.monotonic() + 30  # the respondent presses "Prøv igjen" now and then
    while (again := client.get(f"/s/{token}/side/4")).status_code == 503:
        assert time.monotonic() < deadline, "the app did not reconnect"
        time.sleep(0.5)
    assert again.status_code == 200
    data = {"csrf_token": csrf(again.get_data(as_text=True)), **P4, "action": "next"}
    r = client.post(f"/s/{token}/side/4", data=data)
    assert r.status_code == 302 and r.headers["Location"].endswith("/side/5")
    assert [row[0] for row in stored(setup, MAYOR)] == SAVED_P4


def test_a_lock_held_too_long_gets_the_try_again_page_with_answers_kept(setup, monkeypatch):
    monkeypatch.setattr(survey.web.database, "LOCK_TIMEOUT", 0.3)
    survey.web.database.close_all()  # a new pool, its connections with the short wait
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    page = client.get(f"/s/{token}/side/4")
    data = {"csrf_token": csrf(page.get_data(as_text=True)), **P4, "action": "next"}
    with write_lock_held(setup.db_path):
        r = client.post(f"/s/{token}/side/4", data=data)
    html = assert_try_again_with_answers_kept(r)
    assert checked(html, "q10-ja_begge") and checked(html, "q11a-nei")
    assert [row[0] for row in stored(setup, MAYOR)] == ["q1"]
    r = client.post(f"/s/{token}/side/4", data={"csrf_token": csrf(html), **P4, "action": "next"})
    assert r.status_code == 302
    assert [row[0] for row in stored(setup, MAYOR)] == SAVED_P4


def test_a_programming_error_is_not_disguised_as_a_temporary_problem(setup):
    client = setup.app.test_client()
    post_page(client, f"/s/{setup.tokens[MAYOR]}/side/1", {"q1": "ordforer", "action": "next"})
    with psycopg.connect(setup.db_path, autocommit=True) as admin:
        admin.execute("DROP TABLE answers CASCADE")  # read on every visit of a started response
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    r = client.get(f"/s/{setup.tokens[MAYOR]}/side/1")
    assert r.status_code == 500
    assert "Noe gikk galt hos oss" in r.get_data(as_text=True)
