"""Who answers a question and when, in words a reader of a paper form follows.

On the web the engine applies ``audience`` and ``show_if`` itself; on paper the respondent
must, so a printed form says "Kun prosjektleder" beside a question for project leaders and
"Hvis du svarte «Ja» på spørsmål 9b" before one shown on a condition. The same condition
tree the web evaluates is worded here (never the YAML source, which speaks in codes), and
questions are referred to by the numbers printed on the form.

Pure: no Flask, SQLite or WeasyPrint.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from survey.questionnaire.answers import format_number
from survey.questionnaire.conditions import (
    BoolOp,
    Compare,
    Condition,
    In,
    ListLiteral,
    Literal,
    Name,
    Not,
)
from survey.questionnaire.model import Question, Questionnaire, Role

_NUMBERED_ID = re.compile(r"q(\d+)([a-z]?)")

# "du svarte {words} på spørsmål N" for a comparison with a number
_NUMBER_OPS = {
    "==": "{v}",
    "!=": "noe annet enn {v}",
    "<=": "{v} eller lavere",
    ">=": "{v} eller høyere",
    "<": "lavere enn {v}",
    ">": "høyere enn {v}",
}
_MIRRORED = {"==": "==", "!=": "!=", "<=": ">=", ">=": "<=", "<": ">", ">": "<"}


def question_numbers(questionnaire: Questionnaire) -> dict[str, str]:
    """The number printed before each question, by question id.

    A questionnaire whose ids are already its paper numbers (q1, q2, ..., q9a, q9b, in
    order, as the 2009 form) keeps them, so the printed form matches the original and the
    ids; any other is numbered 1, 2, 3 ... in form order."""
    ids = [q.id for q in questionnaire.questions]
    matches = [_NUMBERED_ID.fullmatch(i) for i in ids]
    if all(matches):
        keys = [(int(m.group(1)), m.group(2)) for m in matches if m]
        if keys == sorted(keys) and len(set(keys)) == len(keys):
            return {i: f"{n}{letter}" for i, (n, letter) in zip(ids, keys, strict=True)}
    return {qid: str(n) for n, qid in enumerate(ids, start=1)}


def audience_words(audience: Collection[str] | None, roles: Collection[Role]) -> str:
    """ "Kun prosjektleder", "Kun ordfører og rådmann"; "" for everyone."""
    if not audience:
        return ""
    labels = [_lower_first(str(r.label)) for r in roles if r.code in audience]
    labels += sorted(code for code in audience if code not in {r.code for r in roles})
    return "Kun " + _joined(labels, "og")


def condition_words(
    condition: Condition, questionnaire: Questionnaire, numbers: Mapping[str, str]
) -> str:
    """ "Hvis du svarte «Ja» på spørsmål 9b": the condition as a sentence's beginning."""
    return "Hvis " + _clause(condition, questionnaire, numbers, top=True)


def _clause(
    cond: Condition, q: Questionnaire, numbers: Mapping[str, str], *, top: bool = False
) -> str:
    if isinstance(cond, BoolOp):
        parts = [_clause(c, q, numbers) for c in cond.operands]
        joined = f" {cond.op.replace('and', 'og').replace('or', 'eller')} ".join(parts)
        return joined if top else f"({joined})"
    if isinstance(cond, Not):
        return "det ikke gjelder at " + _clause(cond.operand, q, numbers, top=True)
    if isinstance(cond, In):
        return _in_words(cond, q, numbers)
    return _compare_words(cond, q, numbers)


def _in_words(cond: In, q: Questionnaire, numbers: Mapping[str, str]) -> str:
    if isinstance(cond.haystack, ListLiteral) and isinstance(cond.needle, Name):
        question = _question(q, cond.needle.id)
        values = [_value_words(question, lit.value) for lit in cond.haystack.values]
        answer = _joined(values, "eller")
        where = _where(question, numbers)
        if cond.negated:
            return f"du svarte noe annet enn {answer} {where}"
        return f"du svarte {answer} {where}"
    if isinstance(cond.haystack, Name) and isinstance(cond.needle, Literal):
        question = _question(q, cond.haystack.id)
        value = _value_words(question, cond.needle.value)
        negation = "ikke " if cond.negated else ""
        return f"du {negation}krysset av for {value} {_where(question, numbers)}"
    # two answers compared with each other: rare enough to say plainly
    return f"svaret {_operand(cond.needle, q, numbers)} {'ikke ' if cond.negated else ''}er " + (
        f"blant svarene {_operand(cond.haystack, q, numbers)}"
    )


def _compare_words(cond: Compare, q: Questionnaire, numbers: Mapping[str, str]) -> str:
    left, right, op = cond.left, cond.right, cond.op
    if isinstance(left, Literal) and isinstance(right, Name):
        left, right, op = right, left, _MIRRORED[op]
    if isinstance(left, Name) and isinstance(right, Literal):
        question = _question(q, left.id)
        value = _value_words(question, right.value)
        where = _where(question, numbers)
        if isinstance(right.value, str):
            words = value if op == "==" else f"noe annet enn {value}"
        else:
            words = _NUMBER_OPS[op].format(v=value)
        return f"du svarte {words} {where}"
    return f"svaret {_operand(left, q, numbers)} {op} svaret {_operand(right, q, numbers)}"


def _operand(
    node: Name | Literal | ListLiteral, q: Questionnaire, numbers: Mapping[str, str]
) -> str:
    if isinstance(node, Name):
        return _where(_question(q, node.id), numbers)
    if isinstance(node, ListLiteral):
        return _joined([repr(lit.value) for lit in node.values], "eller")
    return repr(node.value)


def _question(q: Questionnaire, answer_id: str) -> Question:
    return q.question_for(answer_id)


def _where(question: Question, numbers: Mapping[str, str]) -> str:
    return f"på spørsmål {numbers.get(question.id, question.id)}"


def _value_words(question: Question, value: int | float | str) -> str:
    """A code as its option's label in «», a number as printed on the form (4,5)."""
    if isinstance(value, str):
        for choice in _options(question):
            if choice[0] == value:
                return f"«{choice[1]}»"
        return f"«{value}»"
    return format_number(value)


def _options(question: Question) -> list[tuple[str, str]]:
    choices = getattr(question, "choices", ())
    scale = getattr(question, "scale", None)
    extra = scale.not_scored if scale is not None else ()
    return [(c.code, str(c.label)) for c in (*choices, *extra)]


def _joined(words: list[str], conjunction: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def _lower_first(text: str) -> str:
    """ "Prosjektleder" -> "prosjektleder", but "NAV-leder" stays as written."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
