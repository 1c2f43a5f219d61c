"""A small group's choice, worked out from the counts per option a report shows.

A choice question's table prints, for every shown group, each option's count beside its
share. The counts of the groups alone can be safe while the options are not: "ja" is 5
of the 8 mayors, 5 of Kommune A's 10 and 3 of Kommune B's 13, so Kommune A's two mayors
hold at least 5 - 3 = 2 of them, both of them said "ja", though the crossed report hid
every one of the four cells (the pattern of ``test_scale_points.py``, for a choice). The
auditor now reads each option's count as it reads a scale point's (a single choice's
options are its points; a multiple choice's points are the patterns of ticks, and each
option is a union of them: ``scoring.choices.choice_points``), and hides more until no
group under the minimum has its count, or its count at an option, pinned.

Against the real app: a real HTTP server on 127.0.0.1, an analyst signed in through its
sign-in page, the report's HTML preview read back (each group's count and counts per
option from the choice table), and the independent judge of ``tests/scoring/oracle.py``
over every (cell, option) count consistent with what was read.
"""

from __future__ import annotations

import html as entities
import re

import pytest

from survey import create_app
from survey.storage import open_database
from survey.storage.users import add_user
from tests.confidentiality.conftest import (
    ANALYST,
    PASSWORD,
    analyst_server,
    round_of_answers,
    signed_in_analyst,
)
from tests.conftest import server_thread
from tests.scoring.oracle import point_leaks

K = 5
A, B = "Kommune A", "Kommune B"
OPTIONS = ["ja", "nei", "vet_ikke"]  # q9b: Har deres nettverk planer for videreføring …?
Q9B = {  # (role, unit): each respondent's answer
    ("ordforer", A): ["ja", "ja"],
    ("ordforer", B): ["ja", "ja", "ja", "nei", "nei", "nei"],
    ("radmann", A): ["ja", "ja", "ja", "nei", "nei", "nei", "nei", "nei"],
    ("radmann", B): ["nei"] * 7,
}
COUNTS = {cell: [answers.count(o) for o in OPTIONS] for cell, answers in Q9B.items()}


def choice_read(page: str, question: str) -> dict[str, tuple[int, list[int]] | None]:
    """A choice question's tables in a preview: group label -> (n, count per option), None
    where the group is hidden."""
    section = re.search(rf'id="q-{question}"(.*?)(?=<section|id="q-|\Z)', page, re.S)
    assert section is not None, f"no {question} in the report"
    found: dict[str, tuple[int, list[int]] | None] = {}
    for table in re.findall(r'<table class="choices">(.*?)</table>', section.group(1), re.S):
        table = entities.unescape(table)
        labels = re.findall(r'<th scope="col" class="num">(.*?)</th>', table)
        rows = re.findall(r'<tr[^>]*><th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)
        cells = {name: re.findall(r"<td[^>]*>(.*?)</td>", rest, re.S) for name, rest in rows}
        base = cells.pop("Svarte")
        for column, label in enumerate(labels):
            if "hidden-cell" in base[column]:
                found[label] = None
                continue
            counts = [int(re.search(r"\((\d+)\)", v[column]).group(1)) for v in cells.values()]
            found[label] = (int(re.sub(r"<[^>]+>|\s", "", base[column])), counts)
    return found


def test_a_crossed_report_gives_no_small_groups_choice_away(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, labels = round_of_answers(db_path, Q9B, K, seed=5, question="q9b")
    with analyst_server(db_path) as base:
        analyst = signed_in_analyst(base, ANALYST)
        address = f"{base}/sekretariat/runder/{round_id}/rapport?etter=role,unit"
        read = choice_read(analyst.open(address, timeout=120).read().decode(), "q9b")
    assert set(read) == {"Alle", A, B, *(labels[r] for r in ("ordforer", "radmann"))} | {
        f"{labels[r]}, {u}" for r, u in Q9B
    }
    assert read["Alle"] == (23, [8, 15, 0])  # the total is shown: something was tested
    rows: list = []
    for label, got in read.items():
        if got is None:
            continue
        n, counts = got
        parts = [] if label == "Alle" else label.split(", ")
        cells = [c for c in Q9B if all(p in (labels[c[0]], c[1]) for p in parts)]
        assert n == sum(len(Q9B[c]) for c in cells), (label, n, cells)
        assert counts == [sum(COUNTS[c][o] for c in cells) for o in range(len(OPTIONS))]
        rows.append((cells, None, n, n))
        rows += [(cells, [o], count, count) for o, count in enumerate(counts)]
    assert point_leaks(COUNTS, rows, K) == []


LONE_MAYOR = {
    ("ordforer", A): ["ja"],
    ("ordforer", B): ["nei"] * 5,
    ("radmann", A): ["nei"] * 5,
    ("radmann", B): ["nei"] * 6,
}


@pytest.mark.parametrize("order", [("role", "unit"), ("unit", "role")])
def test_two_reports_give_no_small_groups_choice_away(tmp_path, order):
    """The report by role shows one "ja" among the six mayors, the report by unit one in
    Kommune A's six: together, Kommune A's one mayor said "ja", though each report passed
    alone. The audit with the ledger reads each released group's counts per option too
    (``scoring.linked``), so the later report hides more."""
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, labels = round_of_answers(db_path, LONE_MAYOR, K, seed=5, question="q9b")
    db = open_database(db_path)
    add_user(db, ANALYST, PASSWORD, "analyst", ())
    db.close()
    counts = {cell: [answers.count(o) for o in OPTIONS] for cell, answers in LONE_MAYOR.items()}
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test"})
    rows: list = []
    with server_thread(app) as base:
        analyst = signed_in_analyst(base, ANALYST)
        for etter in order:
            address = f"{base}/sekretariat/runder/{round_id}/rapport?etter={etter}"
            read = choice_read(analyst.open(address, timeout=120).read().decode(), "q9b")
            for label, got in read.items():
                if got is None:
                    continue
                n, shown = got
                parts = [] if label == "Alle" else [label]
                cells = [c for c in LONE_MAYOR if all(p in (labels[c[0]], c[1]) for p in parts)]
                rows.append((cells, None, n, n))
                rows += [(cells, [o], count, count) for o, count in enumerate(shown)]
    assert len(rows) >= 4 * (1 + len(OPTIONS)), "a report hid everything"
    assert point_leaks(counts, rows, K) == []
