"""Turn a checked document into the immutable model, resolving every reference.

Each schema class of question becomes the model's class of the same type; this is the one
place that looks at which type a question in the file is."""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Any

from survey.questionnaire import conditions, schema
from survey.questionnaire.model import (
    Choice,
    Index,
    Item,
    LikertMatrixQuestion,
    LikertQuestion,
    LongTextQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Page,
    QualityPair,
    Question,
    Questionnaire,
    RespondentAttribute,
    Role,
    Scale,
    SingleChoiceQuestion,
    Specify,
    Text,
    TextQuestion,
)

TEXT_TYPES: dict[str, type[TextQuestion]] = {
    kind.type: kind for kind in (TextQuestion, LongTextQuestion)
}


def text(value: schema.Text, main: schema.Language) -> Text:
    if isinstance(value, str):
        return Text(value)
    others: dict[str, str] = {lang: t for lang, t in value.items() if lang != main}
    return Text(value[main], MappingProxyType(others))


def build(doc: schema.QuestionnaireDocument) -> Questionnaire:
    lang = doc.language

    def t(value: schema.Text | None) -> Text | None:
        return None if value is None else text(value, lang)

    def choice(c: schema.Choice) -> Choice:
        spec = c.specify
        if isinstance(spec, str):
            spec = schema.SpecifyDetail(type=spec)
        specify = None
        if spec is not None:
            specify = Specify(
                spec.type,
                t(spec.label),
                spec.required,
                spec.max_length,
                spec.min,
                spec.max,
                spec.unit,
            )
        return Choice(c.code, text(c.label, lang), c.exclusive, specify)

    scales = {
        name: Scale(
            name,
            s.start,
            s.points,
            MappingProxyType({k: text(v, lang) for k, v in s.labels.items()}),
            tuple(choice(c) for c in s.not_scored),
        )
        for name, s in doc.scales.items()
    }
    lists = {name: tuple(choice(c) for c in cs) for name, cs in doc.choice_lists.items()}

    def options(choices: str | list[schema.Choice]) -> tuple[Choice, ...]:
        return lists[choices] if isinstance(choices, str) else tuple(map(choice, choices))

    def question(q: schema.Question, page_id: str) -> Question:
        common: dict[str, Any] = dict(
            id=q.id,
            text=text(q.text, lang),
            page_id=page_id,
            lead_in=t(q.lead_in),
            help=t(q.help),
            required=q.required,
            required_message=t(q.required_message),
            audience=frozenset(q.audience) if q.audience is not None else None,
            show_if=conditions.parse(q.show_if) if q.show_if else None,
            show_if_source=q.show_if,
        )
        if isinstance(q, schema.LikertQuestion):
            return LikertQuestion(**common, scale=scales[q.scale], reverse=q.reverse)
        if isinstance(q, schema.LikertMatrixQuestion):
            scale = scales[q.scale]
            items = tuple(Item(i.id, text(i.text, lang), scale, i.reverse, q.id) for i in q.items)
            return LikertMatrixQuestion(**common, scale=scale, statements=items)
        if isinstance(q, schema.SingleChoiceQuestion):
            return SingleChoiceQuestion(**common, choices=options(q.choices))
        if isinstance(q, schema.MultipleChoiceQuestion):
            return MultipleChoiceQuestion(
                **common, choices=options(q.choices), max_choices=q.max_choices
            )
        if isinstance(q, schema.NumberQuestion):
            return NumberQuestion(**common, min=q.min, max=q.max, unit=q.unit, integer=q.integer)
        # "text" and "long_text" share a schema class; the type's name picks the model's
        kind = TEXT_TYPES[q.type]
        limit = q.max_length if q.max_length is not None else kind.default_max_length
        return kind(**common, max_length=limit)

    pages = tuple(
        Page(
            id=p.id,
            questions=tuple(question(q, p.id) for q in p.questions),
            title=t(p.title),
            introduction=t(p.introduction),
            audience=frozenset(p.audience) if p.audience is not None else None,
            show_if=conditions.parse(p.show_if) if p.show_if else None,
            show_if_source=p.show_if,
        )
        for p in doc.pages
    )
    items = {item.id: item for page in pages for q in page.questions for item in q.items}
    indexes = tuple(
        Index(
            x.id,
            text(x.label, lang),
            tuple(items[i] for i in x.items),
            x.min_answered or math.ceil(len(x.items) / 2),
            x.target,
        )
        for x in doc.indexes
    )
    pairs = tuple(
        QualityPair(
            p.id, text(p.label, lang), items[p.expectation], items[p.experience], p.dimension
        )
        for p in doc.quality_pairs
    )
    return Questionnaire(
        id=doc.id,
        version=str(doc.version),
        title=text(doc.title, lang),
        language=lang,
        pages=pages,
        translations=tuple(doc.translations),
        introduction=t(doc.introduction),
        confidentiality=t(doc.confidentiality),
        closing=t(doc.closing),
        roles=tuple(Role(r.code, text(r.label, lang), r.residual) for r in doc.roles),
        role_question_id=doc.role_question,
        respondent_attributes=tuple(
            RespondentAttribute(a.id, text(a.label, lang)) for a in doc.respondent_attributes
        ),
        indexes=indexes,
        quality_pairs=pairs,
    )
