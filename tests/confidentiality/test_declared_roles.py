"""A round that does not declare role releases no figure by role (issue 14).

Reports used to show response rates by role and the summary's means by role whatever the
round declared: a round that offers only "unit" still gave every role's answered count
and mean in each report, and a unit's report each role of that unit. Now a report by a
breakdown without role shows its response rates by that breakdown alone (the total on
the cover) and its summary for everyone. Tested through the real server: the analyst's
HTML previews, read back, and the release ledger they leave.
"""

from __future__ import annotations

import json

import pytest

from survey.accounts import Account
from survey.operations.results import declare_breakdowns
from survey.storage import open_database
from tests.confidentiality.conftest import (
    ANALYST,
    add_answers,
    analyst_server,
    round_of_answers,
    signed_in_analyst,
)

K = 3
ANSWERS = {  # everyone invited, and one more per role and unit who never answers
    ("ordforer", "Kommune A"): 4,
    ("radmann", "Kommune A"): 3,
    ("ordforer", "Kommune B"): 3,
    ("radmann", "Kommune B"): 5,
}
ADMIN = Account(99, "admin@ks.no", "admin", ())
ROLES = ("Ordfører", "Rådmann")  # as the 2009 questionnaire labels them


@pytest.fixture
def served(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, _ = round_of_answers(db_path, {}, K, seed=1)
    q5 = {cell: [0] * n for cell, n in ANSWERS.items()}
    add_answers(db_path, round_id, q5, seed=1, invited=dict.fromkeys(ANSWERS, 1))
    with analyst_server(db_path) as base:
        yield base, db_path, round_id


def previews(base: str, round_id: int) -> list[str]:
    """The analyst's HTML previews of the whole round, by unit, and of Kommune A."""
    analyst = signed_in_analyst(base, ANALYST)
    report = f"{base}/sekretariat/runder/{round_id}/rapport"
    asked = ["?etter=", "?etter=unit", "?enhet=Kommune+A&etter="]
    return [analyst.open(report + query, timeout=60).read().decode() for query in asked]


def section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


def released_dimensions(db_path: str, round_id: int) -> set[str]:
    """Every dimension a figure of the round's ledger is of."""
    db = open_database(db_path)
    rows = db.execute(
        "SELECT f.grp FROM released_figures f JOIN releases r ON r.id = f.release_id "
        "WHERE r.round_id = ?",
        [round_id],
    ).fetchall()
    db.close()
    return {name for (group,) in rows for name in json.loads(group)}


def test_a_round_declaring_only_unit_shows_and_records_nothing_by_role(served):
    base, db_path, round_id = served
    db = open_database(db_path)
    declare_breakdowns(db, ADMIN, round_id, [("unit",)])
    db.close()
    pages = previews(base, round_id)
    for page in pages:
        summary = section(page, 'id="sammendrag"', "</section>")
        assert "for alle." in summary and "etter rolle" not in summary
        assert not any(role in summary for role in ROLES)
        assert 'class="rates"' not in page or "Etter rolle" not in page
    assert "Etter enhet" in pages[1]  # the breakdown declared: the rates by unit
    assert 'id="svarprosent"' not in pages[0]  # by nothing: the total, on the cover only
    assert "Svar:</strong> 15 av 19 inviterte svarte" in pages[0]
    assert "Svar:</strong> 7 av 9 inviterte svarte" in pages[2]  # Kommune A's own
    assert "role" not in released_dimensions(db_path, round_id)
    assert "unit" in released_dimensions(db_path, round_id)


def test_a_round_declaring_role_shows_it_as_before(served):
    """The same previews where role is declared: the test above can fail."""
    base, db_path, round_id = served
    db = open_database(db_path)
    declare_breakdowns(db, ADMIN, round_id, [("role",), ("unit",), ("role", "unit")])
    db.close()
    pages = previews(base, round_id)
    for page in pages:
        summary = section(page, 'id="sammendrag"', "</section>")
        assert "etter rolle" in summary and all(role in summary for role in ROLES)
        assert "Etter rolle" in page
    assert "role" in released_dimensions(db_path, round_id)
