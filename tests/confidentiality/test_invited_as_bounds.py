"""The numbers invited bound other groups' answers: the round page shows each unit's
number invited beside its answered count, hidden or not. With k = 5, Kommune A (5 invited,
5 answered) hidden to protect Kommune B (3 invited, 2 answered), beside a shown Kommune C
and the round's total, gives B at least total − C − 5 (A cannot have more answers than
invitations) = 2, its true count. The auditor now reads every number invited the pages show
as a bound (0 ≤ answered ≤ invited) when it audits the answered counts.

Against the real app: a real HTTP server on 127.0.0.1, an analyst signed in through the
sign-in page, the round page read back (numbers invited and answered counts from its HTML),
and the independent judge of ``tests/scoring/oracle.py`` given the numbers invited as
headcounts. A group pinned at its own headcount ("everyone there answered") is deliberately
no disclosure (docs/confidentiality.md); this round has no such group under the minimum.
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

K = 5
UNITS = {"Kommune A": (5, 5), "Kommune B": (3, 2), "Kommune C": (10, 6)}  # invited, answered


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
    rng = random.Random(14)
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


def rows(page: str, caption: str) -> dict[str, tuple[int, int | None]]:
    """Group -> (invited, answered) in the rate table with this caption (None: hidden)."""
    table = re.search(rf"<caption>{caption}</caption>(.*?)</table>", page, re.S)
    assert table is not None, caption
    found = re.findall(
        r'<th scope="row">(.*?)</th>\s*<td class="num">(\d+)</td>\s*<td( class="num">(\d+))?',
        table.group(1),
    )
    return {group: (int(n), int(a) if shown else None) for group, n, shown, a in found}


def test_the_numbers_invited_do_not_pin_a_hidden_units_answers(served):
    base, round_id = served
    analyst = signed_in_analyst(base, ANALYST)
    page = analyst.open(f"{base}/sekretariat/runder/{round_id}", timeout=30).read().decode()
    counts = {unit: answered for unit, (_, answered) in UNITS.items()}
    by_unit = rows(page, "Etter enhet")
    assert set(by_unit) == {*UNITS, "Alle"}
    headcounts = {}  # what the page tells an attacker: every unit's number invited
    shown: list[list[str]] = []
    for group, (invited, answered) in by_unit.items():
        cells = list(UNITS) if group == "Alle" else [group]
        assert invited == sum(UNITS[c][0] for c in cells)
        if group != "Alle":
            headcounts[group] = invited
        if answered is not None:
            assert answered == sum(counts[c] for c in cells)
            shown.append(cells)
    for _, answered in rows(page, "Etter rolle").values():  # one role: the total
        if answered is not None:
            shown.append(list(UNITS))
    assert by_unit["Kommune B"][1] is None  # two answers are never shown ...
    assert shown  # ... something is ...
    # ... and Kommune B's two answers cannot be worked out from it and the numbers invited
    assert leaks(counts, shown, K, upper=headcounts) == []
