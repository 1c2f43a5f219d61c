"""Attack 6 of the confidentiality issue: the minimum and maximum of a number question are
single people's answers. "Frikjøpt __ %" is asked of project leaders only; the report showed
the smallest and largest share of every group, so everyone could read that one municipality
had bought its project leader out 100 % whatever the group's size.

Against the real app: a real HTTP server on 127.0.0.1, an analyst signed in through its
sign-in page, the HTML preview and the PDF as they are handed out, the PDF read back with
pdftotext."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from survey import create_app
from survey.questionnaire import load_file
from survey.scoring.choices import MEDIAN_FACTOR
from survey.storage import open_database
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from survey.storage.users import add_user
from tests.confidentiality.conftest import ANALYST, PASSWORD, add_project_leaders, signed_in_analyst
from tests.conftest import QUESTIONNAIRES, server_thread

K = 3
FIRST = [5.0, 20.0, 35.0, 50.0, 100.0]  # n = 5 < 2k: mean 42
LATER = [40.0, 60.0, 45.0]  # n = 8 >= 2k: median 42.5 (k new answers: a new snapshot)


@pytest.fixture
def served(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    db = open_database(db_path)
    publish(db, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    round_ = create_round(db, "kvalitetskommune-2009", "Evaluering 2009", min_group_size=K)
    add_user(db, ANALYST, PASSWORD, "analyst", ())
    db.close()
    add_project_leaders(db_path, round_.id, FIRST, start=0)
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test"})
    with server_thread(app) as base:
        yield base, db_path, round_.id


def number_table(html: str) -> str:
    """The text of the report's number table (the only one: q4's "frikjøpt __ %")."""
    (table,) = re.findall(r'<table class="numbers">.*?</table>', html, re.S)
    return re.sub(r"<[^>]+>", " ", table)


def pdf_text(opener, url: str, tmp_path: Path) -> str:
    """The PDF as handed out (rendered in the background: asked for until it is ready)."""
    deadline = time.monotonic() + 120
    while True:
        answer = opener.open(url, timeout=30)
        body = answer.read()
        if answer.headers.get_content_type() == "application/pdf":
            break
        assert time.monotonic() < deadline, "the PDF was not ready within two minutes"
        time.sleep(0.5)
    pdf = tmp_path / f"rapport-{time.monotonic_ns()}.pdf"
    pdf.write_bytes(body)
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True)
    return done.stdout


def pdf_number_table(text: str) -> list[str]:
    """The number table's lines in the PDF's text: its header, then a line per group."""
    lines = text[text.index("Grad av frikjøp") :].splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["Gruppe"])
    end = next(i for i, line in enumerate(lines[start + 1 :], start + 1) if "Side " in line)
    return [line for line in lines[start:end] if line.strip()]


def figures(text: str) -> set[str]:
    return set(re.findall(r"\d+,\d", text))


def test_no_report_shows_a_single_persons_number(served, tmp_path):
    base, db_path, round_id = served
    analyst = signed_in_analyst(base)
    preview = f"{base}/sekretariat/runder/{round_id}/rapport"

    shown = figures(number_table(analyst.open(preview, timeout=30).read().decode()))
    assert "42,0" in shown  # the mean of the five is released ...
    assert not shown & {"5,0", "100,0"}  # ... their smallest and largest share are not
    assert "35,0" not in shown  # nor the median of a group under 2k: one of them
    header, *rows = pdf_number_table(pdf_text(analyst, f"{preview}.pdf", tmp_path))
    assert header.split() == ["Gruppe", "Svar", "Snitt", "Median"]
    assert [row.split() for row in rows] == [
        ["Alle", "5", "42,0", "–"],
        ["Prosjektleder", "5", "42,0", "–"],
    ]

    add_project_leaders(db_path, round_id, LATER, start=10)  # now 8 >= 2k = 6
    assert MEDIAN_FACTOR * K <= 8
    shown = figures(number_table(analyst.open(preview, timeout=30).read().decode()))
    assert "42,5" in shown  # the median of a group this large is released
    assert not shown & {"5,0", "100,0"}
    header, *rows = pdf_number_table(pdf_text(analyst, f"{preview}.pdf", tmp_path))
    assert header.split() == ["Gruppe", "Svar", "Snitt", "Median"]
    assert [row.split() for row in rows] == [
        ["Alle", "8", "44,4", "42,5"],
        ["Prosjektleder", "8", "44,4", "42,5"],
    ]
