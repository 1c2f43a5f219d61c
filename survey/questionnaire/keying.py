"""Keys a returned paper form is typed in with: one field per answer, in the form's order.

The secretariat types what the form shows, not the engine's codes: a scale point's number
(the not-scored options, such as «Vet ikke», take the numbers after the last point, as their
boxes stand after the points on paper), an option's place in its list (1 for the first;
several, separated by spaces or commas, for a multiple choice), a number, or the text. A
field left empty is an unanswered question. The fields carry the paper form's numbering
(``wording.question_numbers``: one numbering in one place) and turn typed keys into the
cells a responses file holds, so a typed form is checked and stored by the import's own
rules (``responses_csv``). Pure: no Flask or SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from survey.questionnaire.model import (
    ChoiceQuestion,
    NumberQuestion,
    Question,
    Questionnaire,
    ScaleQuestion,
    TextQuestion,
)
from survey.questionnaire.wording import question_numbers

KEY_LENGTH = 40
"""Characters a keyed field takes (the longest multiple choice typed as codes fits)."""

_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class EntryField:
    """One input of the data-entry page: ``name`` is the answer id (or the responses file's
    ``<question id>_detail`` column), so typed cells and the import's columns are one."""

    name: str
    number: str  # the question's number on the paper form
    label: str  # the question's text, or a matrix statement's
    hint: str  # what to type: "1–6, 7 = Vet ikke"
    numeric: bool  # only digits are typed (inputmode="numeric")
    max_length: int
    multiple: bool = False
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def cell(self, typed: str) -> str:
        """What was typed as a responses file's cell: keys turned into codes (a code typed
        as it is stays, and anything else is left for the question's own rules to refuse)."""
        text = typed.strip()
        if not self.keys or not text:
            return text
        tokens = _SEPARATORS.split(text) if self.multiple else [text]
        return ";".join(self.keys.get(token, token) for token in tokens if token)

    def same(self, first: str, second: str) -> bool:
        """Whether two keyings of this field say the same: the same cell (``1 3`` and
        ``3,1`` tick the same boxes), whatever separators or order were typed."""
        if self.multiple:
            return set(self.cell(first).split(";")) == set(self.cell(second).split(";"))
        return self.cell(first) == self.cell(second)


def differing(
    fields: tuple[EntryField, ...], first: Mapping[str, str], second: Mapping[str, str]
) -> tuple[EntryField, ...]:
    """The fields two keyings of one form disagree on, in the form's order (double entry)."""
    return tuple(f for f in fields if not f.same(first.get(f.name, ""), second.get(f.name, "")))


def entry_fields(questionnaire: Questionnaire) -> tuple[EntryField, ...]:
    """Every answer's field in the paper form's order and numbering."""
    numbers = question_numbers(questionnaire)
    fields: list[EntryField] = []
    for question in questionnaire.questions:
        fields += _fields(question, numbers[question.id])
    return tuple(fields)


def _fields(question: Question, number: str) -> list[EntryField]:
    if isinstance(question, ScaleQuestion):
        scale = question.scale
        keys = {str(p): str(p) for p in scale.values}
        extra = {str(scale.high + n): c for n, c in enumerate(scale.not_scored, start=1)}
        keys |= {key: c.code for key, c in extra.items()}
        hint = f"{scale.low}–{scale.high}" + "".join(
            f", {key} = {c.label}" for key, c in extra.items()
        )
        labels = {item.id: str(item.text) for item in question.items}
        return [
            EntryField(aid, number, labels.get(aid, str(question.text)), hint, True, KEY_LENGTH,
                       keys=MappingProxyType(keys))
            for aid in question.answer_ids
        ]  # fmt: skip
    if isinstance(question, ChoiceQuestion):
        keys = {str(n): c.code for n, c in enumerate(question.choices, start=1)}
        hint = ", ".join(f"{n} = {c.label}" for n, c in enumerate(question.choices, start=1))
        if question.multiple:
            hint += " (flere: skill med mellomrom)"
        fields = [
            EntryField(question.id, number, str(question.text), hint, True, KEY_LENGTH,
                       question.multiple, MappingProxyType(keys))
        ]  # fmt: skip
        if question.detail_choices:
            which = ", ".join(str(c.label) for c in question.detail_choices)
            fields.append(
                EntryField(f"{question.id}_detail", number, f"Spesifiser ({which})",
                           "Det som er skrevet på linjen", False, 500)
            )  # fmt: skip
        return fields
    if isinstance(question, NumberQuestion):
        unit = f" ({question.unit})" if question.unit else ""
        return [EntryField(question.id, number, str(question.text), "Et tall" + unit,
                           question.integer, KEY_LENGTH)]  # fmt: skip
    if isinstance(question, TextQuestion):
        return [EntryField(question.id, number, str(question.text), "Teksten som er skrevet",
                           False, question.max_length)]  # fmt: skip
    raise TypeError(f"no data entry for a question of type {question.type!r}")
