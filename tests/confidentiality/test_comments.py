"""Attack 2 of the confidentiality issue: comments by intersection.

Comments are matched by their words, so the comments an analyst reads under "Ordfører" in a
report by role and under "Kommune A" in a report by unit have in common exactly what the
one mayor of Kommune A wrote, though each group meets the minimum. Every release is now
checked against the text sets released before it (the release ledger), whoever saw them.

Against the real app: a real HTTP server on 127.0.0.1, an analyst signed in through its
sign-in page, the two reports' HTML previews read back, and an independent judge: for each
comment shown anywhere, the respondents who could have written it are those inside every
shown set that holds it and outside every one that does not; there must be at least the
minimum of them.
"""

from __future__ import annotations

import html
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

K = 3
PEOPLE = [  # (role, unit, comment): every role and every unit holds at least K
    ("ordforer", "Kommune A", "Bare ordføreren i A skrev dette"),
    ("ordforer", "Kommune B", "Ordfører i B, første"),
    ("ordforer", "Kommune B", "Ordfører i B, andre"),
    ("ordforer", "Kommune B", None),
    ("radmann", "Kommune A", "Rådmann i A, første"),
    ("radmann", "Kommune A", None),
    ("radmann", "Kommune A", None),
    ("radmann", "Kommune B", "Rådmann i B"),
    ("radmann", "Kommune B", None),
    ("radmann", "Kommune B", None),
]
LABELS = {"Ordfører": ("role", "ordforer"), "Rådmann": ("role", "radmann")}
LABELS |= {"Kommune A": ("unit", "Kommune A"), "Kommune B": ("unit", "Kommune B")}


@pytest.fixture
def served(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    db = open_database(db_path)
    loaded = load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")
    publish(db, loaded)
    round_ = create_round(db, "kvalitetskommune-2009", "Evaluering 2009", min_group_size=K)
    add_user(db, ANALYST, PASSWORD, "analyst", ())
    rng = random.Random(3)
    imported = []
    for row, (role, unit, comment) in enumerate(PEOPLE, start=1):
        answers = answers_2009(loaded.questionnaire, role, rng)
        answers.pop("q14", None)
        if comment:
            answers["q14"] = Answer(comment)
        imported.append(ImportedResponse(row, answers, role, unit, source=f"test:{row}"))
    import_responses(db, loaded.questionnaire, round_.id, imported)
    db.close()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test"})
    with server_thread(app) as base:
        yield base, round_.id


def comment_sets(page: str) -> dict[str, set[str]]:
    """The comments shown per group heading in a report's HTML (q14 is the only text)."""
    found: dict[str, set[str]] = {}
    for block in re.findall(r'<div class="texts">(.*?)</div>', page, re.S):
        label = html.unescape(re.search(r'<p class="group">(.*?)</p>', block).group(1))
        texts = {html.unescape(t) for t in re.findall(r"<li>(.*?)</li>", block)}
        found.setdefault(label, set()).update(texts)
    return found


def writers(text: str, shown: list[tuple[str, set[str]]]) -> list[tuple[str, str]]:
    """Who could have written ``text``, judged from the shown sets alone."""
    return [
        (role, unit)
        for role, unit, _ in PEOPLE
        if all(
            (text in texts) == ({"role": role, "unit": unit}[LABELS[label][0]] == LABELS[label][1])
            for label, texts in shown
        )
    ]


@pytest.mark.parametrize("first", ["role", "unit"])
def test_comments_of_two_breakdowns_give_no_writer_away(served, first):
    """Whichever breakdown is read first shows its comments; the other then shows none,
    since any of its sets would leave the mayor of Kommune A's text attributable to them
    alone (in "Ordfører" and outside "Kommune B" is the same as in "Kommune A")."""
    base, round_id = served
    analyst = signed_in_analyst(base, ANALYST)
    preview = f"{base}/sekretariat/runder/{round_id}/rapport"
    second = "unit" if first == "role" else "role"
    earlier = comment_sets(analyst.open(f"{preview}?etter={first}", timeout=30).read().decode())
    later = comment_sets(analyst.open(f"{preview}?etter={second}", timeout=30).read().decode())
    assert "Bare ordføreren i A skrev dette" in set().union(*earlier.values())
    assert len(earlier) == 2  # both groups of the first breakdown have their comments
    assert later == {}
    shown = [(label, texts) for found in (earlier, later) for label, texts in found.items()]
    for text in set().union(*(texts for _, texts in shown)):
        assert len(writers(text, shown)) >= K, text
