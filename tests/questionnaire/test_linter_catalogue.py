"""The rest of the linter's messages, one case each: file text in, exact problems out.

Together with the other test_linter_* files this covers every message the linter can
print, so a changed message or a lost position shows up as a failing case.
"""

from __future__ import annotations

import pytest

from survey.questionnaire import load_text
from tests.conftest import messages

HEAD = "id: test\nversion: 1\ntitle: Test\n"
SCALE = "scales:\n  s: {points: 6}\n"
ROLES = "roles: [{code: a, label: A}, {code: b, label: B}]\n"


def page(*questions: str, extra: str = "") -> str:
    body = "".join(f"      - {q}\n" for q in questions)
    return f"pages:\n  - id: p1\n{extra}    questions:\n{body}"


def options(n: int) -> str:
    return "[" + ", ".join(f"{{code: c{i}, label: C}}" for i in range(n)) + "]"


def shown_if(condition: str) -> str:
    """q1, a number, on page 1; q2 on page 2 shown if ``condition``, which starts in
    column 49."""
    return (
        HEAD
        + page("{id: q1, type: number, text: A}")
        + '  - id: p2\n    questions:\n      - {id: q2, type: text, text: B, show_if: "'
        + condition
        + '"}\n'
    )


CASES = [
    (
        "questionnaire id",
        "id: Test 2009\nversion: 1\ntitle: T\npages: [{id: p0, questions: [{id: q0, type: text, text: T}]}]\n",
        ["1:5: error: questionnaire id 'Test 2009' is not a valid id"],
    ),
    (
        "duplicate page id",
        HEAD + "pages:\n  - {id: p, questions: [{id: a, type: text, text: A}]}\n"
        "  - {id: p, questions: [{id: b, type: text, text: B}]}\n",
        ["6:10: error: duplicate page id 'p' (first used at line 5)"],
    ),
    (
        "duplicate role code",
        HEAD
        + "roles: [{code: a, label: A}, {code: a, label: B}]\npages: [{id: p0, questions: [{id: q0, type: text, text: T}]}]\n",
        ["4:37: error: duplicate role code 'a' (first used at line 4)"],
    ),
    (
        "duplicate index id",
        HEAD
        + SCALE
        + page("{id: q1, type: likert, scale: s, text: A}")
        + "indexes:\n  - {id: x, label: X, items: [q1]}\n  - {id: x, label: Y, items: [q1]}\n",
        ["12:10: error: duplicate index id 'x' (first used at line 11)"],
    ),
    (
        "duplicate quality pair id",
        HEAD
        + SCALE
        + page(
            "{id: f, type: likert, scale: s, text: F}", "{id: l, type: likert, scale: s, text: L}"
        )
        + "quality_pairs:\n  - {id: k, label: K, expectation: f, experience: l}\n"
        "  - {id: k, label: K, expectation: f, experience: l}\n",
        ["13:10: error: duplicate quality pair id 'k' (first used at line 12)"],
    ),
    (
        "pair uses one item twice",
        HEAD
        + SCALE
        + page("{id: f, type: likert, scale: s, text: F}")
        + "quality_pairs:\n  - {id: k, label: K, expectation: f, experience: f}\n",
        ["11:51: error: quality pair 'k' uses the same item for expectation and experience"],
    ),
    (
        "index without items",
        HEAD
        + SCALE
        + page("{id: q1, type: likert, scale: s, text: A}")
        + "indexes:\n  - {id: x, label: X, items: []}\n",
        ["11:30: error: index 'x' has no items"],
    ),
    (
        "item listed twice in an index",
        HEAD
        + SCALE
        + page("{id: q1, type: likert, scale: s, text: A}")
        + "indexes:\n  - {id: x, label: X, items: [q1, q1]}\n",
        ["11:35: error: index 'x' lists 'q1' twice"],
    ),
    (
        "matrix without items",
        HEAD + SCALE + page("{id: m, type: likert_matrix, scale: s, text: M, items: []}"),
        ["9:64: error: likert matrix 'm' has no items"],
    ),
    (
        "exclusive in single choice",
        HEAD
        + page(
            "{id: q1, type: single_choice, text: A, choices: "
            "[{code: x, label: X, exclusive: true}]}"
        ),
        ["7:89: warning: 'exclusive' has no effect in single choice question 'q1'"],
    ),
    (
        "unknown role question",
        HEAD + ROLES + "role_question: q7\n" + page("{id: q1, type: text, text: A}"),
        ["5:16: error: role_question refers to unknown question 'q7'"],
    ),
    (
        "role question with audience",
        HEAD
        + ROLES
        + "role_question: q1\n"
        + page(
            "{id: q1, type: single_choice, text: A, audience: [a], choices: "
            "[{code: a, label: A}, {code: b, label: B}]}"
        ),
        ["5:16: error: role question 'q1' must be shown to everyone"],
    ),
    (
        "specify bounds",
        HEAD
        + page(
            "{id: q1, type: single_choice, text: A, choices: [{code: x, label: X, "
            "specify: {type: number, min: 100, max: 0}}]}"
        ),
        ["7:107: error: min 100 is greater than max 0"],
    ),
    (
        "translation key that is no language",
        HEAD + page("{id: q1, type: text, text: {nb: Alder, de: Alter}}"),
        ["7:48: error: 'de' is not a language code"],
    ),
    (
        "text of the wrong kind",
        HEAD + page("{id: q1, type: text, text: 12}"),
        [
            "7:36: error: 'text' in question 'q1' must be a text or one text per language "
            "('nb: ...'), not the number 12"
        ],
    ),
    (
        "comparing two fixed values",
        HEAD
        + page("{id: q1, type: text, text: A}", extra="")
        + '  - id: p2\n    questions:\n      - {id: q2, type: text, text: B, show_if: "1 == 1"}\n',
        [
            "10:51: warning: show_if of question 'q2': compares two fixed values, so it never changes"
        ],
    ),
    (
        "fixed value in a fixed list",
        HEAD
        + page("{id: q1, type: text, text: A}")
        + '  - id: p2\n    questions:\n      - {id: q2, type: text, text: B, show_if: "1 in [1, 2]"}\n',
        [
            "10:51: warning: show_if of question 'q2': tests a fixed value against a fixed list, "
            "so it never changes"
        ],
    ),
    (
        "comparing different kinds of answer",
        HEAD
        + page(
            "{id: q1, type: text, text: A}",
            "{id: q2, type: single_choice, text: B, choices: [{code: x, label: X}]}",
        )
        + '  - id: p2\n    questions:\n      - {id: q3, type: text, text: C, show_if: "q1 == q2"}\n',
        [
            "11:52: error: show_if of question 'q3': cannot compare q1 with q2 "
            "(different kinds of answer)"
        ],
    ),
    (
        "ordering against a code",
        HEAD
        + SCALE
        + page("{id: q1, type: likert, scale: s, text: A}")
        + "  - id: p2\n    questions:\n      - {id: q2, type: text, text: B, show_if: \"q1 > 'x'\"}\n",
        ["12:54: error: show_if of question 'q2': '>' needs a number, not 'x'"],
    ),
    (
        "number outside the question's range",
        HEAD
        + page("{id: q1, type: number, text: A, min: 0, max: 100}")
        + '  - id: p2\n    questions:\n      - {id: q2, type: text, text: B, show_if: "q1 > 150"}\n',
        ["10:54: warning: show_if of question 'q2': 150 is outside the allowed range of q1"],
    ),
    (
        "text question compared with a number",
        HEAD
        + page("{id: q1, type: text, text: A}")
        + '  - id: p2\n    questions:\n      - {id: q2, type: text, text: B, show_if: "q1 == 3"}\n',
        [
            "10:55: error: show_if of question 'q2': q1 is a text question and can never be "
            "the number 3"
        ],
    ),
    (
        "question id before in multi",
        HEAD
        + page(
            "{id: q1, type: text, text: A}",
            "{id: q2, type: multiple_choice, text: B, choices: [{code: x, label: X}]}",
        )
        + '  - id: p2\n    questions:\n      - {id: q3, type: text, text: C, show_if: "q1 in q2"}\n',
        ["11:49: error: show_if of question 'q3': test a 'quoted code' in q2, not a question id"],
    ),
    (
        "multiple choice before in list",
        HEAD
        + page("{id: q2, type: multiple_choice, text: B, choices: [{code: x, label: X}]}")
        + "  - id: p2\n    questions:\n      - {id: q3, type: text, text: C, show_if: \"q2 in ['x']\"}\n",
        [
            "10:52: error: show_if of question 'q3': q2 is multiple choice, so it holds several "
            "options"
        ],
    ),
    (
        "key that is not a name",
        HEAD + "? [a, b]\n: c\npages: [{id: p0, questions: [{id: q0, type: text, text: T}]}]\n",
        ["4:3: error: a key must be a plain name"],
    ),
    (
        "not-scored option with specify",
        HEAD + "scales:\n  s: {points: 6, not_scored: [{code: vet_ikke, label: Vet ikke, "
        "specify: text}]}\n" + page("{id: q1, type: likert, scale: s, text: A}"),
        ["5:65: error: 'specify' has no effect on a not-scored option of scale 's'"],
    ),
    (
        "invalid page id and role code",
        HEAD
        + "roles: [{code: Rådmann, label: R}]\n"
        + "pages:\n  - {id: Side-1, questions: [{id: q1, type: text, text: A}]}\n",
        [
            "4:16: error: role code 'Rådmann' is not valid",
            "6:10: error: page id 'Side-1' is not valid",
        ],
    ),
    (
        "no pages",
        HEAD + "pages: []\n",
        ["4:8: error: the questionnaire has no pages"],
    ),
    (
        "page without questions",
        HEAD + "pages:\n  - {id: p, questions: []}\n",
        ["5:24: error: page 'p' has no questions"],
    ),
    (
        "role question on a page with an audience, and optional",
        HEAD
        + ROLES
        + "role_question: q1\n"
        + page(
            "{id: q1, type: single_choice, text: A, required: false, choices: "
            "[{code: a, label: A}, {code: b, label: B}]}",
            extra="    audience: [a]\n",
        ),
        [
            "5:16: error: role question 'q1' must be required",
            "5:16: error: role question 'q1' must be shown to everyone",
        ],
    ),
    (
        "audience before the role is known",
        HEAD
        + ROLES
        + "role_question: q1\n"
        + page(
            "{id: q1, type: single_choice, text: A, choices: [{code: a, label: A}, "
            "{code: b, label: B}]}",
            "{id: q2, type: text, text: B, audience: [b]}",
        ),
        [
            "10:49: warning: the audience of 'q2' depends on the role, which 'q1' asks on the "
            "same page or later"
        ],
    ),
    (
        "role question options from a choice list",
        HEAD + ROLES + "role_question: q1\nchoice_lists:\n  r: [{code: a, label: A}, "
        "{code: c, label: C}]\n" + page("{id: q1, type: single_choice, text: A, choices: r}"),
        [
            "4:37: warning: role 'b' is not an option of role question 'q1'",
            "7:35: error: option 'c' of role question 'q1' is not a declared role",
        ],
    ),
    (
        "max_choices outside the options",
        HEAD
        + page(
            "{id: q1, type: multiple_choice, text: A, max_choices: 0, choices: "
            "[{code: x, label: X}, {code: y, label: Y}]}"
        ),
        [
            "7:63: error: max_choices 0 of question 'q1' must be between 1 and 2 "
            "(its number of options)"
        ],
    ),
    (
        "max_length that leaves no room",
        HEAD + page("{id: q1, type: text, text: A, max_length: 0}"),
        ["7:51: error: max_length 0 leaves no room for an answer"],
    ),
    (
        "specify keys of the other type",
        HEAD + "choice_lists:\n  l: [{code: x, label: X, specify: {type: text, min: 0}}, "
        "{code: y, label: Y, specify: {type: number, max_length: 9, min: 5, max: 1}}]\n"
        + page("{id: q1, type: single_choice, text: A, choices: l}"),
        [
            "5:49: error: 'min' applies to a specify of type number, and this one is text",
            "5:103: error: 'max_length' applies to a specify of type text, and this one is number",
            "5:123: error: min 5 is greater than max 1",
        ],
    ),
    (
        "quality pair on a scale from 0",
        HEAD
        + "scales:\n  s: {points: 6, start: 0}\n"
        + page(
            "{id: f, type: likert, scale: s, text: F}", "{id: l, type: likert, scale: s, text: L}"
        )
        + "quality_pairs:\n  - {id: k, label: K, expectation: f, experience: l}\n",
        [
            "12:36: error: quality pair 'k' uses scale 's', which includes 0 or below",
            "12:51: error: quality pair 'k' uses scale 's', which includes 0 or below",
        ],
    ),
    (
        "index listing a matrix id",
        HEAD
        + SCALE
        + page(
            "{id: m, type: likert_matrix, scale: s, text: M, items: "
            "[{id: m_a, text: A}, {id: m_b, text: B}]}"
        )
        + "indexes:\n  - {id: x, label: X, items: [m]}\n",
        ["11:31: error: index 'x' includes 'm', a likert matrix; list its statements instead"],
    ),
    # bounds on every number and size (issue 15, item 7); rules/limits.py lists them
    (
        "scale too long, starting too far out",
        HEAD
        + "scales:\n  s: {points: 21, start: -101}\n"
        + page("{id: q1, type: likert, scale: s, text: A}"),
        [
            "5:15: error: scale 's' has 21 points, more than the 20 allowed",
            "5:26: error: scale 's' starts at -101, outside -100 to 100",
        ],
    ),
    (
        "too many not-scored options",
        HEAD
        + "scales:\n  s: {points: 5, not_scored: "
        + options(11)
        + "}\n"
        + page("{id: q1, type: likert, scale: s, text: A}"),
        ["5:251: error: scale 's' has 11 not-scored options, more than the 10 allowed"],
    ),
    (
        "too many options",
        HEAD + page("{id: q1, type: single_choice, text: A, choices: " + options(101) + "}"),
        ["7:2348: error: question 'q1' has 101 options, more than the 100 allowed"],
    ),
    (
        "too many options in a choice list",
        HEAD
        + "choice_lists:\n  l: "
        + options(101)
        + "\n"
        + page("{id: q1, type: single_choice, text: A, choices: l}"),
        ["5:2297: error: choice list 'l' has 101 options, more than the 100 allowed"],
    ),
    (
        "too many statements",
        HEAD
        + SCALE
        + page(
            "{id: m, type: likert_matrix, scale: s, text: M, items: ["
            + ", ".join(f"{{id: m{i}, text: T}}" for i in range(101))
            + "]}"
        ),
        ["9:2055: error: likert matrix 'm' has 101 statements, more than the 100 allowed"],
    ),
    (
        "too many pages and questions",
        HEAD
        + "pages:\n"
        + "".join(
            f"  - id: p{p}\n    questions:\n"
            + "".join(f"      - {{id: q{p}_{q}, type: text, text: A}}\n" for q in range(5))
            for p in range(101)
        ),
        [
            "705:5: error: the questionnaire has 101 pages, more than the 100 allowed",
            "707:9: error: the questionnaire has 505 questions, more than the 500 allowed",
        ],
    ),
    (
        "too many roles",
        HEAD
        + "roles: ["
        + ", ".join(f"{{code: r{i}, label: R}}" for i in range(101))
        + "]\n"
        + page("{id: q1, type: text, text: A}"),
        ["4:2299: error: the questionnaire has 101 roles, more than the 100 allowed"],
    ),
    (
        "text too long",
        HEAD + page("{id: q1, type: text, text: " + "a" * 5001 + "}"),
        ["7:36: error: a text of question 'q1' has 5,001 characters, more than the 5,000 allowed"],
    ),
    (
        "id too long",
        HEAD + page("{id: " + "q" * 65 + ", type: text, text: A}"),
        ["7:14: error: this id has 65 characters, more than the 64 allowed"],
    ),
    (
        "scale name too long",
        HEAD
        + "scales:\n  "
        + "s" * 65
        + ": {points: 5}\n"
        + page("{id: q1, type: likert, scale: " + "s" * 65 + ", text: A}"),
        ["5:3: error: a scale name has 65 characters, more than the 64 allowed"],
    ),
    (
        "version number out of range",
        "id: test\nversion: 1000001\ntitle: Test\n" + page("{id: q1, type: text, text: A}"),
        ["2:10: error: version 1000001 is outside 0 to 1,000,000"],
    ),
    (
        "version text too long",
        "id: test\nversion: '"
        + "v" * 65
        + "'\ntitle: Test\n"
        + page("{id: q1, type: text, text: A}"),
        ["2:10: error: this version has 65 characters, more than the 64 allowed"],
    ),
    (
        "min and max of a number out of range",
        HEAD + page("{id: q1, type: number, text: A, min: -1000000000001, max: 1e13}"),
        [
            "7:46: error: min -1000000000001 is outside -1,000,000,000,000 to 1,000,000,000,000",
            "7:67: error: max 10000000000000.0 is outside -1,000,000,000,000 to 1,000,000,000,000",
        ],
    ),
    (
        "max_length too large",
        HEAD + page("{id: q1, type: long_text, text: A, max_length: 10001}"),
        ["7:56: error: max_length 10,001 is more than the 10,000 allowed"],
    ),
    (
        "number too large for a float",
        HEAD + page("{id: q1, type: number, text: A, max: 1e400}"),
        ["7:46: error: the number 1e400 is too large"],
    ),
    (
        "scale point with too many digits",
        HEAD
        + "scales:\n  s: {points: 5, labels: {"
        + "1" * 16
        + ": A}}\n"
        + page("{id: q1, type: likert, scale: s, text: A}"),
        ["5:27: error: a number with 16 digits is longer than the 15 allowed"],
    ),
    (
        "number in a condition with too many digits",
        shown_if("q1 == " + "9" * 16),
        [
            "10:55: error: show_if of question 'q2': a number with 16 digits is longer than "
            "the 15 allowed"
        ],
    ),
    (
        "condition too long",
        shown_if(" or ".join(["q1 == 1"] * 200)),
        [
            "10:49: error: show_if of question 'q2': the condition has 2,196 characters, more "
            "than the 2,000 allowed"
        ],
    ),
    (
        "condition nested too deep",
        shown_if("not " * 40 + "q1 == 1"),
        [
            "10:177: error: show_if of question 'q2': the condition nests parentheses and "
            "'not' more than 32 levels deep"
        ],
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_linter_message(case, text, expected):
    assert messages(load_text(text, "q.yaml")) == [f"q.yaml:{e}" for e in expected]


def test_every_problem_has_a_hint():
    for _, text, _ in CASES:
        for problem in load_text(text, "q.yaml").problems:
            assert problem.hint, problem


def test_file_that_is_not_utf8(tmp_path):
    from survey.questionnaire import load_file

    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: test\nversion: 1\ntitle: Spørreskjema\n".encode("latin-1"))
    assert messages(load_file(path)) == [f"{path}:3:1: error: the file is not UTF-8 text"]


def test_author_chosen_names_are_not_mistaken_for_text_fields():
    text = (
        HEAD
        + "scales:\n  text: {points: 6}\n  label: {points: 5}\n"
        + page("{id: q1, type: likert, scale: text, text: A}")
    )
    assert messages(load_text(text, "q.yaml")) == []


def test_main_language_listed_as_translation():
    text = HEAD + "translations: [nb, en]\n" + page("{id: q1, type: text, text: {nb: A, en: A}}")
    assert messages(load_text(text, "q.yaml")) == [
        "q.yaml:3:8: warning: no en translation of this text",
        "q.yaml:4:16: error: 'nb' is the questionnaire's own language, not a translation",
    ]


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("required: ja", "write true or false, without quotes"),
        ("min: '0'", "write a number without quotes, with a decimal point: target: 4.5"),
    ],
)
def test_hints_match_the_expected_kind_of_value(line, hint):
    text = HEAD + page(f"{{id: q1, type: number, text: A, {line}}}")
    (problem,) = load_text(text, "q.yaml").problems
    assert problem.hint == hint
