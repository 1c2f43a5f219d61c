"""Issue 15, item 7: every number and size in the format is bounded, and the linter says so
at the line and column, so nothing that breaks the app gets published or raises.

The single bounds, one message each, are cases of test_linter_catalogue.py; here are the
three files of the report and the bounds' edges."""

from __future__ import annotations

import pytest

from survey.questionnaire import conditions, load_text
from survey.questionnaire.rules import limits
from tests.conftest import messages
from tests.questionnaire.test_linter_catalogue import HEAD, page

THREE_MILLION_POINTS = (
    HEAD + "scales:\n  s: {points: 3000000}\n" + page("{id: q1, type: likert, scale: s, text: A}")
)
FIVE_THOUSAND_DIGITS = HEAD + page("{id: q1, type: number, text: A, max: " + "9" * 5000 + "}")
NESTED_1000_DEEP = (
    HEAD
    + page("{id: q1, type: number, text: A}")
    + '  - id: p2\n    questions:\n      - {id: q2, type: text, text: B, show_if: "'
    + "(" * 1000
    + "q1 == 1"
    + ")" * 1000
    + '"}\n'
)


def test_the_linter_lets_through_what_breaks_the_app():
    """The three files of the report: each one positioned error (before the fix: published
    without a word, ValueError, RecursionError)."""
    found = [
        messages(load_text(text, "q.yaml"))
        for text in (THREE_MILLION_POINTS, FIVE_THOUSAND_DIGITS, NESTED_1000_DEEP)
    ]
    assert found == [
        ["q.yaml:5:15: error: scale 's' has 3,000,000 points, more than the 20 allowed"],
        ["q.yaml:7:46: error: a number with 5000 digits is longer than the 15 allowed"],
        # column 49 is the first '(', 81 the 33rd
        [
            "q.yaml:10:81: error: show_if of question 'q2': the condition nests parentheses "
            "and 'not' more than 32 levels deep"
        ],
    ]


@pytest.mark.parametrize(
    ("body", "ok"),
    [
        ("{points: 20, start: -100}", True),
        ("{points: 21}", False),
        ("{points: 11, start: 0}", True),
        ("{points: 5, start: 101}", False),
    ],
)
def test_scale_bounds_are_inclusive(body, ok):
    text = HEAD + f"scales:\n  s: {body}\n" + page("{id: q1, type: likert, scale: s, text: A}")
    assert load_text(text).ok is ok


@pytest.mark.parametrize(
    ("number", "ok"), [("9" * 15, True), ("9" * 16, False), ("1.5e300", True), ("1e400", False)]
)
def test_numbers_are_bounded_by_their_digits_before_conversion(number, ok):
    result = load_text(HEAD + page(f"{{id: q1, type: text, text: A, max_length: {number}}}"))
    digits = [p for p in result.problems if "digits" in p.message or "too large" in p.message]
    assert (not digits) is ok


def test_a_condition_at_the_bounds_still_parses():
    deep = "(" * conditions.MAX_DEPTH + "q1 == 1" + ")" * conditions.MAX_DEPTH
    conditions.parse(deep)
    conditions.parse("not " * (conditions.MAX_DEPTH - 1) + "(q1 == 1)")
    long = " or ".join(["q1 == 1"] * 180)
    assert len(long) <= conditions.MAX_LENGTH
    conditions.parse(long)
    with pytest.raises(conditions.ConditionSyntaxError):
        conditions.parse("(" + deep + ")")


@pytest.mark.parametrize(
    ("text", "refused_for"),
    [
        ("q1 == 1 or " * 90_000 + "q1 == 1", "the condition has 990,007 characters, more than"),
        ("not " * 250_000 + "q1 == 1", "more than 32 levels deep"),
        ("(" * 10**6, "more than 32 levels deep"),
    ],
)
def test_a_hostile_condition_is_refused_at_its_bound_and_never_raises_anything_else(
    text, refused_for
):
    """A megabyte of condition (the file limit) is refused by the bound it breaks first, not
    after reading it all (how long that takes is the benchmarks' business, not a test's)."""
    with pytest.raises(conditions.ConditionSyntaxError, match=refused_for):
        conditions.parse(text)


def test_bundled_questionnaires_are_well_inside_the_bounds(bundled):
    for path in bundled:
        assert load_text(path.read_text("utf-8")).ok, path
    assert limits.MAX_POINTS >= 11  # 0-10
