"""The questionnaire as the rest of the engine sees it: immutable, resolved, checked.

Built from a file only once the linter found no errors, so consumers (web forms, scoring,
reports) can rely on every reference being resolved: a question holds its scale and its
choices, an index holds its items. Nothing here knows about YAML, Flask or SQLite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from survey.questionnaire.conditions import Condition

LIKERT_TYPES = frozenset({"likert", "likert_matrix"})
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})


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


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: Text
    page_id: str
    lead_in: Text | None = None
    help: Text | None = None
    required: bool = True
    required_message: Text | None = None
    audience: frozenset[str] | None = None
    show_if: Condition | None = None
    show_if_source: str | None = None
    scale: Scale | None = None
    items: tuple[Item, ...] = ()
    choices: tuple[Choice, ...] = ()
    max_choices: int | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    integer: bool = True
    max_length: int | None = None

    @cached_property
    def answer_ids(self) -> tuple[str, ...]:
        """The ids answers are stored under: a matrix stores one per statement."""
        return tuple(i.id for i in self.items) if self.type == "likert_matrix" else (self.id,)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)


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

    def role(self, code: str) -> Role | None:
        return next((r for r in self.roles if r.code == code), None)
