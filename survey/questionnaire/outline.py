"""A plain-text outline of a questionnaire, for checking a file at a glance in a terminal."""

from __future__ import annotations

from functools import singledispatch

from survey.questionnaire.answers import format_number
from survey.questionnaire.model import (
    ChoiceQuestion,
    LikertMatrixQuestion,
    LikertQuestion,
    NumberQuestion,
    Question,
    Questionnaire,
    Scale,
    TextQuestion,
)

ALL = "alle"


@singledispatch
def _detail(q: Question) -> str:
    """The line under a question: what it takes as an answer."""
    raise TypeError(f"no outline for a question of type {q.type!r}")


@_detail.register
def _(q: LikertQuestion) -> str:
    return _scale(q.scale) + (" (reversed)" if q.reverse else "")


@_detail.register
def _(q: LikertMatrixQuestion) -> str:
    statements = ", ".join(i.id + (" (reversed)" if i.reverse else "") for i in q.statements)
    return f"{_scale(q.scale)}: {statements}"


@_detail.register
def _(q: ChoiceQuestion) -> str:
    parts = []
    for c in q.choices:
        mark = ""
        if c.specify is not None:
            mark = "+text" if c.specify.kind == "text" else f"+number{c.specify.unit or ''}"
        parts.append(
            c.code + (f"[{mark}]" if mark else "") + (" (exclusive)" if c.exclusive else "")
        )
    return ", ".join(parts)


@_detail.register
def _(q: NumberQuestion) -> str:
    low = "" if q.min is None else format_number(q.min)
    high = "" if q.max is None else format_number(q.max)
    return f"{low}..{high} {q.unit or ''}".strip()


@_detail.register
def _(q: TextQuestion) -> str:
    return f"max {q.max_length} characters"


def _scale(scale: Scale) -> str:
    return f"{scale.id} {scale.low}-{scale.high}"


def outline(q: Questionnaire) -> str:
    lines = [f"{q.id} version {q.version}: {q.title} ({q.language})"]
    if q.roles:
        stated = f" (stated in {q.role_question_id})" if q.role_question_id else ""
        lines.append("roles: " + ", ".join(r.code for r in q.roles) + stated)
    for page in q.pages:
        audience = f" [{' '.join(sorted(page.audience))}]" if page.audience else ""
        condition = f" if {page.show_if_source}" if page.show_if_source else ""
        lines.append(f"page {page.id}{audience}{condition}")
        for question in page.questions:
            flags = [question.type, "required" if question.required else "optional"]
            if question.audience:
                flags.append("only " + " ".join(sorted(question.audience)))
            if question.show_if_source:
                flags.append(f"if {question.show_if_source}")
            lines.append(f"  {question.id}: {', '.join(flags)}")
            lines.append(f"      {_detail(question)}")
    for index in q.indexes:
        target = f", target {format_number(index.target)}" if index.target is not None else ""
        items = " ".join(i.id + ("(R)" if i.reverse else "") for i in index.items)
        lines.append(f"index {index.id}: {items} (min {index.min_answered} answered{target})")
    for pair in q.quality_pairs:
        dimension = f" [{pair.dimension}]" if pair.dimension else ""
        lines.append(
            f"quality pair {pair.id}{dimension}: K = {pair.experience.id} / {pair.expectation.id}"
        )
    return "\n".join(lines)
