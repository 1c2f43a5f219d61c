"""Bulk import and export take shortcuts for speed; these show they change nothing stored
or exported: shared answers decode as one response's own, an import replaces what a
respondent had started on the web, and the connection and interpreter are left as found."""

from __future__ import annotations

import dataclasses
import gc

import pytest

from survey.invitations import Person
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish, questionnaire_of_version
from survey.storage.responses import (
    import_responses,
    load_answers,
    respondents_of,
    response_for_invitation,
    save_answers,
    submitted_responses,
)
from survey.storage.rounds import create_round
from survey.transfer import export_table, read_responses
from tests.conftest import QUESTIONNAIRES

ROWS = (
    "email,q1,q1_detail,q2,q2_detail,q3,q4,q4_detail,q5,q6,q7,q8,q9a,q9b,q10,q11a,q11b,"
    "q12,q13,q14\n"
    "kari@ex.no,ordforer,,,,,,,5,4,3,6,6,vet_ikke,ja_begge,nei,ja,5,5,'=HYPERLINK(1)\n"
    'OLA@ex.no,prosjektleder,,ja,Ny ordfører,"skifte;okt_frikjop",frikjopt,"12,5",'
    "2,2,2,2,2,nei,nei,nei,nei,2,2,\n"
).encode()


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "survey.sqlite3")
    publish(database, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    yield database
    database.conn.close()


@pytest.fixture
def round_(db):
    created = create_round(db, "kvalitetskommune-2009", "Papir")
    add_invitations(
        db,
        created.id,
        [
            Person("Kari", "kari@ex.no", "ordforer", "Levanger", {"pulje": "2"}),
            Person("Ola", "ola@ex.no", "prosjektleder", "Verdal", {"pulje": "3"}),
        ],
    )
    return created


def test_exported_answers_are_what_each_response_decodes_to_alone(db, round_):
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    imported = read_responses(ROWS, q, respondents=respondents_of(db, round_.id))
    import_responses(db, q, round_.id, imported)
    ids = [row[0] for row in db.execute("SELECT id FROM responses ORDER BY id").fetchall()]
    exported = submitted_responses(db, q, round_.id)
    assert [row[4] for row in exported] == [load_answers(db, q, i) for i in ids]
    assert [row[4] for row in exported] == [response.answers for response in imported]
    # equal scale points are one shared (immutable) object
    assert exported[0][4]["q12"] is exported[0][4]["q13"]


def test_an_import_replaces_what_the_respondent_started_on_the_web(db, round_):
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    kari = respondents_of(db, round_.id)["kari@ex.no"]
    started = response_for_invitation(db, round_.id, kari.invitation_id, "ordforer", "X", {})
    web = read_responses(ROWS, q, respondents=respondents_of(db, round_.id))[1].answers
    save_answers(db, q, started, {"q5": web["q5"]}, page=2, role="ordforer")
    db.execute("UPDATE responses SET started_on = '2026-01-05' WHERE id = ?", [started.id])

    imported = read_responses(ROWS, q, respondents=respondents_of(db, round_.id))
    assert import_responses(db, q, round_.id, imported) == 2
    row = db.execute(
        "SELECT role, unit, attributes, submitted, started_on, page FROM responses WHERE id = ?",
        [started.id],
    ).fetchone()
    assert row == ("ordforer", "Levanger", "{}", 1, "2026-01-05", 2)
    assert load_answers(db, q, started.id) == imported[0].answers
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 2


def test_the_later_of_two_rows_for_one_respondent_wins(db, round_):
    """read_responses refuses such a file; import_responses alone still stores one."""
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    first, second = read_responses(ROWS, q, respondents=respondents_of(db, round_.id))
    again = dataclasses.replace(second, respondent=first.respondent, role="ordforer")
    import_responses(db, q, round_.id, [first, again])
    ((response_id,),) = db.execute("SELECT id FROM responses").fetchall()
    assert load_answers(db, q, response_id) == second.answers


def test_the_connection_and_the_collector_are_left_as_found(db, round_):
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    db.execute("PRAGMA cache_size = -3000")
    assert gc.isenabled()
    import_responses(
        db, q, round_.id, read_responses(ROWS, q, respondents=respondents_of(db, round_.id))
    )
    export_table(q, submitted_responses(db, q, round_.id), identity=True)
    assert gc.isenabled()
    assert db.execute("PRAGMA cache_size").fetchone()[0] == -3000
    gc.disable()
    try:
        export_table(q, submitted_responses(db, q, round_.id), identity=True)
        assert not gc.isenabled()  # a pause someone else asked for is theirs to end
    finally:
        gc.enable()
