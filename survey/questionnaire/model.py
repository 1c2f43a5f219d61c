"""The questionnaire as the rest of the engine sees it: immutable, resolved, checked.

Built from a file only once the linter found no errors, so consumers (web forms, scoring,
reports) can rely on every reference being resolved: a question holds its scale and its
choices, an index holds its items. Nothing here knows about YAML, Flask or SQLite.

A question is one class per type, each with only its own fields, as in ``schema``. One
flat class with every type's fields left each consumer to ask "which type is this?" and
branch on the answer, in some thirty places that a new type would have had to find and
a type name misspelt in one of them would have quietly skipped. Now what a type means is
said once, in one of two places:

- What the questionnaire itself decides is a method of the class: the ids its answers are
  stored under, the Likert items it rates, how submitted strings become an ``Answer`` and
  which rules that answer must obey, which options an answer chooses. ``answers`` only runs
  these, so the web form, the importer and storage still share one rule per type.
- What another layer decides (how a question is drawn, written to a table, laid out in a
  report, outlined in a terminal) stays in that layer, registered per class with
  ``functools.singledispatch``: the core learns nothing of HTML, CSV or PDF, and each
  layer keeps its view of every type in one place, next to the rest of its work.

``type`` stays as a class constant, the file's name for the type, for messages, outlines
and codebooks; nothing branches on it. ``ChoiceQuestion.multiple`` is the one fact about
a type that other layers read directly (checkboxes, the base of a share), because it is
what the type means rather than how any one layer shows it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import ClassVar

from survey.questionnaire.answers import (
    Answer,
    AnswerError,
    Detail,
    Messages,
    ParseError,
    parse_number,
    range_problems,
)
from survey.questionnaire.conditions import Condition, Value

_NO_DETAILS: Mapping[str, Detail] = MappingProxyType({})


@dataclass(frozen=True)
class Text:
    """A respondent-facing text in the questionnaire's language, with optional translations."""

    default: str
    translations: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __str__(self) -> str:
        return self.default

    def __hash__(self) -> int:  # MappingProxyType is not hashable; the texts are
        return hash((self.default, tuple(sorted(self.translations.items()))))

    def in_language(self, language: str) -> str:
        return self.translations.get(language, self.default)


@dataclass(frozen=True)
class Role:
    code: str
    label: Text
    # Kept and exported, but in no released figure: a handful of "annet" would otherwise be
    # hidden, and another role with them to protect them (scoring.suppression).
    residual: bool = False


@dataclass(frozen=True)
class RespondentAttribute:
    """Who answers, as the invitation says it (``unit``, ``pulje``): written in by hand on a
    paper form that has no invitation behind it."""

    id: str
    label: Text


@dataclass(frozen=True)
class Specify:
    """The text or number a chosen option asks for ("Annet, spesifiser", "frikjøpt __ %")."""

    kind: str  # "text" | "number"
    label: Text | None = None
    required: bool = True
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None

    def parse(self, text: str) -> Detail | None:
        """The detail typed for the option (stripped, not empty); None: not a number."""
        return parse_number(text) if self.kind == "number" else text

    def problems(self, label: Text, detail: Detail | None) -> list[str]:
        """What is wrong with the detail given for the chosen option called ``label``."""
        if detail is None or detail == "":
            if not self.required:
                return []
            missing = Messages.specify_number if self.kind == "number" else Messages.specify_text
            return [missing.format(label=label)]
        if self.kind == "number":
            return range_problems(detail, self.min, self.max)
        if (
            self.max_length is not None
            and isinstance(detail, str)
            and len(detail) > self.max_length
        ):
            return [Messages.too_long.format(n=self.max_length, length=len(detail))]
        return []


@dataclass(frozen=True)
class Choice:
    code: str
    label: Text
    exclusive: bool = False
    specify: Specify | None = None


