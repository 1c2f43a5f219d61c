"""Attack 3 of the confidentiality issue, response rates across pages: the round page hides
Kommune A (one answer) and, to protect it, Kommune B; but Kommune B's own page shows its
total, and then A = the round's total − C − B, read off two pages. Every page's rates are
now audited together with every count released before (the release ledger), in whichever
order the pages are read.

Against the real app: a real HTTP server on 127.0.0.1, an analyst signed in through the
sign-in page, the round page and a unit's page read back, and the independent judge of
``tests/scoring/oracle.py`` over every answered count shown on either page.
"""

from __future__ import annotations

import random
import re

import pytest

from survey import create_app
from survey.demo import answers_2009
from survey.invitation_list import Person
from survey.questionnaire import load_file
from survey.records import ImportedResponse
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.responses import import_responses, respondents_of
from survey.storage.rounds import create_round
from survey.storage.users import add_user
from tests.confidentiality.conftest import ANALYST, PASSWORD, signed_in_analyst
from tests.conftest import QUESTIONNAIRES, server_thread
from tests.scoring.oracle import leaks

K = 3
UNITS = {"Kommune A": (1, 1), "Kommune B": (5, 4), "Kommune C": (6, 5)}  # invited, answered


@pytest.fixture
def served(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    db = open_database(db_path)
    loaded = load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")
    publish(db, loaded)
    round_ = create_round(db, "kvalitetskommune-2009", "Evaluering 2009", min_group_size=K)
    add_user(db, ANALYST, PASSWORD, "analyst", ())
    people = [
        Person(f"Rådmann {i}", f"r{i}@{unit[-1].lower()}.kommune.no", "radmann", unit, {})
        for unit, (invited, _) in UNITS.items()
        for i in range(invited)
    ]
    add_invitations(db, round_.id, people)
    invited = respondents_of(db, round_.id)
    rng = random.Random(5)
    answering = [
        person
        for unit, (_, answered) in UNITS.items()
        for person in [p for p in people if p.unit == unit][:answered]
    ]
    imported = [
        ImportedResponse(
            row,
            answers_2009(loaded.questionnaire, "radmann", rng),
            "radmann",
            person.unit,
            {},
            invited[person.email],
        )
        for row, person in enumerate(answering, start=1)
    ]
    import_responses(db, loaded.questionnaire, round_.id, imported)
    db.close()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test"})
    with server_thread(app) as base:
        yield base, round_.id


def answered(page: str, caption: str) -> dict[str, int]:
    """Group -> answered count shown in the rate table with this caption (hidden left out)."""
    table = re.search(rf"<caption>{caption}</caption>(.*?)</table>", page, re.S)
    assert table is not None, caption
    rows = re.findall(
        r'<th scope="row">(.*?)</th>\s*<td class="num">\d+</td>\s*<td class="num">(\d+)</td>',
        table.group(1),
    )
    return {group: int(n) for group, n in rows}


@pytest.mark.parametrize("unit_first", [False, True])
def test_no_unit_can_be_worked_out_from_two_pages(served, unit_first):
    base, round_id = served
    analyst = signed_in_analyst(base, ANALYST)
    round_page = f"{base}/sekretariat/runder/{round_id}"
    unit_page = f"{round_page}?enhet=Kommune%20B"
    shown: list[list[str]] = []
    counts = {unit: answered_n for unit, (_, answered_n) in UNITS.items()}
    for address in [unit_page, round_page] if unit_first else [round_page, unit_page]:
        page = analyst.open(address, timeout=30).read().decode()
        if address == round_page:
            # a hidden rate claims no reason it cannot stand behind: Kommune B's four
            # answers, hidden to protect Kommune A, are not "færre enn 3 svar"
            row_b = re.search(r'<th scope="row">Kommune B</th>(.*?)</tr>', page, re.S)
            assert row_b is not None and "færre enn" not in row_b.group(1)
            for group, n in answered(page, "Etter enhet").items():
                cells = list(UNITS) if group == "Alle" else [group]
                assert n == sum(counts[c] for c in cells)
                shown.append(cells)
        else:
            if "Alle" in answered(page, "Etter rolle"):  # the unit's own total
                assert answered(page, "Etter rolle")["Alle"] == counts["Kommune B"]
                shown.append(["Kommune B"])
    assert shown  # something is shown ...
    assert leaks(counts, shown, K) == []  # ... and Kommune A's single answer is not in it
