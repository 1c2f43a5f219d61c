"""Bulk import and export take shortcuts for speed; these show they change nothing stored
or exported: shared answers decode as one response's own, an import holds what a
respondent had started on the web, and the connection and interpreter are left as found."""

from __future__ import annotations

import dataclasses
import gc

import pytest

from survey.responses_csv import export_table, read_responses
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.responses import (
    import_responses,
    load_answers,
    respondents_of,
    response_for_invitation,
    save_answers,
    submitted_responses,
)
from tests.storage.conftest import PAPER_FORMS, invited_round


@pytest.fixture
def round_(db):
    return invited_round(db)


def test_exported_answers_are_what_each_response_decodes_to_alone(db, round_):
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    imported = read_responses(PAPER_FORMS, q, respondents=respondents_of(db, round_.id))
    import_responses(db, q, round_.id, imported)
    ids = [row[0] for row in db.execute("SELECT id FROM responses ORDER BY id").fetchall()]
    exported = submitted_responses(db, q, round_.id)
    assert [row[4] for row in exported] == [load_answers(db, q, i) for i in ids]
    assert [row[4] for row in exported] == [response.answers for response in imported]
    # equal scale points are one shared (immutable) object
    assert exported[0][4]["q12"] is exported[0][4]["q13"]


def test_an_import_never_overwrites_what_the_respondent_started_on_the_web(db, round_):
    """Issue 17: the import replaced a web respondent's answers. Now their paper form is
    held beside the web response, which stays as they left it, for the secretariat."""
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    kari = respondents_of(db, round_.id)["kari@ex.no"]
    started = response_for_invitation(db, round_.id, kari.invitation_id, "ordforer", "X", {})
    web = read_responses(PAPER_FORMS, q, respondents=respondents_of(db, round_.id))[1].answers
    save_answers(db, q, started, {"q5": web["q5"]}, page=2, role="ordforer")
    started = response_for_invitation(db, round_.id, kari.invitation_id, "ordforer", "X", {})
    db.execute("UPDATE responses SET started_on = '2026-01-05' WHERE id = ?", [started.id])

    imported = read_responses(PAPER_FORMS, q, respondents=respondents_of(db, round_.id))
    assert import_responses(db, q, round_.id, imported) == (1, 1)
    row = db.execute(
        "SELECT role, unit, attributes, submitted, started_on, page, channel FROM responses "
        "WHERE id = ?",
        [started.id],
    ).fetchone()
    assert row == ("ordforer", "X", "{}", 0, "2026-01-05", 2, "web")
    assert load_answers(db, q, started.id) == {"q5": web["q5"]}
    held = db.execute(
        "SELECT channel, submitted, chosen FROM held_responses WHERE invitation_id = ?",
        [kari.invitation_id],
    ).fetchall()
    assert held == [("import", 1, None)]
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 2


def test_the_later_of_two_rows_for_one_respondent_wins(db, round_):
    """read_responses refuses such a file; import_responses alone still stores one."""
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    first, second = read_responses(PAPER_FORMS, q, respondents=respondents_of(db, round_.id))
    again = dataclasses.replace(second, respondent=first.respondent, role="ordforer")
    import_responses(db, q, round_.id, [first, again])
    ((response_id,),) = db.execute("SELECT id FROM responses").fetchall()
    assert load_answers(db, q, response_id) == second.answers


def test_the_connection_and_the_collector_are_left_as_found(db, round_):
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    sqlite = db.sql.name == "sqlite"  # an import asks SQLite for a larger cache
    if sqlite:
        db.execute("PRAGMA cache_size = -3000")
    assert gc.isenabled()
    import_responses(
        db, q, round_.id, read_responses(PAPER_FORMS, q, respondents=respondents_of(db, round_.id))
    )
    export_table(q, submitted_responses(db, q, round_.id), identity=True)
    assert gc.isenabled()
    assert not sqlite or db.execute("PRAGMA cache_size").fetchone()[0] == -3000
    gc.disable()
    try:
        export_table(q, submitted_responses(db, q, round_.id), identity=True)
        assert not gc.isenabled()  # a pause someone else asked for is theirs to end
    finally:
        gc.enable()