@dataclass(frozen=True)
class Scale:
    id: str
    start: int
    points: int
    labels: Mapping[int, Text]
    not_scored: tuple[Choice, ...] = ()

    def __hash__(self) -> int:
        return hash((self.id, self.start, self.points, self.not_scored))

    @property
    def values(self) -> range:
        return range(self.start, self.start + self.points)

    @property
    def low(self) -> int:
        return self.start

    @property
    def high(self) -> int:
        return self.start + self.points - 1

    @property
    def favourable(self) -> tuple[int, ...]:
        """The top two points, reported as the share who agree."""
        return tuple(self.values[-2:])

    @property
    def unfavourable(self) -> tuple[int, ...]:
        return tuple(self.values[:2])

    @cached_property  # asked for every Likert cell of an import: build the set once
    def not_scored_codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.not_scored)

    def reverse(self, value: float) -> float:
        """Map a point to its mirror image, e.g. 2 -> 5 on a 1-6 scale."""
        return self.low + self.high - value


@dataclass(frozen=True)
class Item:
    """One rated statement: a likert question, or one row of a likert matrix."""

    id: str
    text: Text
    scale: Scale
    reverse: bool = False
    question_id: str = ""


@dataclass(frozen=True, kw_only=True)
class Question(ABC):
    """What every question has, whatever its type. Never built itself: see the types below."""

    type: ClassVar[str]
    """The file's name for the type ("likert", "long_text"), for messages and outlines."""

    id: str
    text: Text
    page_id: str
    lead_in: Text | None = None
    help: Text | None = None
    required: bool = True
    required_message: Text | None = None
    audience: frozenset[str] | None = None
    show_if: Condition | None = None
    show_if_source: str | None = None

    @cached_property
    def answer_ids(self) -> tuple[str, ...]:
        """The ids its answers are stored under: its own; a matrix stores one per statement."""
        return (self.id,)

    @property
    def items(self) -> tuple[Item, ...]:
        """The Likert items it rates: none unless it is rated on a scale."""
        return ()

    @property
    def detail_choices(self) -> tuple[Choice, ...]:
        """The options that ask for a text or number when chosen; ``Answer.details`` is keyed
        by their codes."""
        return ()

    def chosen(self, value: Value) -> frozenset[str]:
        """The option codes an answer value chooses: none for a number, a text or a point."""
        return frozenset()

    def answer_choosing(
        self, codes: Sequence[str], details: Mapping[str, Detail] = _NO_DETAILS
    ) -> Answer:
        """The answer that chooses ``codes`` (the one code, but for a multiple choice)."""
        return Answer(codes[0], details)

    @abstractmethod
    def parse(self, answer_id: str, values: Sequence[str], details: Mapping[str, str]) -> Answer:
        """The answer the submitted strings give: ``values`` stripped and never empty, and
        ``details`` the texts typed for "specify" options, by code.

        Raises ParseError with a respondent-facing message when the strings cannot be an
        answer to this question at all (a letter in a number field, an unknown code)."""

    @abstractmethod
    def check(self, answer_id: str, answer: Answer) -> list[AnswerError]:
        """Every rule ``answer`` breaks, whoever built it (a form, an import, a test);
        whether an answer is needed at all is ``answers.check_answers``' business."""


def _single(answer_id: str, values: Sequence[str]) -> str:
    """The one value a question that takes one was sent (the same value twice is one)."""
    if len(set(values)) > 1:
        raise ParseError(AnswerError(answer_id, Messages.choose_one))
    return values[0]


@dataclass(frozen=True, kw_only=True)
class ScaleQuestion(Question):
    """Rated on a scale: a point, or a not-scored option such as "vet ikke"."""

    scale: Scale

    def parse(self, answer_id: str, values: Sequence[str], details: Mapping[str, str]) -> Answer:
        value = _single(answer_id, values)
        if value in self.scale.not_scored_codes:
            return Answer(value)
        number = parse_number(value)
        if number is None or not number.is_integer() or int(number) not in self.scale.values:
            raise ParseError(AnswerError(answer_id, self._off_scale))
        return Answer(int(number))

    def check(self, answer_id: str, answer: Answer) -> list[AnswerError]:
        value, scale = answer.value, self.scale
        if value in scale.not_scored_codes or (isinstance(value, int) and value in scale.values):
            return []
        return [AnswerError(answer_id, self._off_scale)]

    @property
    def _off_scale(self) -> str:
        return Messages.scale.format(low=self.scale.low, high=self.scale.high)

    def chosen(self, value: Value) -> frozenset[str]:
        return frozenset({value}) if isinstance(value, str) else frozenset()


