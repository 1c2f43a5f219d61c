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

import random
import re

import pytest

from survey import create_app
from survey.demo import answers_2009
from survey.questionnaire import load_file
from survey.questionnaire.answers import Answer
from survey.records import ImportedResponse
from survey.storage import open_database
from survey.storage.questionnaires import publish
from survey.storage.responses import import_responses
from survey.storage.rounds import create_round
from survey.storage.users import add_user
from tests.confidentiality.conftest import ANALYST, PASSWORD, signed_in_analyst
from tests.conftest import QUESTIONNAIRES, server_thread
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
    db = open_database(db_path)
    loaded = load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")
    questionnaire = loaded.questionnaire
    publish(db, loaded)
    round_ = create_round(db, "kvalitetskommune-2009", "Evaluering 2009", min_group_size=K)
    add_user(db, ANALYST, PASSWORD, "analyst", ())
    rng = random.Random(1)
    cells = (cell for cell, n in COUNTS.items() for _ in range(n))
    imported = []
    for row, (role, unit) in enumerate(cells, start=1):
        answers = answers_2009(questionnaire, role, rng)
        answers["q5"] = Answer(rng.randint(1, 6))  # everyone on the scale: n = respondents
        imported.append(ImportedResponse(row, answers, role, unit, source=f"test:{row}"))
    import_responses(db, questionnaire, round_.id, imported)
    db.conn.close()
    labels = {role.code: str(role.label) for role in questionnaire.roles}
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test"})
    with server_thread(app) as base:
        yield base, round_.id, labels


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
