"""kill -9 the server while respondents are sending pages, again and again.

The server runs in its own processes on a free loopback port: `survey run` on a SQLite
file, `survey serve` with several gunicorn processes on PostgreSQL (all of them killed at
once). A load generator (a few threads, each answering as one respondent after another)
records every page the server acknowledged (a redirect to the next page, or to the
thank-you page after the last one). The server is killed with SIGKILL at a random moment;
after each restart every acknowledged page must be in the database, every acknowledged
submission must be complete, and the database must pass its integrity check (PRAGMA
integrity_check; amcheck on PostgreSQL)."""

from __future__ import annotations

import os
import queue
import random
import threading
import time
from collections import defaultdict

import pytest

from tests.faults.conftest import (
    CONNECTION_ERRORS,
    Browser,
    assert_all_workers,
    expected_rows,
    free_port,
    integrity,
    invited_round,
    kill_server,
    plan,
    rows_by_respondent,
    start_server_process,
    wait_until_serving,
)

LOAD_THREADS = 6


class Acknowledged:
    """What the server told respondents it had saved."""

    def __init__(self):
        self.rows: dict[int, set] = defaultdict(set)
        self.submitted: set[int] = set()
        self.errors: list[str] = []  # anything but a dropped connection
        self.lock = threading.Lock()

    def page(self, i: int, rows) -> None:
        with self.lock:
            self.rows[i] |= rows

    def submission(self, i: int) -> None:
        with self.lock:
            self.submitted.add(i)


def load(base: str, tokens: dict[int, str], waiting: queue.Queue, acks: Acknowledged) -> None:
    """Answer as one respondent after another until the server goes away."""
    while True:
        try:
            i = waiting.get_nowait()
        except queue.Empty:
            return
        browser = Browser(base)
        token = tokens[i]
        try:
            browser.request(f"/s/{token}/side/1")
            for step in plan(i):
                reply = browser.post(f"/s/{token}/side/{step.page}", step.data)
                if reply.status != 302:
                    acks.errors.append(f"{i}: {reply.status} {reply.body[:300]}")
                    return
                acks.page(i, step.rows)
            if reply.location == f"/s/{token}/ferdig":
                acks.submission(i)
            else:
                acks.errors.append(f"{i}: ended at {reply.location}")
        except CONNECTION_ERRORS:
            return  # killed: this respondent's last page may or may not have been saved


def check(path, acks: Acknowledged) -> int:
    assert acks.errors == []
    assert integrity(path) == "ok"
    stored = rows_by_respondent(path)
    for i, rows in acks.rows.items():
        assert rows <= stored[i][1], f"respondent {i} lost acknowledged answers"
    for i in acks.submitted:
        assert stored[i] == (True, expected_rows(i)), i
    return len(acks.submitted)


def crash_repeatedly(path: str, iterations: int, seed: int) -> None:
    """On the database at ``path``: a SQLite file under `survey run`, or PostgreSQL under
    `survey serve` with several gunicorn processes, all killed at once."""
    print(f"seed {seed}")  # shown if the test fails, to repeat the same kill times
    rng = random.Random(seed)
    per_iteration = 60
    tokens = invited_round(path, per_iteration * iterations + 1)
    acks = Acknowledged()
    killed_mid_answer = 0
    for iteration in range(iterations + 1):
        port = free_port()
        server = start_server_process(path, port)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_serving(base, server)
            assert_all_workers(path, server)
            check(path, acks)  # after the restart (and the app's own recovery)
            if iteration == iterations:
                break
            waiting: queue.Queue[int] = queue.Queue()
            for i in range(iteration * per_iteration, (iteration + 1) * per_iteration):
                waiting.put(i)
            threads = [
                threading.Thread(target=load, args=(base, tokens, waiting, acks))
                for _ in range(LOAD_THREADS)
            ]
            for thread in threads:
                thread.start()
            # Kill at a random moment once answers are flowing (a loaded machine needs longer
            # to get there; the kill must still land while respondents are mid-way).
            mine = set(range(iteration * per_iteration, (iteration + 1) * per_iteration))
            deadline = time.monotonic() + 20
            while len(acks.submitted & mine) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.4))
            kill_server(server)  # SIGKILL: no cleanup, no checkpoint, mid-request
            for thread in threads:
                thread.join(timeout=60)
                assert not thread.is_alive()
            killed_mid_answer += sum(
                1
                for i in range(iteration * per_iteration, (iteration + 1) * per_iteration)
                if acks.rows.get(i) and i not in acks.submitted
            )
        finally:
            if server.poll() is None:
                kill_server(server)
    # The test means something only if the kills hit respondents half-way through.
    assert len(acks.submitted) > 0 and killed_mid_answer > 0
    # A respondent interrupted by a crash resumes from their link and finishes.
    unfinished = next(i for i in acks.rows if i not in acks.submitted)
    port = free_port()
    server = start_server_process(path, port)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base, server)
        waiting = queue.Queue()
        waiting.put(unfinished)
        load(base, tokens, waiting, acks)
        assert unfinished in acks.submitted
        check(path, acks)
    finally:
        kill_server(server)


def test_kill_9_while_answering_loses_nothing_acknowledged(database):
    crash_repeatedly(database, iterations=3, seed=2009)


@pytest.mark.soak
def test_kill_9_while_answering_soak(database):
    iterations = int(os.environ.get("SURVEY_SOAK_ITERATIONS", "30"))
    crash_repeatedly(database, iterations=iterations, seed=int(time.time()))