@dataclass(frozen=True, kw_only=True)
class LikertQuestion(ScaleQuestion):
    """One statement rated on a scale; it is its own (and only) item."""

    type: ClassVar[str] = "likert"
    reverse: bool = False

    @cached_property
    def items(self) -> tuple[Item, ...]:
        return (Item(self.id, self.text, self.scale, self.reverse, self.id),)


@dataclass(frozen=True, kw_only=True)
class LikertMatrixQuestion(ScaleQuestion):
    """Several statements under one text, each rated on the same scale and stored apart."""

    type: ClassVar[str] = "likert_matrix"
    statements: tuple[Item, ...]

    @cached_property
    def answer_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.statements)

    @property
    def items(self) -> tuple[Item, ...]:
        return self.statements


@dataclass(frozen=True, kw_only=True)
class ChoiceQuestion(Question):
    """Options to choose from, some of which may ask for a text or number ("specify")."""

    multiple: ClassVar[bool]
    """Whether several options may be chosen (a set of codes is the answer)."""

    choices: tuple[Choice, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)

    @cached_property
    def detail_choices(self) -> tuple[Choice, ...]:
        return tuple(c for c in self.choices if c.specify is not None)

    def _answer(
        self, answer_id: str, codes: Sequence[str], raw_details: Mapping[str, str]
    ) -> Answer:
        """The answer choosing ``codes``, with the details typed for those that ask for one."""
        found = [self.choice(code) for code in codes]
        if any(choice is None for choice in found):
            raise ParseError(AnswerError(answer_id, Messages.choose_one))
        details: dict[str, Detail] = {}
        for choice in {c.code: c for c in found if c is not None}.values():
            text = (raw_details.get(choice.code) or "").strip()
            if choice.specify is None or not text:
                continue
            detail = choice.specify.parse(text)
            if detail is None:
                raise ParseError(AnswerError(answer_id, Messages.number, choice.code))
            details[choice.code] = detail
        return self.answer_choosing(codes, MappingProxyType(details))

    def check(self, answer_id: str, answer: Answer) -> list[AnswerError]:
        codes = self.chosen(answer.value)  # none when the value has the wrong shape
        chosen = [c for c in self.choices if c.code in codes]
        if len(chosen) != len(codes) or not chosen:
            return [AnswerError(answer_id, Messages.choose_one)]
        errors = [AnswerError(answer_id, m) for m in self._combination_problems(chosen)]
        for code in answer.details:
            choice = self.choice(code)
            if code not in codes or choice is None or choice.specify is None:
                errors.append(AnswerError(answer_id, Messages.hidden, code))
        for choice in chosen:
            if choice.specify is not None:
                detail = answer.details.get(choice.code)
                problems = choice.specify.problems(choice.label, detail)
                errors += [AnswerError(answer_id, m, choice.code) for m in problems]
        return errors

    def _combination_problems(self, chosen: Sequence[Choice]) -> list[str]:
        """What is wrong with choosing these options together."""
        return []


@dataclass(frozen=True, kw_only=True)
class SingleChoiceQuestion(ChoiceQuestion):
    type: ClassVar[str] = "single_choice"
    multiple: ClassVar[bool] = False

    def parse(self, answer_id: str, values: Sequence[str], details: Mapping[str, str]) -> Answer:
        return self._answer(answer_id, [_single(answer_id, values)], details)

    def chosen(self, value: Value) -> frozenset[str]:
        return frozenset({value}) if isinstance(value, str) else frozenset()


@dataclass(frozen=True, kw_only=True)
class MultipleChoiceQuestion(ChoiceQuestion):
    type: ClassVar[str] = "multiple_choice"
    multiple: ClassVar[bool] = True
    max_choices: int | None = None

    def parse(self, answer_id: str, values: Sequence[str], details: Mapping[str, str]) -> Answer:
        return self._answer(answer_id, values, details)

    def chosen(self, value: Value) -> frozenset[str]:
        return value if isinstance(value, frozenset) else frozenset()

    def answer_choosing(
        self, codes: Sequence[str], details: Mapping[str, Detail] = _NO_DETAILS
    ) -> Answer:
        return Answer(frozenset(codes), details)

    def _combination_problems(self, chosen: Sequence[Choice]) -> list[str]:
        problems = []
        if len(chosen) > 1:
            problems += [
                Messages.exclusive.format(label=choice.label)
                for choice in chosen
                if choice.exclusive
            ]
        if self.max_choices is not None and len(chosen) > self.max_choices:
            n = self.max_choices
            problems.append(Messages.too_many_one if n == 1 else Messages.too_many.format(n=n))
        return problems


