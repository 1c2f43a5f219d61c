"""A questionnaire laid out as a paper form: its content here, its look in
reports/paper-form.html and reports/assets/paper-form.css, rendered by ``render``.

On paper the respondent applies the rules the web applies for them, so the form says them
in words (``questionnaire.wording``): who a question is for, when to answer it, where to go
next. A personal form (one per invitation of a round) adds the address block for a window
envelope, the return code typed in when the form comes back, and a QR code of the person's
web link, so each person can answer on paper or on the web.

Plain data in, HTML out: nothing here reads a database or a request.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import singledispatch

import segno

from survey.questionnaire.model import (
    ChoiceQuestion,
    LikertMatrixQuestion,
    LongTextQuestion,
    NumberQuestion,
    Page,
    Question,
    Questionnaire,
    ScaleQuestion,
    TextQuestion,
)
from survey.questionnaire.wording import audience_words, condition_words, question_numbers

EVERYONE = "Alle"


@singledispatch
def layout(question: Question) -> str:
    """How a question is drawn on paper: the name of its macro in paper-form.html."""
    raise TypeError(f"no paper layout for a question of type {question.type!r}")


@layout.register
def _(question: ScaleQuestion) -> str:
    return "scale"


@layout.register
def _(question: LikertMatrixQuestion) -> str:
    return "matrix"


@layout.register
def _(question: ChoiceQuestion) -> str:
    return "choices"


@layout.register
def _(question: NumberQuestion) -> str:
    return "number"


@layout.register
def _(question: TextQuestion) -> str:
    return "text"


@layout.register
def _(question: LongTextQuestion) -> str:
    return "long_text"


@dataclass(frozen=True)
class FormQuestion:
    question: Question
    number: str
    layout: str
    who: str  # "Kun prosjektleder", "Alle", or "" when the form has no audiences at all
    condition: str  # "Hvis du svarte «Ja» på spørsmål 9b" or ""


@dataclass(frozen=True)
class FormSection:
    title: str | None
    introduction: str | None
    condition: str  # the page's show_if as an instruction with where to go otherwise
    questions: tuple[FormQuestion, ...]


@dataclass(frozen=True)
class Recipient:
    """One person's copy of the form."""

    address: tuple[str, ...]  # the name first
    return_code: str
    link: str
    qr_path: str  # SVG path data of the link's QR code, in modules
    qr_size: int  # modules per side, quiet zone included


@dataclass(frozen=True)
class PaperForm:
    questionnaire: Questionnaire
    sections: tuple[FormSection, ...]
    return_address: tuple[str, ...]  # lines; empty: none given
    header_fields: tuple[str, ...]  # labels of the fields written in by hand
    recipients: tuple[Recipient, ...]  # empty: one blank form


def paper_form(
    questionnaire: Questionnaire,
    *,
    return_address: str = "",
    recipients: Sequence[Recipient] = (),
) -> PaperForm:
    """The form's content. A blank form (no recipients) asks for the questionnaire's
    respondent attributes to be written in; a personal form takes them from the invitation."""
    numbers = question_numbers(questionnaire)
    limited = any(_audience(page, q) for page in questionnaire.pages for q in page.questions)
    sections = []
    questions = questionnaire.questions
    for page in questionnaire.pages:
        form_questions = tuple(
            FormQuestion(
                q,
                numbers[q.id],
                layout(q),
                audience_words(_audience(page, q), questionnaire.roles)
                or (EVERYONE if limited else ""),
                condition_words(q.show_if, questionnaire, numbers) if q.show_if else "",
            )
            for q in page.questions
        )
        condition = ""
        if page.show_if is not None and form_questions:
            first, last = form_questions[0].number, form_questions[-1].number
            which = f"spørsmål {first}" if first == last else f"spørsmål {first}–{last}"
            after = questions.index(page.questions[-1]) + 1
            condition = f"{condition_words(page.show_if, questionnaire, numbers)}: svar på {which}."
            if after < len(questions):
                condition += f" Ellers gå videre til spørsmål {numbers[questions[after].id]}."
        title = str(page.title) if page.title else None
        if title and {title.casefold()} == {fq.who.casefold() for fq in form_questions}:
            title = None  # "Kun prosjektleder" stands beside each question already
        sections.append(
            FormSection(
                title,
                str(page.introduction) if page.introduction else None,
                condition,
                form_questions,
            )
        )
    fields = () if recipients else tuple(str(a.label) for a in questionnaire.respondent_attributes)
    return PaperForm(
        questionnaire,
        tuple(sections),
        tuple(line.strip() for line in return_address.splitlines() if line.strip()),
        fields,
        tuple(recipients),
    )


def _audience(page: Page, question: Question) -> frozenset[str] | None:
    """Who a question is for: its own audience within its page's."""
    if page.audience is not None and question.audience is not None:
        return page.audience & question.audience
    return question.audience if question.audience is not None else page.audience


def recipient(address: Sequence[str], return_code: str, link: str) -> Recipient:
    path, size = qr_path(link)
    return Recipient(tuple(address), return_code, link, path, size)


QUIET_ZONE = 4  # modules of white around a QR code, as ISO/IEC 18004 asks


def qr_path(data: str) -> tuple[str, int]:
    """A QR code (segno, error correction M) as SVG path data: one rectangle per run of dark
    modules in a row, drawn in the template's inline <svg> (nothing to fetch)."""
    code = segno.make(data, error="m", micro=False)
    parts = []
    for y, row in enumerate(code.matrix):
        for match in re.finditer(rb"\x01+", bytes(row)):
            x = match.start() + QUIET_ZONE
            parts.append(f"M{x} {y + QUIET_ZONE}h{match.end() - match.start()}v1H{x}z")
    return "".join(parts), int(code.symbol_size(border=QUIET_ZONE)[0])
