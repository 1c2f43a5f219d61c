"""A small group's answers per scale point, worked out from the distributions a report
shows beside its counts.

Every shown group of an item has its distribution printed: each point's share in whole
percent (the chart's caption and segments), which for a group of fewer than about a
hundred answers is each point's count, exactly. In this round the crossed report by role
× unit hides all four cells (Kommune A's two mayors are under the minimum, the rest hide
to protect them), and the counts alone leave the two mayors' count free. The points do
not: "helt enig" is 5 of the 8 mayors, 5 of Kommune A's 10 and 3 of Kommune B's 13 and
the rådmenn's 15, and since no cell can hold fewer than none, Kommune A's mayors hold at
least 5 - 3 = 2 of them: both of them agreed fully (a review found this pattern: n = 2, 6,
8, 7 with "agree" 2, 3, 3, 0 through the same margins). The auditor now reads every
printed share as what it is, an interval on its group's count at that point, and hides
more until no group under the minimum has its count, or its count at a point, pinned.

Against the real app: a real HTTP server on 127.0.0.1, an analyst signed in through its
sign-in page, the report's HTML preview read back (counts from the table, shares from the
chart's caption), and the independent judge of ``tests/scoring/oracle.py`` over every
(cell, point) count consistent with what was read.
"""

from __future__ import annotations

import pytest

from tests.confidentiality.conftest import (
    analyst_server,
    q5_read,
    round_of_answers,
    signed_in_analyst,
)
from tests.scoring.oracle import point_leaks

K = 5
Q5 = {  # (role, unit): each respondent's answer to q5 (1 helt uenig … 6 helt enig)
    ("ordforer", "Kommune A"): [6, 6],
    ("ordforer", "Kommune B"): [6, 6, 6, 2, 2, 2],
    ("radmann", "Kommune A"): [6, 6, 6, 2, 2, 2, 2, 2],
    ("radmann", "Kommune B"): [2, 2, 2, 2, 2, 2, 2],
}
POINTS = range(1, 7)
COUNTS = {cell: [answers.count(p) for p in POINTS] for cell, answers in Q5.items()}


@pytest.fixture
def served(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, labels = round_of_answers(db_path, Q5, K, seed=5)
    with analyst_server(db_path) as base:
        yield base, round_id, labels


def test_a_crossed_report_gives_no_small_groups_answers_per_point_away(served):
    base, round_id, labels = served
    analyst = signed_in_analyst(base)
    page = analyst.open(f"{base}/sekretariat/runder/{round_id}/rapport?etter=role,unit").read()
    read = q5_read(page.decode())
    assert read, "the report has no chart and table for q5"

    def cells_of(label: str) -> list[tuple[str, str]]:
        parts = [] if label == "Alle" else label.split(", ")
        return [cell for cell in Q5 if all(p in (labels[cell[0]], cell[1]) for p in parts)]

    rows = []
    for label, shown in read.items():
        if shown is None:
            continue
        n, shares = shown
        cells = cells_of(label)
        assert n == sum(len(Q5[c]) for c in cells), label  # the judge reasons on what is true
        rows.append((cells, None, n, n))
        for p, share in enumerate(shares):
            # the counts a whole percent allows: every c of 0..n within half a percent
            allowed = [c for c in range(n + 1) if abs(100 * c / n - share) <= 0.5]
            assert sum(COUNTS[c][p] for c in cells) in allowed, (label, p)
            rows.append((cells, [p], min(allowed), max(allowed)))
    assert read[f"{labels['ordforer']}, Kommune A"] is None
    assert rows  # something is shown ...
    assert point_leaks(COUNTS, rows, K) == []  # ... and not that both mayors of A agreed
