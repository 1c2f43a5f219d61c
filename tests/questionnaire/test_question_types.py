"""One class per type of question: built from the file's type, each with only its own
fields, and every part of the core that treats types differently knows all of them."""

from __future__ import annotations

from dataclasses import fields

import pytest

from survey.questionnaire import load_text, schema
from survey.questionnaire.answers import Answer, parse_answer
from survey.questionnaire.model import QUESTION_TYPES, Question
from survey.questionnaire.outline import outline

EVERY_TYPE = """
id: alle-typer
version: 1
title: Alle typer
scales:
  fem: {points: 5, not_scored: [{code: vet_ikke, label: Vet ikke}]}
pages:
  - id: side
    questions:
      - {id: en, type: likert, text: En påstand, scale: fem, reverse: true}
      - id: flere
        type: likert_matrix
        text: Påstander
        scale: fem
        items: [{id: p1, text: Første}, {id: p2, text: Andre, reverse: true}]
      - id: valg
        type: single_choice
        text: Ett valg
        choices: [{code: ja, label: Ja, specify: text}, {code: nei, label: Nei}]
      - id: valg2
        type: multiple_choice
        text: Flere valg
        max_choices: 2
        choices: [{code: a, label: A}, {code: b, label: B}, {code: c, label: C}]
      - {id: tall, type: number, text: Et tall, min: 0, max: 10, unit: timer, integer: false}
      - {id: kort, type: text, text: Kort tekst}
      - {id: lang, type: long_text, text: Lang tekst, required: false}
"""

OWN_FIELDS = {
    "likert": {"scale", "reverse"},
    "likert_matrix": {"scale", "statements"},
    "single_choice": {"choices"},
    "multiple_choice": {"choices", "max_choices"},
    "number": {"min", "max", "unit", "integer"},
    "text": {"max_length"},
    "long_text": {"max_length"},
}


def every_type():
    result = load_text(EVERY_TYPE, "alle.yaml")
    assert result.questionnaire is not None, result.problems
    return result.questionnaire


def test_the_model_has_a_class_for_every_type_the_file_format_knows():
    assert set(QUESTION_TYPES) == set(schema.QUESTION_TYPES) == set(OWN_FIELDS)
    assert all(kind.type == name for name, kind in QUESTION_TYPES.items())


def test_each_question_is_built_as_its_types_class_with_only_its_own_fields():
    q = every_type()
    shared = {f.name for f in fields(Question)}
    assert [question.type for question in q.questions] == list(OWN_FIELDS)
    for question in q.questions:
        assert type(question) is QUESTION_TYPES[question.type]
        assert {f.name for f in fields(question)} - shared == OWN_FIELDS[question.type]


def test_a_text_and_a_long_text_have_their_own_default_length():
    q = every_type()
    assert (q.question("kort").max_length, q.question("lang").max_length) == (500, 5000)


def test_only_a_matrix_stores_an_answer_per_statement_and_only_scales_rate_items():
    q = every_type()
    assert {question.id: question.answer_ids for question in q.questions} == {
        "en": ("en",),
        "flere": ("p1", "p2"),
        "valg": ("valg",),
        "valg2": ("valg2",),
        "tall": ("tall",),
        "kort": ("kort",),
        "lang": ("lang",),
    }
    assert [(i.id, i.reverse, i.question_id) for i in q.items] == [
        ("en", True, "en"),
        ("p1", False, "flere"),
        ("p2", True, "flere"),
    ]
    assert q.question_for("p2") is q.question("flere")


@pytest.mark.parametrize(
    ("answer_id", "raw", "chosen"),
    [
        ("en", ["4"], set()),
        ("en", ["vet_ikke"], {"vet_ikke"}),
        ("p1", ["2"], set()),
        ("valg", ["nei"], {"nei"}),
        ("valg2", ["a", "c"], {"a", "c"}),
        ("tall", ["2,5"], set()),
        ("kort", ["ja"], set()),  # a text that happens to read like a code chooses nothing
    ],
)
def test_an_answer_chooses_its_options_and_is_rebuilt_from_them(answer_id, raw, chosen):
    question = every_type().question_for(answer_id)
    answer = parse_answer(question, answer_id, raw)
    assert answer is not None and question.check(answer_id, answer) == []
    assert question.chosen(answer.value) == chosen
    if chosen:
        assert question.answer_choosing(sorted(chosen)) == Answer(answer.value)


def test_the_outline_describes_every_type():
    lines = outline(every_type()).splitlines()
    assert lines[lines.index("  en: likert, required") + 1] == "      fem 1-5 (reversed)"
    assert "      fem 1-5: p1, p2 (reversed)" in lines
    assert "      ja[+text], nei" in lines
    assert "  valg2: multiple_choice, required" in lines
    assert "      0..10 timer" in lines
    assert "      max 500 characters" in lines
    assert "  lang: long_text, optional" in lines
    assert "      max 5000 characters" in lines
