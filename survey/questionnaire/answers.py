"""Answers: from raw strings to typed values, and the rules a set of answers must obey.

The web form and the CSV importer both receive strings; both call ``parse_answer`` and
``check_answers`` so a paper form typed in by the secretariat is held to exactly the rules a
respondent's browser is. Messages are for respondents, so they are in bokmål. What each
type of question accepts is its own ``parse`` and ``check`` (``model``); this module holds
what they share and the rules that span questions: required, hidden, visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from survey.questionnaire.conditions import Value
from survey.questionnaire.visibility import visible_questions

if TYPE_CHECKING:  # the model's questions parse and check with what is defined here
    from survey.questionnaire.model import Question, Questionnaire

Detail = str | float


@dataclass(frozen=True)
class Answer:
    """One stored answer: a scale point or not-scored code, a code, a set of codes, a number
    or a text, plus the text/number attached to chosen "specify" options, by choice code."""

    value: Value
    details: Mapping[str, Detail] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class AnswerError:
    answer_id: str
    message: str
    detail_of: str | None = None  # the choice code whose specify field is wrong


class Messages:
    """Default texts; a question's own ``required_message`` replaces ``required``."""

    required = "Du må svare på dette spørsmålet."
    choose_one = "Velg et av alternativene."
    scale = "Velg et tall fra {low} til {high}."
    exclusive = "«{label}» kan ikke kombineres med andre svar."
    too_many = "Velg høyst {n} alternativer."
    too_many_one = "Velg bare ett alternativ."
    specify_text = "Skriv hva du mener med «{label}»."
    specify_number = "Fyll inn et tall for «{label}»."
    whole_number = "Skriv et helt tall."
    number = "Skriv et tall."
    between = "Skriv et tall fra {low} til {high}."
    at_least = "Skriv et tall som er {low} eller mer."
    at_most = "Skriv et tall som er {high} eller mindre."
    too_long = "Svaret kan være høyst {n} tegn langt (nå er det {length})."
    hidden = "Dette spørsmålet gjelder ikke for deg."


def format_number(number: float) -> str:
    """Norwegian style: 4,5 and 1 000 000, never 1e+06."""
    text = f"{number:,.10f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u00a0").replace(".", ",")


def parse_number(text: str) -> float | None:
    """Accept Norwegian and English decimals and spaces as thousands separators."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


class ParseError(ValueError):
    def __init__(self, error: AnswerError):
        super().__init__(error.message)
        self.error = error


def parse_answer(
    question: Question,
    answer_id: str,
    raw: Iterable[str],
    raw_details: Mapping[str, str] | None = None,
) -> Answer | None:
    """Turn submitted strings into an Answer (None when left blank).

    Raises ParseError with a respondent-facing message when the strings cannot be an
    answer to this question at all (a letter in a number field, an unknown code); how each
    type reads its strings is ``Question.parse``."""
    values = [v.strip() for v in raw if v is not None and v.strip() != ""]
    if not values:
        return None
    return question.parse(answer_id, values, raw_details or {})


def check_answers(
    questionnaire: Questionnaire,
    role: str | None,
    answers: Mapping[str, Answer],
    questions: Iterable[Question] | None = None,
    *,
    returned_form: bool = False,
) -> list[AnswerError]:
    """Every rule the answers break, for the given questions (default: all of them).

    Visibility is decided on all answers, so a page is checked in the light of earlier
    pages; answers to questions the respondent cannot see are errors here, and callers that
    want to drop them silently use ``visibility.prune_hidden`` first.

    ``returned_form``: the answers are a form that came back (paper, typed in or
    imported), not one being filled in. Nobody can be asked again, so "required" (the web
    form's nudge) is no rule for it: an unanswered question is a fact to count. And an
    answer to a question the form said to skip is kept aside by the caller rather than
    refused; it is still held to its own question's rules (codes, ranges), like every other
    answer, so what cannot be an answer at all is refused either way. A "specify" left
    blank is a blank too (``blank_details``)."""
    values = {key: answer.value for key, answer in answers.items()}
    visible = visible_questions(questionnaire, role, values)  # the stated role wins
    visible_ids = {aid for q in visible for aid in q.answer_ids}
    scope = list(questions) if questions is not None else list(questionnaire.questions)
    errors: list[AnswerError] = []
    for question in scope:
        for answer_id in question.answer_ids:
            answer = answers.get(answer_id)
            if answer_id not in visible_ids:
                if answer is not None:
                    if returned_form:
                        errors += _returned(question.check(answer_id, answer), answer)
                    else:
                        errors.append(AnswerError(answer_id, Messages.hidden))
                continue
            if answer is None:
                if question.required and not returned_form:
                    message = question.required_message or Messages.required
                    errors.append(AnswerError(answer_id, str(message)))
                continue
            found = question.check(answer_id, answer)
            errors += _returned(found, answer) if returned_form else found
    return errors


def _returned(errors: list[AnswerError], answer: Answer) -> list[AnswerError]:
    """The errors that stand on a returned form: a "specify" left blank is a blank like any
    other (the option ticked stands), not a wrong value; every other error stands."""
    return [e for e in errors if e.detail_of is None or answer.details.get(e.detail_of)]


def blank_details(question: Question, answer: Answer) -> list[str]:
    """The chosen options of ``answer`` whose required "specify" was left blank."""
    codes = question.chosen(answer.value)
    return [
        c.code
        for c in question.detail_choices
        if c.code in codes and c.specify is not None and c.specify.required
        and answer.details.get(c.code) in (None, "")
    ]  # fmt: skip


def range_problems(
    value: object, low: float | None, high: float | None, *, integer: bool = False
) -> list[str]:
    """What is wrong with a number given for a range (a number question, a "specify")."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return [Messages.number]
    if integer and not float(value).is_integer():
        return [Messages.whole_number]
    if low is not None and high is not None:
        if value < low or value > high:
            return [Messages.between.format(low=format_number(low), high=format_number(high))]
    elif low is not None and value < low:
        return [Messages.at_least.format(low=format_number(low))]
    elif high is not None and value > high:
        return [Messages.at_most.format(high=format_number(high))]
    return []
