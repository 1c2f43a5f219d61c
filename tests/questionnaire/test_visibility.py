"""Audience and show_if decide together what a respondent sees and what may be stored."""

from __future__ import annotations

from survey.questionnaire.visibility import prune_hidden, visible_questions
from tests.conftest import lint

DOC = """
roles: [{code: leder, label: Leder}, {code: ansatt, label: Ansatt}]
scales:
  s: {points: 6}
pages:
  - id: p1
    questions:
      - id: deltid
        type: single_choice
        text: Jobber du deltid
        choices: [{code: ja, label: Ja}, {code: nei, label: Nei}]
      - {id: ledere, type: text, text: Kun ledere, audience: [leder]}
  - id: p2
    questions:
      - {id: onsket, type: single_choice, text: Ønsket, show_if: "deltid == 'ja'", choices: [{code: ja, label: Ja}, {code: nei, label: Nei}]}
  - id: p3
    show_if: "onsket == 'ja'"
    questions:
      - {id: prosent, type: number, text: Ønsket stilling, min: 1, max: 100}
      - {id: trivsel, type: likert, scale: s, text: Trives, audience: [ansatt]}
"""


def questionnaire():
    result = lint(DOC)
    assert result.ok, [str(p) for p in result.problems]
    return result.questionnaire


def ids(questions):
    return [q.id for q in questions]


def test_audience_filters_by_role_and_unknown_role_sees_only_open_questions():
    q = questionnaire()
    assert ids(visible_questions(q, "leder", {})) == ["deltid", "ledere"]
    assert ids(visible_questions(q, "ansatt", {})) == ["deltid"]
    assert ids(visible_questions(q, None, {})) == ["deltid"]


def test_conditions_open_questions_and_pages():
    q = questionnaire()
    answers = {"deltid": "ja", "onsket": "ja"}
    assert ids(visible_questions(q, "ansatt", answers)) == [
        "deltid",
        "onsket",
        "prosent",
        "trivsel",
    ]


def test_hiding_cascades_when_an_earlier_answer_changes():
    q = questionnaire()
    # The respondent first said "ja" to deltid and onsket, then changed deltid to "nei":
    # onsket is hidden, so its stale "ja" must not keep page p3 open.
    answers = {"deltid": "nei", "onsket": "ja", "prosent": 80, "trivsel": 5}
    assert ids(visible_questions(q, "ansatt", answers)) == ["deltid"]
    assert prune_hidden(q, "ansatt", answers) == {"deltid": "nei"}


def test_answers_to_questions_outside_the_audience_are_dropped():
    q = questionnaire()
    answers = {"deltid": "nei", "ledere": "hemmelig"}
    assert prune_hidden(q, "ansatt", answers) == {"deltid": "nei"}
    assert prune_hidden(q, "leder", answers) == answers


def test_the_stated_role_overrides_the_invitation():
    from survey.questionnaire import load_questionnaire
    from survey.questionnaire.answers import Answer, check_answers
    from survey.questionnaire.visibility import stated_role
    from tests.conftest import QUESTIONNAIRES

    q = load_questionnaire(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")
    assert stated_role(q, {"q1": "ordforer"}, "prosjektleder") == "ordforer"
    assert stated_role(q, {}, "prosjektleder") == "prosjektleder"
    assert stated_role(q, {"q1": "ukjent"}, "radmann") == "radmann"
    # invited as project leader, but says mayor: q2-q4 are neither shown nor demanded
    assert "q2" not in ids(visible_questions(q, "prosjektleder", {"q1": "ordforer"}))
    errors = check_answers(q, "prosjektleder", {"q1": Answer("ordforer")})
    assert {e.answer_id for e in errors} == {
        "q5",
        "q6",
        "q7",
        "q8",
        "q9a",
        "q9b",
        "q10",
        "q11a",
        "q11b",
        "q12",
        "q13",
    }
