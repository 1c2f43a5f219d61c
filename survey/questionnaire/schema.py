"""The shape of a questionnaire file, as pydantic models.

This is the file format's single source of truth: the loader checks files against it, the
linter turns its complaints into line-numbered messages, and ``survey schema`` exports it as
JSON Schema for editors. Rules that span several parts of a file (references, conditions,
indexes) live in ``rules``; this module only knows the shape of each part.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["nb", "nn", "en"]
LANGUAGES: tuple[str, ...] = ("nb", "nn", "en")

Text = str | dict[Language, str]
"""A respondent-facing text: plain bokmål, or one text per language code."""


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Role(Part):
    """A kind of respondent; reports are broken down by it."""

    code: str = Field(description="Stable code, e.g. 'ordforer'.")
    label: Text = Field(description="Short name used in reports, e.g. 'Ordfører'.")
    residual: bool = Field(
        False,
        description="A residual role such as 'annet': its respondents are kept and exported"
        " to admins but enter no released figure, so the other roles stay visible.",
    )


class SpecifyDetail(Part):
    """The text or number that a chosen option asks for ("Annet, spesifiser: ____")."""

    type: Literal["text", "number"] = "text"
    label: Text | None = None
    required: bool = True
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None


class Choice(Part):
    code: str = Field(description="Stable code stored with answers, e.g. 'ja'.")
    label: Text
    exclusive: bool = Field(False, description="In a multiple choice, cannot be combined.")
    specify: Literal["text", "number"] | SpecifyDetail | None = Field(
        None, description="Choosing this option opens a required text or number."
    )


class Scale(Part):
    """A reusable rating scale numbered ``start`` .. ``start + points - 1``."""

    points: int = Field(description="Number of points, e.g. 6 for a 1-6 scale.")
    start: int = 1
    labels: dict[int, Text] = Field(default_factory=dict, description="Labels per point.")
    not_scored: list[Choice] = Field(
        default_factory=list,
        description="Options such as 'Vet ikke' that are stored but never enter a mean.",
    )


class _Question(Part):
    id: str
    text: Text
    lead_in: Text | None = Field(None, description="Text shown before the question.")
    help: Text | None = None
    required: bool = True
    required_message: Text | None = None
    audience: list[str] | None = Field(None, description="Only these roles see it.")
    show_if: str | None = Field(None, description="Condition on earlier answers.")


class LikertQuestion(_Question):
    type: Literal["likert"]
    scale: str
    reverse: bool = Field(False, description="Reverse-coded: high agreement is unfavourable.")


class MatrixItem(Part):
    id: str
    text: Text
    reverse: bool = False


class LikertMatrixQuestion(_Question):
    type: Literal["likert_matrix"]
    scale: str
    items: list[MatrixItem]


class SingleChoiceQuestion(_Question):
    type: Literal["single_choice"]
    choices: str | list[Choice] = Field(description="A choice list's name or the options.")


class MultipleChoiceQuestion(_Question):
    type: Literal["multiple_choice"]
    choices: str | list[Choice]
    max_choices: int | None = None


class NumberQuestion(_Question):
    type: Literal["number"]
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    integer: bool = True


class TextQuestion(_Question):
    type: Literal["text", "long_text"]
    max_length: int | None = None


Question = Annotated[
    LikertQuestion
    | LikertMatrixQuestion
    | SingleChoiceQuestion
    | MultipleChoiceQuestion
    | NumberQuestion
    | TextQuestion,
    Field(discriminator="type"),
]

QUESTION_TYPES: dict[str, type[_Question]] = {
    "likert": LikertQuestion,
    "likert_matrix": LikertMatrixQuestion,
    "single_choice": SingleChoiceQuestion,
    "multiple_choice": MultipleChoiceQuestion,
    "number": NumberQuestion,
    "text": TextQuestion,
    "long_text": TextQuestion,
}


QUESTION_FIELDS = frozenset(_Question.model_fields)
"""The keys every question may have, whatever its type."""


class Page(Part):
    id: str
    title: Text | None = None
    introduction: Text | None = None
    audience: list[str] | None = None
    show_if: str | None = None
    questions: list[Question]


class Index(Part):
    """A named group of Likert items scored together, e.g. 'Ledelse'."""

    id: str
    label: Text
    items: list[str]
    min_answered: int | None = Field(
        None, description="Items a respondent must answer to get a score (default: half)."
    )
    target: float | None = Field(None, description="Target mean, e.g. 4.5.")


class QualityPair(Part):
    """Expectation (F) and experience (L) items for the quality ratio K = L / F."""

    id: str
    label: Text
    dimension: str | None = None
    expectation: str
    experience: str


class RespondentAttribute(Part):
    """Something about who answers that the round's invitation usually says (their unit, a
    cohort) and a paper form without invitations asks them to write in."""

    id: str = Field(description="'unit' or an invitation list's column, e.g. 'pulje'.")
    label: Text = Field(description="The field's label on paper, e.g. 'Kommunenavn/bydel'.")


class QuestionnaireDocument(Part):
    id: str
    version: int | str
    title: Text
    language: Language = "nb"
    translations: list[Language] = Field(default_factory=list)
    introduction: Text | None = None
    confidentiality: Text | None = None
    closing: Text | None = None
    roles: list[Role] = Field(default_factory=list)
    role_question: str | None = None
    respondent_attributes: list[RespondentAttribute] = Field(default_factory=list)
    scales: dict[str, Scale] = Field(default_factory=dict)
    choice_lists: dict[str, list[Choice]] = Field(default_factory=dict)
    pages: list[Page]
    indexes: list[Index] = Field(default_factory=list)
    quality_pairs: list[QualityPair] = Field(default_factory=list)


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the file format, for editors' completion."""
    schema = QuestionnaireDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Questionnaire"
    return schema