@dataclass(frozen=True, kw_only=True)
class NumberQuestion(Question):
    type: ClassVar[str] = "number"
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    integer: bool = True

    def parse(self, answer_id: str, values: Sequence[str], details: Mapping[str, str]) -> Answer:
        number = parse_number(_single(answer_id, values))
        if number is None:
            message = Messages.whole_number if self.integer else Messages.number
            raise ParseError(AnswerError(answer_id, message))
        return Answer(int(number) if number.is_integer() else number)

    def check(self, answer_id: str, answer: Answer) -> list[AnswerError]:
        problems = range_problems(answer.value, self.min, self.max, integer=self.integer)
        return [AnswerError(answer_id, m) for m in problems]


@dataclass(frozen=True, kw_only=True)
class TextQuestion(Question):
    """A free text on one line."""

    type: ClassVar[str] = "text"
    default_max_length: ClassVar[int] = 500
    max_length: int

    def parse(self, answer_id: str, values: Sequence[str], details: Mapping[str, str]) -> Answer:
        return Answer(_single(answer_id, values))

    def check(self, answer_id: str, answer: Answer) -> list[AnswerError]:
        value = answer.value
        if isinstance(value, str) and len(value) > self.max_length:
            message = Messages.too_long.format(n=self.max_length, length=len(value))
            return [AnswerError(answer_id, message)]
        return []


@dataclass(frozen=True, kw_only=True)
class LongTextQuestion(TextQuestion):
    """A free text in a box of several lines: a text in every other respect."""

    type: ClassVar[str] = "long_text"
    default_max_length: ClassVar[int] = 5000


QUESTION_TYPES: Mapping[str, type[Question]] = MappingProxyType(
    {
        kind.type: kind
        for kind in (
            LikertQuestion,
            LikertMatrixQuestion,
            SingleChoiceQuestion,
            MultipleChoiceQuestion,
            NumberQuestion,
            TextQuestion,
            LongTextQuestion,
        )
    }
)
"""Every type of question by its name in the file (the same names as ``schema``'s)."""


@dataclass(frozen=True)
class Page:
    id: str
    questions: tuple[Question, ...]
    title: Text | None = None
    introduction: Text | None = None
    audience: frozenset[str] | None = None
    show_if: Condition | None = None
    show_if_source: str | None = None


@dataclass(frozen=True)
class Index:
    id: str
    label: Text
    items: tuple[Item, ...]
    min_answered: int
    target: float | None = None


@dataclass(frozen=True)
class QualityPair:
    """Expectation F and experience L of one topic; K = L / F, K >= 1 is good."""

    id: str
    label: Text
    expectation: Item
    experience: Item
    dimension: str | None = None


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: Text
    language: str
    pages: tuple[Page, ...]
    translations: tuple[str, ...] = ()
    introduction: Text | None = None
    confidentiality: Text | None = None
    closing: Text | None = None
    roles: tuple[Role, ...] = ()
    role_question_id: str | None = None
    respondent_attributes: tuple[RespondentAttribute, ...] = ()
    indexes: tuple[Index, ...] = ()
    quality_pairs: tuple[QualityPair, ...] = ()

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for page in self.pages for q in page.questions)

    @property
    def items(self) -> tuple[Item, ...]:
        """Every Likert statement, in questionnaire order."""
        return tuple(item for q in self.questions for item in q.items)

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def question_for(self, answer_id: str) -> Question:
        """The question an answer id belongs to (a matrix statement -> its matrix)."""
        return self._by_answer_id[answer_id]

    @cached_property
    def _by_answer_id(self) -> dict[str, Question]:
        return {aid: q for q in self.questions for aid in q.answer_ids}

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def role_question(self) -> Question | None:
        return self.question(self.role_question_id) if self.role_question_id else None

    @property
    def residual_roles(self) -> frozenset[str]:
        return frozenset(r.code for r in self.roles if r.residual)

    def role(self, code: str) -> Role | None:
        return next((r for r in self.roles if r.code == code), None)
