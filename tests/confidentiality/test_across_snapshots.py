"""Tables of two snapshots, read together: the report by unit before three answers came
in, the report by role after.

The gate lets the three in (all in Kommune Y, so Y's difference is three people) and
each report passes the auditor alone. Together they pin a group of the first report: an
attacker who assumes nobody withdraws knows the rådmenn then were at most the rådmenn
now (5), so the mayors then were at least the first total (7) minus 5, which is what
they were: 2. Every table is now audited with what earlier snapshots released too, over
each respondent's path through them (``scoring.linked``, ``scoring.finest.path_counts``),
so the second report hides what would pin a group of the first.

Against the real app: a real HTTP server on 127.0.0.1, an analyst signed in through the
sign-in page, both reports' HTML previews read back, and the independent judge of
``tests/scoring/oracle.py`` over cells × the snapshot each person first entered.
"""

from __future__ import annotations

import pytest

from tests.confidentiality.conftest import (
    ANALYST,
    add_answers,
    analyst_server,
    round_of_counts,
    signed_in_analyst,
)
from tests.confidentiality.test_tables_across_reports import q5_counts
from tests.scoring.oracle import leaks

K = 3
FIRST = {  # (role, unit): respondents before the first report
    ("ordforer", "Kommune X"): 2,
    ("radmann", "Kommune X"): 2,
    ("radmann", "Kommune Y"): 3,
}
ARRIVING = {("ordforer", "Kommune Y"): 3}  # between the two reports


@pytest.fixture
def served(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, labels = round_of_counts(db_path, FIRST, K, seed=4)
    with analyst_server(db_path) as base:
        yield base, db_path, round_id, labels


def test_a_report_after_new_answers_pins_no_group_of_the_report_before(served):
    base, db_path, round_id, labels = served
    analyst = signed_in_analyst(base, ANALYST)
    report = f"{base}/sekretariat/runder/{round_id}/rapport"
    first = q5_counts(analyst.open(f"{report}?etter=unit", timeout=60).read().decode())
    add_answers(db_path, round_id, {c: [0] * n for c, n in ARRIVING.items()}, seed=9)
    second = q5_counts(analyst.open(f"{report}?etter=role", timeout=60).read().decode())
    assert second["Alle"] == sum(FIRST.values()) + sum(ARRIVING.values())  # they entered

    everyone = {(*cell, 0): n for cell, n in FIRST.items()} | {
        (*cell, 1): n for cell, n in ARRIVING.items()
    }
    cells = [
        (role, unit, s)
        for role in ("ordforer", "radmann")
        for unit in ("Kommune X", "Kommune Y")
        for s in (0, 1)
    ]
    counts = {cell: everyone.get(cell, 0) for cell in cells}
    figures = []
    for at, shown in ((0, first), (1, second)):
        for label, n in shown.items():
            if n is None:
                continue
            covered = [c for c in cells if c[2] <= at and label in ("Alle", c[1], labels[c[0]])]
            assert n == sum(counts[c] for c in covered), label  # what the judge reasons on
            figures.append(covered)
    assert leaks(counts, figures, K) == []
