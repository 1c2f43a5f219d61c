"""Reasons for hidden cells across reports: each one is a bound a reader adds to the
figures ("færre enn 4 svar": at most 3; "skjult for å beskytte en liten gruppe": at least
4), and a reader of two reports by different breakdowns has both reports' figures and
both reports' reasons.

Against the real app: a real HTTP server on 127.0.0.1, an analyst signed in through the
sign-in page, the report by unit and the report by role (in either order), each read
back as the HTML preview and as the PDF handed out. The reasons are taken from what the
pages say, and the independent judge of ``tests/scoring/oracle.py`` enumerates every
table consistent with every count shown and every reason given: no group under the
minimum is pinned within one respondent. The reasons are given (this round's figures
leave room for them), and they say the truth of each group.
"""

from __future__ import annotations

import re

import pytest

from survey.questionnaire import load_file
from tests.confidentiality.conftest import (
    analyst_server,
    round_of_counts,
    signed_in_analyst,
)
from tests.confidentiality.test_single_people import pdf_text
from tests.conftest import QUESTIONNAIRES
from tests.scoring.oracle import leaks, reason

K = 4
COUNTS = {  # (role, unit): respondents
    ("ordforer", "Kommune A"): 1,
    ("radmann", "Kommune A"): 1,
    ("ordforer", "Kommune B"): 3,
    ("radmann", "Kommune B"): 2,
    ("ordforer", "Kommune C"): 5,
    ("radmann", "Kommune C"): 5,
    ("prosjektleder", "Kommune C"): 1,
}
SMALL, COMPLEMENT = f"færre enn {K} svar", "skjult for å beskytte en liten gruppe"
STATEMENT = str(
    load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml").questionnaire.item("q5").text
)


@pytest.fixture
def served(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, labels = round_of_counts(db_path, COUNTS, K, seed=4)
    with analyst_server(db_path) as base:
        yield base, round_id, labels


def html_q5(html: str) -> dict[str, str]:
    """q5's Likert table in the HTML preview: group label -> answers shown or the note."""
    found = re.search(r'id="q-q5".*?<table class="likert">(.*?)</table>', html, re.S)
    assert found is not None, "the report has no table for q5"
    rows = re.findall(r'<th scope="row">(.*?)</th>\s*<td[^>]*>([^<]*)</td>', found.group(1))
    return {label: " ".join(cell.split()) for label, cell in rows}


def pdf_q5(text: str, labels: list[str]) -> dict[str, str]:
    """q5's table in the PDF's text (the first "Gruppe  Svar" table after the statement
    standing on a line of its own): each group's line, its answers or its note."""
    lines = text.splitlines()
    statement = next(i for i, line in enumerate(lines) if line.strip().startswith(STATEMENT[:70]))
    start = next(
        i for i in range(statement, len(lines)) if re.match(r"\s*Gruppe\s+Svar\s", lines[i])
    )
    found: dict[str, str] = {}
    for line in lines[start + 1 : start + 4 * len(labels)]:
        words = " ".join(line.split())
        label = next((label for label in labels if words.startswith(label + " ")), None)
        if label is None or label in found:
            continue
        rest = words[len(label) + 1 :]
        note = next((n for n in (COMPLEMENT, SMALL, "skjult") if rest.startswith(n)), None)
        found[label] = note or rest.split()[0]
    return found


def members(label: str, labels: dict[str, str]) -> list[tuple[str, str]]:
    return [c for c in COUNTS if label in ("Alle", c[1], labels[c[0]])]


@pytest.mark.parametrize("by_role_first", [False, True])
def test_reasons_of_two_reports_give_no_small_group_away(served, by_role_first, tmp_path):
    base, round_id, labels = served
    analyst = signed_in_analyst(base)
    report = f"{base}/sekretariat/runder/{round_id}/rapport"
    order = ["role", "unit"] if by_role_first else ["unit", "role"]
    figures: list[list[tuple[str, str]]] = []
    limits = []
    told = set()
    for by in order:
        html = analyst.open(f"{report}?etter={by}", timeout=60).read().decode()
        shown = html_q5(html)
        names = list(shown)
        in_pdf = pdf_q5(pdf_text(analyst, f"{report}.pdf?etter={by}", tmp_path), names)
        assert in_pdf == shown  # the PDF says what the preview says, cell by cell
        for label, cell in shown.items():
            cells = members(label, labels)
            count = sum(COUNTS[c] for c in cells)
            if cell.isdigit():
                assert int(cell) == count, label
                figures.append(cells)
            elif cell in (SMALL, COMPLEMENT):  # a reason: true, and a bound for the judge
                assert (cell == SMALL) == (count < K), (label, cell, count)
                limits.append(reason(cells, cell == SMALL, K))
                told.add(cell)
            else:
                assert cell == "skjult", (label, cell)
    assert told == {SMALL, COMPLEMENT}  # the reasons are given where they are safe ...
    assert leaks(COUNTS, figures, K, limits=limits) == []  # ... and together pin no one
