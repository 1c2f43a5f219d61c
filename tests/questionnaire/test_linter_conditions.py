"""show_if checks: syntax, order (no cycles), and values the question can produce."""

from __future__ import annotations

import pytest

from tests.conftest import lint, messages

DOC = """
roles: [{code: leder, label: Leder}, {code: ansatt, label: Ansatt}]
scales:
  s:
    points: 6
    not_scored: [{code: vet_ikke, label: Vet ikke}]
pages:
  - id: p1
    questions:
      - {id: q1, type: single_choice, text: A, choices: [{code: ja, label: Ja}, {code: nei, label: Nei}]}
      - {id: q2, type: likert, scale: s, text: B}
      - {id: q3, type: multiple_choice, text: C, choices: [{code: x, label: X}, {code: y, label: Y}]}
      - {id: q4, type: number, text: D, min: 0, max: 100}
  - id: p2
    questions:
      - id: q5
        type: text
        text: E
        show_if: CONDITION
"""
LINE = 21
COLUMN = 18  # where the condition starts on its line


def check(condition: str) -> list[str]:
    return messages(lint(DOC.replace("CONDITION", condition)))


@pytest.mark.parametrize(
    "condition",
    [
        "q1 == 'ja'",
        "q1 != 'nei' and q2 >= 4",
        "q2 == 'vet_ikke' or not (q4 > 50)",
        "q1 in ['ja', 'nei']",
        "\"'x' in q3 and 'y' not in q3\"",  # starts with a quote: quote it all for YAML
        "q2 in [5, 6]",
        "q4 <= 37.5",
        "\"'ja' == q1\"",
    ],
)
def test_valid_conditions(condition):
    assert check(condition) == []


@pytest.mark.parametrize(
    ("condition", "offset", "message"),
    [
        ("q1 = 'ja'", 3, "unexpected character '=' (use '==' to compare)"),
        ("q1 == 'ja", 6, 'unexpected character "\'" (strings need matching quotes)'),
        ("q1 == 'ja' q2 == 3", 11, "unexpected 'q2'; join conditions with 'and' or 'or'"),
        (
            "q1",
            2,
            "expected a comparison (==, !=, <, <=, >, >=, in) after q1, "
            "found the end of the condition",
        ),
        ("(q1 == 'ja'", 11, "expected ')', found the end of the condition"),
        ("q1 in 'ja'", 6, "'in' needs a list like ['a', 'b'] or a multiple-choice question"),
    ],
)
def test_syntax_errors_point_into_the_condition(condition, offset, message):
    assert check(condition) == [
        f"q.yaml:{LINE}:{COLUMN + offset}: error: show_if of question 'q5': {message}"
    ]


@pytest.mark.parametrize(
    ("condition", "offset", "message"),
    [
        ("q2 == 'ja'", 6, "q2 is a likert item on a 1-6 scale and can never be 'ja'"),
        ("q2 >= 7", 6, "q2 is on a 1-6 scale and can never be 7"),
        ("q1 == 'jaa'", 6, "q1 has no option 'jaa'; did you mean 'ja'?"),
        ("q1 == 1", 6, "q1 answers with option codes, not the number 1"),
        ("q1 > 'ja'", 3, "'>' cannot order the answers of q1 (single_choice)"),
        ("q3 == 'x'", 3, "q3 is multiple choice, so it holds several options"),
        ("\"'x' in q1\"", 8, "'in q1' needs a multiple choice question, and q1 is single_choice"),
        ("\"'z' in q3\"", 1, "q3 has no option 'z'"),
        ("q4 == 'mange'", 6, "q4 is a number question and can never be 'mange'"),
        ("q1 in ['ja', 'kanskje']", 13, "q1 has no option 'kanskje'"),
        ("q9 == 1", 0, "unknown question 'q9'"),
        ("q_2 >= 4", 0, "unknown question 'q_2'; did you mean 'q2'?"),
    ],
)
def test_conditions_that_can_never_be_true(condition, offset, message):
    assert check(condition) == [
        f"q.yaml:{LINE}:{COLUMN + offset}: error: show_if of question 'q5': {message}"
    ]


