"""A real SQLite file with a published 2009 questionnaire, a round and invitations."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from survey import create_app
from survey.invitation_list import Person
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from tests.conftest import QUESTIONNAIRES

HOME_CARE_PAGE_1 = {
    "hvem_svarer": "bruker",
    "alder": "ar_80_89",
    "varighet": "ar_1_3",
    "tjenester": "hjemmesykepleie",
    "action": "next",
}
"""A valid first page of the bundled home-care user survey (anonymous rounds)."""

PEOPLE = [
    Person("Kari Nordmann", "kari@levanger.kommune.no", "ordforer", "Levanger", {"pulje": "2"}),
    Person("Ola Ødegård", "ola@verdal.kommune.no", "prosjektleder", "Verdal", {"pulje": "2"}),
]


@dataclass
class Setup:
    app: object
    db_path: str
    round_id: int
    tokens: dict[str, str]  # email -> token

    def db(self):
        return open_database(self.db_path, migrate=False)

    def rows(self, sql: str, *params):
        db = self.db()
        try:
            return db.execute(sql, list(params)).fetchall()
        finally:
            db.close()


@pytest.fixture
def setup(tmp_path) -> Setup:
    db_path = str(tmp_path / "survey.sqlite3")
    db = open_database(db_path)
    publish(db, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    round_ = create_round(db, "kvalitetskommune-2009", "Evaluering 2009")
    invitations = add_invitations(db, round_.id, PEOPLE)
    db.close()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test", "TESTING": True})
    return Setup(app, db_path, round_.id, {i.email: i.token for i in invitations})


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
