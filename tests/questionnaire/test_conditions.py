"""The condition evaluator: unit cases plus properties against an independent reference."""

from __future__ import annotations

import operator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.questionnaire.conditions import ConditionSyntaxError, evaluate, names, parse

ANSWERS = {"q1": "ja", "q2": 5, "q3": frozenset({"x"}), "q4": 42.5, "q9b": "vet_ikke"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("q1 == 'ja'", True),
        ("q1 != 'ja'", False),
        ("q2 >= 5 and q2 < 6", True),
        ("q2 > 5 or q4 <= 42.5", True),
        ("not q1 == 'nei'", True),
        ("q1 in ['nei', 'ja']", True),
        ("q1 not in ['nei', 'ja']", False),
        ("'x' in q3", True),
        ("'y' not in q3", True),
        ("(q1 == 'nei' or q2 == 5) and not (q9b == 'ja')", True),
        ("q2 == 'ja'", False),  # type mismatch is never true at run time either
    ],
)
def test_evaluate(text, expected):
    assert evaluate(parse(text), ANSWERS) is expected


@pytest.mark.parametrize(
    "text",
    ["q7 == 'ja'", "q7 != 'ja'", "q7 not in ['ja']", "'x' in q7", "'x' not in q7", "q7 < 3"],
)
def test_unanswered_question_makes_every_test_false(text):
    assert evaluate(parse(text), ANSWERS) is False
    assert evaluate(parse(f"not ({text})"), ANSWERS) is True


def test_and_binds_tighter_than_or():
    assert evaluate(parse("q1 == 'ja' or q1 == 'nei' and q2 == 1"), ANSWERS) is True
    assert evaluate(parse("(q1 == 'ja' or q1 == 'nei') and q2 == 1"), ANSWERS) is False


def test_names_in_order():
    tree = parse("q2 > 3 and ('a' in q3 or q1 in ['ja'])")
    assert [(n.id, n.offset) for n in names(tree)] == [("q2", 0), ("q3", 19), ("q1", 25)]


def test_no_python_evaluation():
    with pytest.raises(ConditionSyntaxError):
        parse("__import__('os').system('true') == 0")


# --- properties -------------------------------------------------------------------------
# Expressions are generated as trees, rendered to text with random spacing and parentheses,
# and decided by a reference written independently of the parser, straight from the
# documented semantics.

QUESTIONS = ["q1", "q2", "q3", "q4"]
CODES = ["ja", "nei", "x", "y"]
numbers = st.integers(min_value=-2, max_value=8)
literals = st.one_of(numbers, st.sampled_from(CODES))
names_ = st.sampled_from(QUESTIONS)
operands = st.one_of(names_.map(lambda n: ("name", n)), literals.map(lambda v: ("lit", v)))
OPS = {
    "==": None,
    "!=": None,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

leaves = st.one_of(
    st.tuples(st.just("cmp"), st.sampled_from(list(OPS)), operands, operands),
    st.tuples(
        st.just("in_list"), operands, st.lists(literals, min_size=1, max_size=3), st.booleans()
    ),
    st.tuples(st.just("in_q"), operands, names_, st.booleans()),
)
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(st.just("not"), inner),
        st.tuples(st.sampled_from(["and", "or"]), st.lists(inner, min_size=2, max_size=3)),
    ),
    max_leaves=8,
)
values = st.one_of(
    st.none(),
    numbers,
    st.sampled_from(CODES),
    st.frozensets(st.sampled_from(CODES), max_size=3),
)
answer_sets = st.fixed_dictionaries({q: values for q in QUESTIONS})


def render(tree, space) -> str:
    def lit(v):
        return f"'{v}'" if isinstance(v, str) else str(v)

    def operand(o):
        return o[1] if o[0] == "name" else lit(o[1])

    kind = tree[0]
    if kind == "cmp":
        return f"{operand(tree[2])}{space}{tree[1]}{space}{operand(tree[3])}"
    if kind == "in_list":
        items = f",{space}".join(lit(v) for v in tree[2])
        return f"{operand(tree[1])} {'not in' if tree[3] else 'in'} [{items}]"
    if kind == "in_q":
        return f"{operand(tree[1])} {'not in' if tree[3] else 'in'} {tree[2]}"
    if kind == "not":
        return f"not ({render(tree[1], space)})"
    return f" {kind} ".join(f"({render(t, space)})" for t in tree[1])


def reference(tree, answers) -> bool:
    def value(o):
        return answers[o[1]] if o[0] == "name" else o[1]

    def is_num(v):
        return isinstance(v, int | float) and not isinstance(v, bool)

    def equal(a, b):
        return ((is_num(a) and is_num(b)) or (isinstance(a, str) and isinstance(b, str))) and a == b

    kind = tree[0]
    if kind == "cmp":
        a, b = value(tree[2]), value(tree[3])
        if a is None or b is None or isinstance(a, frozenset) or isinstance(b, frozenset):
            return False
        if tree[1] == "==":
            return equal(a, b)
        if tree[1] == "!=":
            return not equal(a, b)
        return is_num(a) and is_num(b) and OPS[tree[1]](a, b)
    if kind in ("in_list", "in_q"):
        needle = value(tree[1])
        hay = tree[2] if kind == "in_list" else answers[tree[2]]
        if needle is None or isinstance(needle, frozenset) or not isinstance(hay, list | frozenset):
            return False
        return any(equal(needle, h) for h in hay) != tree[3]
    if kind == "not":
        return not reference(tree[1], answers)
    results = [reference(t, answers) for t in tree[1]]
    return all(results) if kind == "and" else any(results)


@given(trees, answer_sets, st.sampled_from(["", " ", "  "]))
def test_evaluator_agrees_with_reference(tree, answers, space):
    assert evaluate(parse(render(tree, space)), answers) == reference(tree, answers)


@given(st.text(alphabet=st.sampled_from(list("q1 2'\"=!<>()[],andortin-.x")), max_size=40))
def test_parser_never_crashes_on_garbage(text):
    try:
        tree = parse(text)
    except ConditionSyntaxError as exc:
        assert 0 <= exc.offset <= len(text)
    else:
        evaluate(tree, {})


@given(st.text(max_size=60), answer_sets)
def test_parser_never_crashes_on_any_text(text, answers):
    try:
        tree = parse(text)
    except ConditionSyntaxError:
        return
    assert isinstance(evaluate(tree, answers), bool)
