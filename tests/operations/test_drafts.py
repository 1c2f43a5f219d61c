"""Questionnaire drafts at the operation: who may, how large, what is audited."""

from __future__ import annotations

import pytest

from survey.accounts import Account
from survey.errors import Forbidden, InvalidInput
from survey.operations.drafts import publish_draft, save_draft, start_draft, templates
from survey.questionnaire import QuestionnaireError

EMPLOYEES = "fil:medarbeiderundersokelse.yaml"


def test_only_an_admin_may_write_questionnaires(edges):
    analyst = Account(99, "analytiker@sekretariatet.no", "analyst")
    with pytest.raises(Forbidden):
        templates(edges.db, analyst)
    with pytest.raises(Forbidden):
        start_draft(edges.db, analyst, EMPLOYEES, "ansatte", "Ansatte")
    draft = start_draft(edges.db, edges.admin, EMPLOYEES, "ansatte", "Ansatte")
    with pytest.raises(Forbidden):
        save_draft(edges.db, analyst, draft.id, draft.source, 10_000_000)
    with pytest.raises(Forbidden):
        publish_draft(edges.db, analyst, draft.id)


def test_a_draft_is_bounded_and_every_save_is_linted_and_audited(edges):
    draft = start_draft(edges.db, edges.admin, EMPLOYEES, "ansatte", "Ansatte")
    with pytest.raises(InvalidInput) as refused:
        save_draft(edges.db, edges.admin, draft.id, "x" * 101, 100)
    assert refused.value.field == "text" and "større enn" in refused.value.message_nb
    saved, result = save_draft(edges.db, edges.admin, draft.id, "id: [\r\n", 100)
    assert saved.source == "id: [\n" and result.errors
    with pytest.raises(QuestionnaireError):
        publish_draft(edges.db, edges.admin, draft.id)
    assert edges.count("questionnaire_versions") == 1  # the 2009 questionnaire only
    assert [entry[1:] for entry in edges.audit()] == [
        (
            "questionnaire draft started",
            f"draft {draft.id}: ansatte, copy of medarbeiderundersokelse",
        ),
        ("questionnaire draft saved", f"draft {draft.id}: ansatte, 1 errors"),
    ]


def test_a_published_id_cannot_be_taken(edges):
    with pytest.raises(InvalidInput, match="already used"):
        start_draft(edges.db, edges.admin, "versjon:1", "kvalitetskommune-2009", "Kopi")
    copy = start_draft(edges.db, edges.admin, "versjon:1", "kopi-2009", "Kopi")
    assert "\nid: kopi-2009\n" in copy.source and copy.copied_from == "versjon:1"
