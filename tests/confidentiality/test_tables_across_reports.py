"""Tables of different reports, read together: each is suppressed well on its own, and
together they give a group away.

The analyst's report by unit hides Kommune A (two answers) and, to protect it, Kommune B;
the round's total stays. Kommune B's unit leader reads their own unit's report by role:
both roles there are under the minimum, but the unit's own total is not, and is shown.
Then Kommune A = the round's total − Kommune B's total: two people's answers, exactly,
from two reports each of which passed the auditor alone (the same holds in the other
order). Every table is now audited together with the groups of its measure released
before from the same snapshot (``scoring.linked``), so the second report hides what the
first makes dangerous; the number of answers on the cover too, and with every measure of
the same counts (everyone answered q5: its total and the cover's are one figure; the
cover was left out of the audit until a review read it).

Against the real app: a real HTTP server on 127.0.0.1, an analyst and a unit leader
signed in through the sign-in page, both reports' HTML previews read back, and the
independent judge of ``tests/scoring/oracle.py`` over every count either shows.
"""

from __future__ import annotations

import re

import pytest

from survey import create_app
from survey.operations.results import make_report, report_downloaded, report_request
from survey.storage import open_database
from survey.storage.releases import list_releases, released_figures
from survey.storage.snapshots import StaleSnapshot
from survey.storage.users import add_user
from tests.confidentiality.conftest import (
    ANALYST,
    PASSWORD,
    round_of_counts,
    signed_in_analyst,
)
from tests.conftest import server_thread
from tests.scoring.oracle import leaks

K = 3
LEADER = "leder@b.kommune.no"
COUNTS = {  # (role, unit): respondents
    ("ordforer", "Kommune A"): 1,
    ("radmann", "Kommune A"): 1,
    ("ordforer", "Kommune B"): 2,
    ("radmann", "Kommune B"): 2,
}


@pytest.fixture
def served(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, labels = round_of_counts(db_path, COUNTS, K, seed=3)
    db = open_database(db_path)
    add_user(db, ANALYST, PASSWORD, "analyst", ())
    add_user(db, LEADER, PASSWORD, "unit-leader", ("Kommune B",))
    db.close()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test"})
    with server_thread(app) as base:
        yield base, round_id, labels


def q5_counts(html: str) -> dict[str, int | None]:
    """q5's Likert table in a report: group label -> answers shown (None if hidden)."""
    found = re.search(r'id="q-q5".*?<table class="likert">(.*?)</table>', html, re.S)
    assert found is not None, "the report has no table for q5"
    rows = re.findall(r'<th scope="row">(.*?)</th>\s*(<td[^>]*>[^<]*</td>)', found.group(1))
    return {
        label: None if "hidden-cell" in cell else int(re.sub(r"<[^>]+>", "", cell))
        for label, cell in rows
    }


@pytest.mark.parametrize("leader_first", [False, True])
def test_two_reports_give_no_small_group_away(served, leader_first):
    base, round_id, labels = served
    report = f"{base}/sekretariat/runder/{round_id}/rapport"
    readers = [
        (signed_in_analyst(base, ANALYST), f"{report}?etter=unit", None),
        (signed_in_analyst(base, LEADER), f"{report}?etter=role&enhet=Kommune%20B", "Kommune B"),
    ]
    figures: list[list[tuple[str, str]]] = []
    for reader, address, unit in readers[::-1] if leader_first else readers:
        html = reader.open(address, timeout=60).read().decode()
        shown = q5_counts(html)
        cover = re.search(r"<th scope=\"row\">Svar</th><td>(\d+) \(anonym", html)  # no invitations
        if cover:  # the number of answers on the cover is a figure like any other
            scope = [c for c in COUNTS if unit is None or c[1] == unit]
            assert int(cover.group(1)) == sum(COUNTS[c] for c in scope)
            figures.append(scope)
        for label, n in shown.items():
            if n is None:
                continue
            cells = [
                cell
                for cell in COUNTS
                if (unit is None or cell[1] == unit) and label in ("Alle", cell[1], labels[cell[0]])
            ]
            assert n == sum(COUNTS[c] for c in cells), label  # what the judge reasons on
            figures.append(cells)
    assert figures  # something is shown ...
    assert leaks(COUNTS, figures, K) == []  # ... and neither report's pair in Kommune A


def test_two_reports_decided_at_the_same_moment_are_not_both_released(tmp_path):
    """Both requests read the ledger before either is recorded: each is safe beside what
    came before, not beside each other. The second to be recorded is refused (the figures
    were decided on a ledger that has grown) and, made again, hides what the first
    makes dangerous (found by review)."""
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, _ = round_of_counts(db_path, COUNTS, K, seed=3)
    db = open_database(db_path)
    analyst = add_user(db, ANALYST, PASSWORD, "analyst", ())
    leader = add_user(db, LEADER, PASSWORD, "unit-leader", ("Kommune B",))
    first = report_request(db, analyst, round_id, ["unit"])
    second = report_request(db, leader, round_id, ["role"], unit="Kommune B")
    report_downloaded(db, analyst, first)
    with pytest.raises(StaleSnapshot):
        report_downloaded(db, leader, second, "Kommune B")
    make_report(db, leader, round_id, ["role"], unit="Kommune B")  # decided again

    def cells(group: dict[str, str]) -> list[tuple[str, str]]:
        return [
            c for c in COUNTS if all(c[("role", "unit").index(d)] == v for d, v in group.items())
        ]

    figures = [
        cells(dict(group))
        for release in list_releases(db, round_id)
        for measure, group, statistic, _ in released_figures(db, release.id)
        if measure == "item:q5" and statistic == "n"
    ]
    assert figures and leaks(COUNTS, figures, K) == []