def test_quoted_condition_columns_account_for_the_quote():
    assert check("\"q2 == 'ja'\"") == [
        f"q.yaml:{LINE}:{COLUMN + 7}: error: show_if of question 'q5': "
        "q2 is a likert item on a 1-6 scale and can never be 'ja'"
    ]


def test_condition_on_a_later_question_and_a_cycle():
    result = lint(
        """
        pages:
          - id: p1
            questions:
              - {id: a, type: text, text: A, show_if: "b == 'x'"}
          - id: p2
            questions:
              - {id: b, type: text, text: B, show_if: "a == 'y'"}
              - {id: c, type: text, text: C, show_if: "c == 'z'"}
        """
    )
    assert messages(result) == [
        "q.yaml:7:48: error: show_if of question 'a': 'b' comes later in the questionnaire",
        "q.yaml:11:48: error: show_if of question 'c': 'c' refers to the question itself",
    ]
    assert "rules out cycles" in result.errors[0].hint


def test_same_page_reference_and_page_condition_must_use_earlier_pages():
    result = lint(
        """
        pages:
          - id: p1
            questions:
              - {id: a, type: text, text: A}
              - {id: b, type: text, text: B, show_if: "a == 'x'"}
          - id: p2
            show_if: "c == 'x'"
            questions:
              - {id: c, type: text, text: C}
        """
    )
    assert messages(result) == [
        "q.yaml:8:48: error: show_if of question 'b': 'a' is on the same page",
        "q.yaml:10:15: error: show_if of page 'p2': 'c' comes on this page or later",
    ]
    assert result.ok is False


def test_positions_inside_folded_and_escaped_conditions():
    result = lint(
        """
        pages:
          - id: p1
            questions:
              - {id: a, type: single_choice, text: A, choices: [{code: ja, label: Ja}]}
          - id: p2
            questions:
              - id: b
                type: text
                text: B
                show_if: >-
                  a == 'ja' or
                  a == 'kanskje'
              - {id: c, type: text, text: C, show_if: "a == \\"ja\\" or a == 'tja'"}
        """
    )
    assert messages(result) == [
        "q.yaml:15:16: error: show_if of question 'b': a has no option 'kanskje'",
        "q.yaml:16:68: error: show_if of question 'c': a has no option 'tja'; did you mean 'ja'?",
    ]


def test_syntax_error_at_end_points_after_the_last_character():
    result = lint(
        """
        pages:
          - id: p1
            questions:
              - {id: a, type: text, text: A}
          - id: p2
            questions:
              - {id: b, type: text, text: B, show_if: "a =="}
        """
    )
    assert messages(result) == [
        "q.yaml:10:52: error: show_if of question 'b': expected a question id, a 'quoted code' "
        "or a number, found the end of the condition"
    ]


@pytest.mark.parametrize(
    ("condition", "offset", "message"),
    [
        ("q4 >= 4,5", 7, "write decimals with a point: 4.5, not 4,5"),
        ("q1 == ja", 6, "'ja' is not a question id; codes need quotes"),
    ],
)
def test_common_slips_get_a_precise_message(condition, offset, message):
    assert check(condition) == [
        f"q.yaml:{LINE}:{COLUMN + offset}: error: show_if of question 'q5': {message}"
    ]


def test_condition_on_a_matrix_must_name_a_statement():
    result = lint(
        """
        scales: {s: {points: 6}}
        pages:
          - id: p1
            questions:
              - {id: m, type: likert_matrix, scale: s, text: M, items: [{id: m_a, text: A}]}
          - id: p2
            questions:
              - {id: b, type: text, text: B, show_if: "m >= 4"}
        """
    )
    assert messages(result) == [
        "q.yaml:11:48: error: show_if of question 'b': 'm' is a likert matrix; "
        "a condition tests one of its statements"
    ]
    assert result.errors[0].hint == "its statements are: m_a"
