"""A database with the 2009 questionnaire published, a round inviting two people, and the
paper forms of both: what the import and export tests share."""

from __future__ import annotations

import pytest

from survey.invitation_list import Person
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.rounds import Round, create_round
from tests.conftest import QUESTIONNAIRES

PAPER_FORMS = (
    "email,q1,q1_detail,q2,q2_detail,q3,q4,q4_detail,q5,q6,q7,q8,q9a,q9b,q10,q11a,q11b,"
    "q12,q13,q14\n"
    "kari@ex.no,ordforer,,,,,,,5,4,3,6,6,vet_ikke,ja_begge,nei,ja,5,5,'=HYPERLINK(1)\n"
    'OLA@ex.no,prosjektleder,,ja,Ny ordfører,"skifte;okt_frikjop",frikjopt,"12,5",'
    "2,2,2,2,2,nei,nei,nei,nei,2,2,\n"
).encode()
"""Kari (mayor) and Ola (project leader) on paper, Ola's address in capitals."""


@pytest.fixture
def db(database):
    opened = open_database(database)
    publish(opened, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    yield opened
    opened.close()


def invited_round(db) -> Round:
    round_ = create_round(db, "kvalitetskommune-2009", "Papir")
    add_invitations(
        db,
        round_.id,
        [
            Person("Kari", "kari@ex.no", "ordforer", "Levanger", {"pulje": "2"}),
            Person("Ola", "ola@ex.no", "prosjektleder", "Verdal", {"pulje": "3"}),
        ],
    )
    return round_
