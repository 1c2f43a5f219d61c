"""Attack 4 of the confidentiality issue: the same report read just before and just after
one submission gave that person's exact answers (their "frikjøpt __ %" is the change in the
group's sum, their comment the one that is new). Reports were live.

Figures now come from snapshots, and a new snapshot takes a change only when it cannot be
told apart from at least k - 1 others in every group released before. Against the real
app: a real HTTP server on 127.0.0.1, an analyst signed in through its sign-in page, the
HTML preview and the PDF as they are handed out, the secretariat's round page."""

from __future__ import annotations

import re

import pytest

from survey import create_app
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from survey.storage.users import add_user
from tests.confidentiality.conftest import (
    ANALYST,
    PASSWORD,
    add_project_leaders,
    project_leaders,
    signed_in_analyst,
)
from tests.confidentiality.test_single_people import (
    figures,
    number_table,
    pdf_number_table,
    pdf_text,
)
from tests.conftest import QUESTIONNAIRES, server_thread

K = 3
ADMIN = "admin@ks.no"
FIRST = [5.0, 20.0, 35.0, 50.0, 100.0]


@pytest.fixture
def served(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    db = open_database(db_path)
    publish(db, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    round_ = create_round(db, "kvalitetskommune-2009", "Evaluering 2009", min_group_size=K)
    add_user(db, ANALYST, PASSWORD, "analyst", ())
    add_user(db, ADMIN, PASSWORD, "admin", ())
    db.close()
    add_project_leaders(db_path, round_.id, FIRST, start=0)
    db = open_database(db_path)  # those who answer later are invited from the start
    add_invitations(db, round_.id, project_leaders(range(10, 30)))
    db.close()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test"})
    with server_thread(app) as base:
        yield base, db_path, round_.id


def report(opener, url: str) -> str:
    """The report's part of the preview page (the page around it carries a fresh CSRF
    token and nonce on every request)."""
    html = opener.open(url, timeout=30).read().decode()
    start = html.index('<section class="cover">')
    return html[start : html.index('<section id="metode"', start)]


def as_of(html: str) -> str:
    found = re.search(r'<th scope="row">Tall per</th><td>([^<]+)</td>', html)
    assert found, "the report says which snapshot its figures are from"
    return found.group(1)


def test_a_report_read_before_and_after_one_submission_is_the_same(served, tmp_path):
    base, db_path, round_id = served
    analyst = signed_in_analyst(base)
    preview = f"{base}/sekretariat/runder/{round_id}/rapport"
    before = report(analyst, preview)
    assert {"42,0"} <= figures(number_table(before))  # the mean of the five
    pdf_before = pdf_number_table(pdf_text(analyst, f"{preview}.pdf", tmp_path))

    add_project_leaders(db_path, round_id, [77.0], start=10)  # one more answers
    after = report(analyst, preview)
    assert after == before  # figures, comments, rates and the snapshot's date alike
    assert pdf_number_table(pdf_text(analyst, f"{preview}.pdf", tmp_path)) == pdf_before

    # A project leader changes their answer: 100 % becomes 0 %. The same holds.
    add_project_leaders(db_path, round_id, [0.0], start=4)
    assert report(analyst, preview) == before

    # The secretariat is told what waits, and why.
    admin = signed_in_analyst(base, ADMIN)
    page = admin.open(f"{base}/sekretariat/runder/{round_id}", timeout=30).read().decode()
    assert as_of(before) in page
    assert "2 svar er ikke med ennå" in page

    # Two more arrive: four changes since the snapshot, at least k in every group released
    # (the total, the project leaders, the day), and all of them enter at once.
    add_project_leaders(db_path, round_id, [10.0, 90.0], start=11)
    later = report(analyst, preview)
    assert later != before
    _, *rows = pdf_number_table(pdf_text(analyst, f"{preview}.pdf", tmp_path))
    shares = [5.0, 20.0, 35.0, 50.0, 0.0, 77.0, 10.0, 90.0]
    mean = f"{sum(shares) / len(shares):.1f}".replace(".", ",")
    assert [row.split()[:3] for row in rows] == [
        ["Alle", "8", mean],
        ["Prosjektleder", "8", mean],
    ]
    page = admin.open(f"{base}/sekretariat/runder/{round_id}", timeout=30).read().decode()
    assert "er ikke med ennå" not in page


def test_a_single_late_answer_never_shows_as_a_difference(served):
    """After a release, the one answer that arrives alone stays out of every figure: the
    response rates, the answers per day and the report, however often they are read."""
    base, db_path, round_id = served
    analyst = signed_in_analyst(base)
    preview = f"{base}/sekretariat/runder/{round_id}/rapport"
    page_url = f"{base}/sekretariat/runder/{round_id}"
    before = report(analyst, preview)
    page_before = analyst.open(page_url, timeout=30).read().decode()
    add_project_leaders(db_path, round_id, [63.0], start=20)
    for _ in range(3):
        assert report(analyst, preview) == before
        page = analyst.open(page_url, timeout=30).read().decode()
        tables = re.findall(r"<table>.*?</table>", page, re.S)
        assert tables == re.findall(r"<table>.*?</table>", page_before, re.S)
