"""Many respondents at the same moment, through a real HTTP server on 127.0.0.1.

Every respondent starts at once (a barrier), some send a page twice at the same time (a
double click), some send a page again after it was saved (a reload, a retry after a lost
reply). Afterwards there must be exactly one response per person, submitted, with exactly
their answers, in a database that passes its integrity check. On each store: SQLite
under the development server, PostgreSQL under `survey serve` with several processes."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults.conftest import (
    Browser,
    expected_rows,
    integrity,
    invited_round,
    plan,
    rows_by_respondent,
    server_process,
    with_retries,
)


def answer(base: str, token: str, i: int, barrier: threading.Barrier, busy: list[int]) -> int:
    """Respondent i answers everything; returns how many requests they sent."""
    browser = Browser(base)

    def patiently(request):
        for attempt in range(6):
            reply = with_retries(request)
            if reply.status != 503:
                return reply
            # "Prøv igjen om litt": the database stayed locked past its busy timeout. The
            # page says so (with the form filled in, for a post); the respondent waits a
            # little and sends again.
            assert "Prøv igjen" in reply.body or "prøv igjen" in reply.body
            busy.append(i)
            time.sleep(0.5 * (attempt + 1))
        return reply

    barrier.wait(timeout=60)
    sent = 0
    for step in plan(i):
        url = f"/s/{token}/side/{step.page}"
        if not browser.csrf:
            assert patiently(lambda url=url: browser.request(url)).status == 200
            sent += 1

        def send(url=url, step=step):
            return patiently(lambda: browser.post(url, step.data))

        if i % 3 == 0 and step.page in (3, 5):  # double click: the same page twice at once
            with ThreadPoolExecutor(2) as pair:
                replies = list(pair.map(lambda _: send(), range(2)))
            sent += 2
        else:
            replies = [send()]
            sent += 1
        if i % 5 == 0:  # the reply was lost, so the page is sent once more
            replies.append(send())
            sent += 1
        locations = {reply.location for reply in replies}
        assert {reply.status for reply in replies} == {302}, [r.body[:300] for r in replies]
        assert len(locations) == 1, locations
    assert locations == {f"/s/{token}/ferdig"}
    done = with_retries(lambda: browser.request(f"/s/{token}/ferdig"))
    assert done.status == 200 and "Svaret ditt er registrert" in done.body
    return sent + 1


def run_at_once(path: str, people: int) -> None:
    """On the database at ``path``: a SQLite file (`survey run`), or PostgreSQL with
    several gunicorn processes (`survey serve`), which race each other for the same
    invitations from different processes and connections."""
    tokens = invited_round(path, people)
    barrier = threading.Barrier(people)
    busy: list[int] = []  # respondents who were asked to try again
    with server_process(path) as base, ThreadPoolExecutor(people) as pool:
        futures = [pool.submit(answer, base, tokens[i], i, barrier, busy) for i in range(people)]
        sent = sum(f.result(timeout=600) for f in futures)
    print(f"{sent} requests; {len(busy)} 'prøv igjen' pages")
    assert sent > people * 6
    stored = rows_by_respondent(path)
    assert sorted(stored) == list(range(people))  # exactly one response each
    for i in range(people):
        assert stored[i] == (True, expected_rows(i)), i
    assert integrity(path) == "ok"


def test_200_respondents_answer_at_once(database):
    run_at_once(database, 200)


@pytest.mark.soak
def test_many_respondents_answer_at_once_soak(database):
    run_at_once(database, int(os.environ.get("SURVEY_SOAK_RESPONDENTS", "600")))
