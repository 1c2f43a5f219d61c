"""A residual role (the 2009 questionnaire's "annet"): its respondents are kept and exported
to admins but enter no released figure, in every breakdown and every overview, so that no
other role has to be hidden to protect them (issue 14)."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

import pytest

from survey.dates import norwegian_date
from survey.demo import answers_2009
from survey.invitation_list import Person
from survey.operations.responses import export_responses
from survey.operations.results import (
    answers_per_day,
    make_report,
    results_for,
    rounds_overview,
    scores,
)
from survey.operations.rounds import create_round
from survey.questionnaire.answers import Answer
from survey.records import ImportedResponse
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.responses import import_responses, respondents_of

MAYORS, OTHERS = 5, 2


@pytest.fixture
def round_id(edges) -> int:
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R", min_group_size=3)
    people = [
        Person(f"Ordfører {i}", f"o{i}@k{i}.kommune.no", "ordforer", f"Kommune {i}", {})
        for i in range(MAYORS)
    ] + [
        Person(f"Annen {i}", f"a{i}@k{i}.kommune.no", "annet", f"Kommune {i}", {})
        for i in range(OTHERS)
    ]
    add_invitations(edges.db, round_.id, people)
    questionnaire = questionnaire_of_version(edges.db, round_.questionnaire_version_id)
    invited = respondents_of(edges.db, round_.id)
    imported = []
    for row, person in enumerate(people, start=1):
        answers = answers_2009(questionnaire, "ordforer", random.Random(row))
        if person.role == "annet":
            answers["q1"] = Answer("annet", {"annet": "Varaordfører"})
            answers |= {item.id: Answer(1) for item in questionnaire.items}
        imported.append(
            ImportedResponse(row, answers, person.role, person.unit, {}, invited[person.email])
        )
    import_responses(edges.db, questionnaire, round_.id, imported)
    return round_.id


def test_residual_respondents_enter_no_released_figure(edges, round_id):
    assert questionnaire_of_version(edges.db, 1).residual_roles == {"annet"}
    results = results_for(edges.db, edges.admin, round_id)
    assert {groups["role"] for groups, _ in results.respondents} == {"ordforer"}
    assert len(results.invitations) == MAYORS
    table = scores(edges.db, edges.admin, round_id, "role")
    q5 = table[table["item"] == "q5"]
    assert set(q5["role"]) == {"ordforer", "*"}  # no row for "annet", hidden or not
    assert set(q5["n"]) == {MAYORS}  # the total is the mayors' alone, and shown
    assert not q5["suppressed"].any()
    overall = scores(edges.db, edges.admin, round_id)
    assert overall[overall["item"] == "q5"]["n"].tolist() == [MAYORS]
    assert [n for _, n in answers_per_day(edges.db, edges.admin, round_id)] == [MAYORS]
    ((_, _, rate),) = rounds_overview(edges.db, edges.admin)
    assert (rate["invited"], rate["answered"]) == (MAYORS, MAYORS)
    report = make_report(edges.db, edges.admin, round_id, "role")
    assert report.respondents == MAYORS


def test_residual_respondents_are_kept_and_exported_to_admins(edges, round_id):
    target = io.BytesIO()
    export_responses(edges.db, edges.admin, round_id, "csv", target)
    exported = target.getvalue().decode("utf-8-sig")
    rows = [line.split(",") for line in exported.splitlines()[1:]]
    assert [row[1] for row in rows].count("annet") == OTHERS  # with all their answers
    assert all(row[10] == "1" for row in rows if row[1] == "annet")


def test_a_late_residual_answer_does_not_move_the_answer_period(edges, round_id):
    """The period a report shows is of the respondents who enter its figures: one "annet"
    sending in a week later would otherwise show as a new last day."""
    later = (date.today() + timedelta(days=7)).isoformat()
    earlier = (date.today() - timedelta(days=7)).isoformat()
    edges.db.execute(
        "UPDATE responses SET submitted_on = ?, started_on = ? WHERE role = 'annet'",
        [later, earlier],
    )
    report = make_report(edges.db, edges.admin, round_id, "role")
    today = norwegian_date(date.today())  # as the report prints it
    assert report.period == (today, today)
