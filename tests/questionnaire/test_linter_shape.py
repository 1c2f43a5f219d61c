"""Shape errors: unknown and missing keys, wrong kinds of value, unknown question types."""

from __future__ import annotations

from tests.conftest import lint, messages


def test_unknown_key_suggests_the_intended_one():
    result = lint(
        """
        pages:
          - id: p
            questions:
              - id: q1
                type: likert
                scale: enighet
                txt: Jeg trives
        """
    )
    assert "q.yaml:10:9: error: unknown key 'txt' in question 'q1'; did you mean 'text'?" in (
        messages(result)
    )
    hint = next(p.hint for p in result.problems if "'txt'" in p.message)
    assert "lead_in" in hint and "show_if" in hint  # lists the keys a likert question takes
    assert "q.yaml:7:9: error: question 'q1' is missing the required key 'text'" in messages(result)


def test_unknown_top_level_key():
    result = lint(
        """
        indices: []
        pages: [{id: p0, questions: [{id: q0, type: text, text: T}]}]
        """
    )
    assert messages(result) == [
        "q.yaml:4:1: error: unknown key 'indices' in the questionnaire; did you mean 'indexes'?"
    ]


def test_unknown_key_in_a_choice_of_a_named_list():
    result = lint(
        """
        choice_lists:
          svar:
            - {code: ja, lable: Ja}
        pages: [{id: p0, questions: [{id: q0, type: text, text: T}]}]
        """
    )
    assert "q.yaml:6:18: error: unknown key 'lable' in choice 'ja'; did you mean 'label'?" in (
        messages(result)
    )


def test_unknown_question_type_suggests_a_valid_one():
    result = lint(
        """
        pages:
          - id: p
            questions:
              - id: q1
                type: likret
                text: Spm
        """
    )
    assert messages(result) == [
        "q.yaml:8:15: error: unknown question type 'likret' in question 'q1'; did you mean 'likert'?"
    ]


def test_question_without_type():
    result = lint(
        """
        pages:
          - id: p
            questions:
              - id: q1
                text: Spm
        """
    )
    assert messages(result) == ["q.yaml:7:9: error: question 'q1' has no 'type'"]


def test_wrong_kind_of_value():
    result = lint(
        """
        scales:
          enighet:
            points: seks
        pages: [{id: p0, questions: [{id: q0, type: text, text: T}]}]
        """
    )
    assert messages(result) == [
        "q.yaml:6:13: error: 'points' in scale 'enighet' must be a whole number, "
        "not the text 'seks'"
    ]


def test_unknown_language():
    result = lint(
        """
        language: no
        pages: [{id: p0, questions: [{id: q0, type: text, text: T}]}]
        """
    )
    assert messages(result) == [
        "q.yaml:4:11: error: 'language' in the questionnaire cannot be 'no'"
    ]
    assert result.errors[0].hint == "use one of: 'nb', 'nn' or 'en'"


def test_missing_pages_and_title():
    result = lint(
        """
        id: test
        version: 1
        """
    )
    assert messages(result) == [
        "q.yaml:1:1: error: the questionnaire is missing the required key 'pages'",
        "q.yaml:1:1: error: the questionnaire is missing the required key 'title'",
    ]


def test_every_problem_is_reported_in_one_run():
    result = lint(
        """
        pages:
          - id: p
            questions:
              - {id: q1, type: likert, scale: s, text: A, colour: red}
              - {id: q2, type: number, text: B, minimum: 0}
        """
    )
    assert messages(result) == [
        "q.yaml:7:39: error: unknown scale 's' in question 'q1'",
        "q.yaml:7:51: error: unknown key 'colour' in question 'q1'",
        "q.yaml:8:41: error: unknown key 'minimum' in question 'q2'; did you mean 'min'?",
    ]


def test_rules_still_run_when_the_shape_is_broken():
    result = lint(
        """
        roles: [{code: prosjektleder, label: Prosjektleder}]
        scales: {s: {points: 6}}
        pages:
          - id: p1
            questions:
              - {id: q1, type: single_choice, text: A, choices: [{code: ja, label: Ja}]}
          - id: p2
            audience: [prosjektledr]
            questions:
              - id: q2
                type: likert
                scale: s
                txt: Samarbeidet er styrket.
                show_if: q1 == 'jaa'
        """
    )
    assert messages(result) == [
        "q.yaml:11:16: error: unknown role 'prosjektledr' in audience; did you mean 'prosjektleder'?",
        "q.yaml:13:9: error: question 'q2' is missing the required key 'text'",
        "q.yaml:16:9: error: unknown key 'txt' in question 'q2'; did you mean 'text'?",
        "q.yaml:17:24: error: show_if of question 'q2': q1 has no option 'jaa'; did you mean 'ja'?",
    ]


def test_rules_do_not_judge_placeholders_for_wrong_numbers():
    result = lint(
        """
        id: t
        version: 1
        title: T
        scales:
          s:
            points: "6"
            labels: {1: a, 6: b}
        pages:
          - id: p
            questions:
              - {id: q1, type: likert, scale: s, text: A}
          - id: p2
            questions:
              - {id: q2, type: text, text: B, show_if: "q1 >= 5"}
        indexes:
          - {id: i, label: I, items: [q1], target: 4.5}
        """
    )
    assert messages(result) == [
        "q.yaml:6:13: error: 'points' in scale 's' must be a whole number, not the text '6'"
    ]


def test_an_unknown_question_type_does_not_hide_the_files_other_errors():
    """Issue 16, defect 6: the unknown type was the only problem reported; the other four
    (a missing text, a duplicate id, an unknown scale, a condition on an unknown question)
    only came to light one by one, after each fix."""
    result = lint(
        """
        scales:
          s: {points: 6}
        pages:
          - id: p1
            questions:
              - id: q1
                type: likret
                scale: s
                text: Spm
              - id: q2
                type: text
              - id: q2
                type: likert
                scale: enighet
                text: Spm
          - id: p2
            questions:
              - id: q3
                type: text
                text: Spm
                show_if: q9 == 1
        """
    )
    assert messages(result) == [
        "q.yaml:10:15: error: unknown question type 'likret' in question 'q1'; "
        "did you mean 'likert'?",
        "q.yaml:13:9: error: question 'q2' is missing the required key 'text'",
        "q.yaml:15:13: error: duplicate id 'q2' (first used at line 13)",
        "q.yaml:17:16: error: unknown scale 'enighet' in question 'q2'",
        "q.yaml:24:18: error: show_if of question 'q3': unknown question 'q9'",
    ]


def test_an_unknown_question_type_is_no_type_to_conditions_that_name_it():
    """A question whose type is unknown is still a question a condition may name, but
    nothing is claimed about what it can hold."""
    result = lint(
        """
        pages:
          - id: p1
            questions:
              - {id: q1, type: likret, text: Spm}
          - id: p2
            questions:
              - {id: q2, type: text, text: Spm, show_if: "q1 >= 4 and q1 == 'ja'"}
              - {id: q3, type: text, text: Spm, show_if: "q8 == 1"}
        """
    )
    assert messages(result) == [
        "q.yaml:7:24: error: unknown question type 'likret' in question 'q1'; "
        "did you mean 'likert'?",
        "q.yaml:11:51: error: show_if of question 'q3': unknown question 'q8'",
    ]
