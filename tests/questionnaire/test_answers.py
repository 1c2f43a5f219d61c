"""Answer rules on the 2009 questionnaire: what a respondent may submit, in bokmål."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.questionnaire import load_questionnaire
from survey.questionnaire.answers import (
    Answer,
    AnswerError,
    ParseError,
    check_answers,
    parse_answer,
    parse_number,
)
from tests.conftest import QUESTIONNAIRES, lint

Q = load_questionnaire(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")

MAYOR = {
    "q1": Answer("ordforer"),
    **{q: Answer(5) for q in ("q5", "q6", "q7", "q8", "q9a", "q12", "q13")},
    "q9b": Answer("vet_ikke"),
    "q10": Answer("ja_begge"),
    "q11a": Answer("nei"),
    "q11b": Answer("ja"),
}
LEADER = {
    **MAYOR,
    "q1": Answer("prosjektleder"),
    "q2": Answer("ja", {"ja": "Ny rådmann i 2009"}),
    "q3": Answer(frozenset({"skifte", "okt_frikjop"})),
    "q4": Answer("frikjopt", {"frikjopt": 50.0}),
}


def test_complete_answers_have_no_errors_and_q14_is_optional():
    assert check_answers(Q, "ordforer", MAYOR) == []
    assert check_answers(Q, "prosjektleder", LEADER) == []


def test_missing_required_answer():
    answers = {k: v for k, v in MAYOR.items() if k != "q5"}
    assert check_answers(Q, "ordforer", answers) == [
        AnswerError("q5", "Du må svare på dette spørsmålet.")
    ]


def test_project_leader_questions_missing_only_for_project_leader():
    assert [
        e.answer_id
        for e in check_answers(Q, "prosjektleder", MAYOR | {"q1": Answer("prosjektleder")})
    ] == ["q2", "q3", "q4"]


def test_mayor_may_not_answer_project_leader_questions():
    assert check_answers(Q, "ordforer", MAYOR | {"q2": Answer("nei")}) == [
        AnswerError("q2", "Dette spørsmålet gjelder ikke for deg.")
    ]


def test_exclusive_option_cannot_be_combined():
    answers = LEADER | {"q3": Answer(frozenset({"skifte", "ingen_endringer"}))}
    assert check_answers(Q, "prosjektleder", answers) == [
        AnswerError("q3", "«Ingen endringer» kan ikke kombineres med andre svar.")
    ]


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({}, "Fyll inn et tall for «Prosjektleder er frikjøpt»."),
        ({"frikjopt": 120.0}, "Skriv et tall fra 0 til 100."),
        ({"frikjopt": -1.0}, "Skriv et tall fra 0 til 100."),
    ],
)
def test_percentage_attached_to_a_choice(details, message):
    answers = LEADER | {"q4": Answer("frikjopt", details)}
    assert check_answers(Q, "prosjektleder", answers) == [AnswerError("q4", message, "frikjopt")]


def test_other_specify_requires_the_text():
    answers = MAYOR | {"q1": Answer("annet")}
    assert check_answers(Q, "annet", answers) == [
        AnswerError("q1", "Skriv hva du mener med «Annet, spesifiser».", "annet")
    ]
    assert (
        check_answers(Q, "annet", MAYOR | {"q1": Answer("annet", {"annet": "Varaordfører"})}) == []
    )


def test_detail_for_an_option_not_chosen_is_refused():
    answers = LEADER | {"q2": Answer("nei", {"ja": "skal ikke lagres"})}
    assert check_answers(Q, "prosjektleder", answers) == [
        AnswerError("q2", "Dette spørsmålet gjelder ikke for deg.", "ja")
    ]


def test_long_text_limit():
    answers = MAYOR | {"q14": Answer("x" * 5001)}
    assert check_answers(Q, "ordforer", answers) == [
        AnswerError("q14", "Svaret kan være høyst 5000 tegn langt (nå er det 5001).")
    ]


def test_checking_one_page_only():
    page = Q.pages[2]
    assert check_answers(Q, "ordforer", {"q1": Answer("ordforer")}, page.questions) == [
        AnswerError(q, "Du må svare på dette spørsmålet.")
        for q in ("q5", "q6", "q7", "q8", "q9a", "q9b")
    ]


@pytest.mark.parametrize(
    ("qid", "raw", "details", "expected"),
    [
        ("q5", ["5"], None, Answer(5)),
        ("q5", [" 6 "], None, Answer(6)),
        ("q5", [""], None, None),
        ("q3", ["skifte", "okt_frikjop"], None, Answer(frozenset({"skifte", "okt_frikjop"}))),
        ("q4", ["frikjopt"], {"frikjopt": "12,5"}, Answer("frikjopt", {"frikjopt": 12.5})),
        ("q1", ["annet"], {"annet": " Varaordfører "}, Answer("annet", {"annet": "Varaordfører"})),
        ("q14", ["Takk!"], None, Answer("Takk!")),
    ],
)
def test_parse_answer(qid, raw, details, expected):
    assert parse_answer(Q.question(qid), qid, raw, details) == expected


@pytest.mark.parametrize(
    ("qid", "raw", "details", "message"),
    [
        ("q5", ["7"], None, "Velg et tall fra 1 til 6."),
        ("q5", ["4.5"], None, "Velg et tall fra 1 til 6."),
        ("q5", ["ja"], None, "Velg et tall fra 1 til 6."),
        ("q1", ["borgermester"], None, "Velg et av alternativene."),
        ("q1", ["ordforer", "radmann"], None, "Velg et av alternativene."),
        ("q3", ["skifte", "tull"], None, "Velg et av alternativene."),
        ("q4", ["frikjopt"], {"frikjopt": "halv"}, "Skriv et tall."),
    ],
)
def test_parse_answer_refuses(qid, raw, details, message):
    with pytest.raises(ParseError) as exc:
        parse_answer(Q.question(qid), qid, raw, details)
    assert exc.value.error.message == message


def test_custom_required_message_and_number_question():
    result = lint(
        """
        id: t
        version: 1
        title: T
        pages:
          - id: p
            questions:
              - {id: alder, type: number, text: Alder, min: 18, required_message: Oppgi alderen din.}
              - {id: timer, type: number, text: Timer, max: 80, integer: false}
        """
    )
    q = result.questionnaire
    assert check_answers(q, None, {}) == [
        AnswerError("alder", "Oppgi alderen din."),
        AnswerError("timer", "Du må svare på dette spørsmålet."),
    ]
    assert check_answers(q, None, {"alder": Answer(17), "timer": Answer(80.5)}) == [
        AnswerError("alder", "Skriv et tall som er 18 eller mer."),
        AnswerError("timer", "Skriv et tall som er 80 eller mindre."),
    ]
    assert check_answers(q, None, {"alder": Answer(18.5), "timer": Answer(37.5)}) == [
        AnswerError("alder", "Skriv et helt tall."),
    ]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12,5", 12.5),
        ("1 000", 1000.0),
        ("-3", -3.0),
        ("abc", None),
        ("nan", None),
        ("", None),
        ("inf", None),
    ],
)
def test_parse_number(text, number):
    assert parse_number(text) == number


raw_values = st.lists(
    st.one_of(
        st.text(max_size=8),
        st.sampled_from(
            [
                "1",
                "6",
                "7",
                "ja",
                "nei",
                "vet_ikke",
                "frikjopt",
                "annet",
                "ingen_endringer",
                "skifte",
            ]
        ),
    ),
    max_size=3,
)


@given(
    st.dictionaries(st.sampled_from([q.id for q in Q.questions]), raw_values),
    st.sampled_from([r.code for r in Q.roles] + [None]),
    st.dictionaries(st.sampled_from(["frikjopt", "annet", "ja"]), st.text(max_size=6)),
)
def test_any_submission_is_either_parsed_and_checked_or_refused(raw, role, details):
    answers = {}
    for qid, values in raw.items():
        try:
            answer = parse_answer(Q.question(qid), qid, values, details)
        except ParseError as exc:
            assert exc.error.answer_id == qid and exc.error.message
            continue
        if answer is not None:
            answers[qid] = answer
    for error in check_answers(Q, role, answers):
        assert error.message and error.answer_id in {q.id for q in Q.questions}


def test_answer_shape_must_fit_the_question_type():
    # a set of codes for a single choice, a plain code for a multiple choice
    assert check_answers(Q, "ordforer", MAYOR | {"q10": Answer(frozenset({"ja_begge"}))}) == [
        AnswerError("q10", "Velg et av alternativene.")
    ]
    leader = LEADER | {"q3": Answer("skifte")}
    assert check_answers(Q, "prosjektleder", leader) == [
        AnswerError("q3", "Velg et av alternativene.")
    ]


def test_detail_on_an_option_without_specify_is_refused():
    answers = MAYOR | {"q10": Answer("ja_begge", {"ja_begge": "tekst"})}
    assert check_answers(Q, "ordforer", answers) == [
        AnswerError("q10", "Dette spørsmålet gjelder ikke for deg.", "ja_begge")
    ]


def test_max_choices_messages():
    result = lint(
        """
        id: t
        version: 1
        title: T
        pages:
          - id: p
            questions:
              - {id: en, type: multiple_choice, text: A, max_choices: 1, choices: [{code: x, label: X}, {code: y, label: Y}]}
              - {id: to, type: multiple_choice, text: B, max_choices: 2, choices: [{code: x, label: X}, {code: y, label: Y}, {code: z, label: Z}]}
        """
    )
    q = result.questionnaire
    answers = {"en": Answer(frozenset({"x", "y"})), "to": Answer(frozenset({"x", "y", "z"}))}
    assert check_answers(q, None, answers) == [
        AnswerError("en", "Velg bare ett alternativ."),
        AnswerError("to", "Velg høyst 2 alternativer."),
    ]


def test_large_bounds_are_written_the_norwegian_way():
    result = lint(
        """
        id: t
        version: 1
        title: T
        pages:
          - id: p
            questions:
              - {id: kr, type: number, text: Kroner, max: 1000000}
        """
    )
    assert check_answers(result.questionnaire, None, {"kr": Answer(2_000_000)}) == [
        AnswerError("kr", "Skriv et tall som er 1\u00a0000\u00a0000 eller mindre.")
    ]


def test_a_returned_form_may_leave_blanks_but_not_break_a_questions_own_rules():
    """Issue 17: ``returned_form`` (a paper form that came back) counts a blank required
    answer or "specify" instead of refusing it, leaves an answer the form said to skip to
    the caller (kept aside), and still refuses what cannot be an answer."""
    from survey.questionnaire import load_file
    from survey.questionnaire.answers import Answer, blank_details, check_answers
    from tests.conftest import QUESTIONNAIRES

    q = load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml").questionnaire
    blank = {"q1": Answer("ordforer"), "q2": Answer("ja")}  # q2: project leaders only
    assert check_answers(q, "ordforer", blank, returned_form=True) == []
    assert {e.answer_id for e in check_answers(q, "ordforer", blank)} >= {"q2", "q5", "q13"}
    assert blank_details(q.question_for("q2"), blank["q2"]) == ["ja"]
    wrong = blank | {"q5": Answer(7), "q2": Answer("ja", {"ja": ""}), "q4": Answer("x")}
    assert [e.answer_id for e in check_answers(q, "ordforer", wrong, returned_form=True)] == [
        "q4",
        "q5",
    ]
