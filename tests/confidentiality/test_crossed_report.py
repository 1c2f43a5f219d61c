"""Attack 1 of the confidentiality issue: one crossed report gives a small group away.

Complementary suppression along lines checks each line of a role × unit table alone. In
this round a rådmann's single answer in Kommune B is hidden together with two neighbours,
yet the Kommune A line and the Ordfører column can each be solved from their own margins,
and then Kommune B's line gives the single rådmann: an analyst works out one person's
answers from one report. The auditor sees every shown figure at once and hides more.

Against the real app: a real HTTP server on 127.0.0.1, an analyst signed in through its
sign-in page, the report's HTML preview as handed out, and an independent judge (the
test's own enumeration of every table consistent with what is shown, sharing no code with
the engine) that finds no group under the minimum pinned within one respondent.
"""

from __future__ import annotations

import re

import pytest

from tests.confidentiality.conftest import (
    analyst_server,
    round_of_counts,
    signed_in_analyst,
)
from tests.scoring.oracle import leaks

K = 3
COUNTS = {  # (role, unit): respondents; the line-by-line suppression left radmann·B open
    ("ordforer", "Kommune A"): 5,
    ("radmann", "Kommune A"): 10,
    ("ordforer", "Kommune B"): 8,
    ("radmann", "Kommune B"): 1,
    ("ordforer", "Kommune C"): 4,
    ("radmann", "Kommune C"): 10,
}


@pytest.fixture
def served(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, labels = round_of_counts(db_path, COUNTS, K, seed=1)
    with analyst_server(db_path) as base:
        yield base, round_id, labels


def shown_counts(html: str) -> dict[str, int | None]:
    """q5's Likert table: group label -> answers shown (None if hidden)."""
    for table in re.findall(r'id="q-q5".*?<table class="likert">.*?</table>', html, re.S):
        rows = re.findall(r'<th scope="row">(.*?)</th>\s*(<td[^>]*>[^<]*</td>)', table)
        shown = {
            label: None if "hidden-cell" in cell else int(re.sub(r"<[^>]+>", "", cell))
            for label, cell in rows
        }
        if shown.get("Alle") == sum(COUNTS.values()):
            return shown
    raise AssertionError("q5's table does not hold every respondent's answer")


def test_a_crossed_report_gives_no_small_group_away(served):
    base, round_id, labels = served
    analyst = signed_in_analyst(base)
    html = analyst.open(f"{base}/sekretariat/runder/{round_id}/rapport?etter=role,unit").read()
    shown = shown_counts(html.decode())

    def cells_of(label: str) -> list[tuple[str, str]]:
        parts = [] if label == "Alle" else label.split(", ")
        return [cell for cell in COUNTS if all(p in (labels[cell[0]], cell[1]) for p in parts)]

    figures = [cells_of(label) for label, n in shown.items() if n is not None]
    assert all(
        n == sum(COUNTS[c] for c in cells_of(label)) for label, n in shown.items() if n
    )  # the shown figures are the real counts, so the judge reasons about what was read
    assert shown[f"{labels['radmann']}, Kommune B"] is None
    assert leaks(COUNTS, figures, K) == []
