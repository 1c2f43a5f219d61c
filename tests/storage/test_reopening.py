"""A response already sent in keeps every rule: ``save_answers`` reopens one that a change
leaves breaking a rule, deciding on what is stored, not on what the caller last read."""

from __future__ import annotations

import dataclasses

import pytest

from survey.questionnaire.answers import Answer
from survey.responses_csv import read_responses
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.responses import (
    import_responses,
    load_answers,
    respondents_of,
    response_for_invitation,
    save_answers,
)
from tests.storage.conftest import PAPER_FORMS, invited_round


@pytest.fixture
def kari(db):
    """Kari's answers stored as sent in on the web, her response, and the questionnaire."""
    round_ = invited_round(db)
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    import_responses(
        db, q, round_.id, read_responses(PAPER_FORMS, q, respondents=respondents_of(db, round_.id))
    )
    # as if sent in on the web: a response that came in on paper is not the respondent's
    # to change (their web answers are held beside it; tests/operations/test_channels.py)
    with db.writing():
        db.execute("UPDATE responses SET channel = 'web'")
    person = respondents_of(db, round_.id)["kari@ex.no"]
    response = response_for_invitation(db, round_.id, person.invitation_id, "ordforer", "X", {})
    assert response.submitted and not response.reopened
    return db, q, response


def state(db, response_id: int) -> tuple[int, bool]:
    submitted, first = db.execute(
        "SELECT submitted, submitted_on FROM responses WHERE id = ?", [response_id]
    ).fetchone()
    return submitted, first is not None


def test_a_change_revealing_required_questions_reopens_even_a_stale_copy(kari):
    db, q, response = kari
    stale = dataclasses.replace(response, submitted=False)  # read before another tab sent it
    answers = load_answers(db, q, response.id) | {"q1": Answer("prosjektleder")}
    save_answers(db, q, stale, answers, page=2, role="prosjektleder")
    assert state(db, response.id) == (0, True)  # reopened, the first date kept
    assert load_answers(db, q, response.id)["q1"] == Answer("prosjektleder")  # stored


def test_a_change_that_keeps_every_rule_leaves_it_sent_in(kari):
    db, q, response = kari
    answers = load_answers(db, q, response.id) | {"q6": Answer(1)}
    save_answers(db, q, response, answers, page=3, role="ordforer")
    assert state(db, response.id) == (1, True)


def test_a_response_never_sent_in_is_left_unfinished(db):
    round_ = invited_round(db)
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    person = respondents_of(db, round_.id)["ola@ex.no"]
    started = response_for_invitation(db, round_.id, person.invitation_id, "prosjektleder", "Y", {})
    save_answers(db, q, started, {"q5": Answer(4)}, page=3, role="prosjektleder")
    started = response_for_invitation(db, round_.id, person.invitation_id, "prosjektleder", "Y", {})
    assert state(db, started.id) == (0, False)


def revision(db, response_id: int) -> int:
    return db.execute("SELECT revision FROM responses WHERE id = ?", [response_id]).fetchone()[0]


def test_a_page_saved_again_unchanged_keeps_the_revision(kari):
    """A new revision is a new version, and a new snapshot with the same figures under a
    new date: only a change makes one."""
    db, q, response = kari
    answers = load_answers(db, q, response.id)
    before = revision(db, response.id)
    save_answers(db, q, response, answers, page=3, role="ordforer")
    assert revision(db, response.id) == before
    save_answers(db, q, response, answers | {"q6": Answer(1)}, page=3, role="ordforer")
    assert revision(db, response.id) == before + 1
    save_answers(db, q, response, answers | {"q6": Answer(1)}, page=3, role="radmann")
    assert revision(db, response.id) == before + 2  # the role alone is a change
