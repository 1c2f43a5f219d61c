"""Answers: from raw strings to typed values, and the rules a set of answers must obey.

The web form and the CSV importer both receive strings; both call ``parse_answer`` and
``check_answers`` so a paper form typed in by the secretariat is held to exactly the rules a
respondent's browser is. Messages are for respondents, so they are in bokmål.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from survey.questionnaire.conditions import Value
from survey.questionnaire.model import Choice, Question, Questionnaire, Specify
from survey.questionnaire.visibility import visible_questions

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
    answer to this question at all (a letter in a number field, an unknown code)."""
    values = [v.strip() for v in raw if v is not None and v.strip() != ""]
    raw_details = raw_details or {}

    def fail(message: str, detail_of: str | None = None) -> ParseError:
        return ParseError(AnswerError(answer_id, message, detail_of))

    if not values:
        return None
    if question.type != "multiple_choice" and len(set(values)) > 1:
        raise fail(Messages.choose_one)
    if question.scale is not None:
        text = values[0]
        if text in question.scale.not_scored_codes:
            return Answer(text)
        number = parse_number(text)
        if number is None or not number.is_integer() or int(number) not in question.scale.values:
            raise fail(Messages.scale.format(low=question.scale.low, high=question.scale.high))
        return Answer(int(number))
    if question.choices:
        codes = values if question.type == "multiple_choice" else values[:1]
        for code in codes:
            if question.choice(code) is None:
                raise fail(Messages.choose_one)
        details: dict[str, Detail] = {}
        for code in dict.fromkeys(codes):
            specify = question.choice(code).specify  # type: ignore[union-attr]
            text = (raw_details.get(code) or "").strip()
            if specify is None or not text:
                continue
            if specify.kind == "number":
                number = parse_number(text)
                if number is None:
                    raise fail(Messages.number, code)
                details[code] = number
            else:
                details[code] = text
        value: Value = frozenset(codes) if question.type == "multiple_choice" else codes[0]
        return Answer(value, MappingProxyType(details))
    if question.type == "number":
        number = parse_number(values[0])
        if number is None:
            raise fail(Messages.whole_number if question.integer else Messages.number)
        return Answer(int(number) if number.is_integer() else number)
    return Answer(values[0])


def check_answers(
    questionnaire: Questionnaire,
    role: str | None,
    answers: Mapping[str, Answer],
    questions: Iterable[Question] | None = None,
) -> list[AnswerError]:
    """Every rule the answers break, for the given questions (default: all of them).

    Visibility is decided on all answers, so a page is checked in the light of earlier
    pages; answers to questions the respondent cannot see are errors here, and callers that
    want to drop them silently use ``visibility.prune_hidden`` first."""
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
                    errors.append(AnswerError(answer_id, Messages.hidden))
                continue
            if answer is None:
                if question.required:
                    message = question.required_message or Messages.required
                    errors.append(AnswerError(answer_id, str(message)))
                continue
            errors += _check_one(question, answer_id, answer)
    return errors


def _check_one(question: Question, answer_id: str, answer: Answer) -> list[AnswerError]:
    value = answer.value
    if question.scale is not None:
        scale = question.scale
        if value in scale.not_scored_codes or (isinstance(value, int) and value in scale.values):
            return []
        return [AnswerError(answer_id, Messages.scale.format(low=scale.low, high=scale.high))]
    if question.choices:
        return _check_choices(question, answer_id, answer)
    if question.type == "number":
        problems = range_problems(value, question.min, question.max, integer=question.integer)
        return [AnswerError(answer_id, m) for m in problems]
    limit = question.max_length
    if limit is not None and isinstance(value, str) and len(value) > limit:
        return [AnswerError(answer_id, Messages.too_long.format(n=limit, length=len(value)))]
    return []


def _check_choices(question: Question, answer_id: str, answer: Answer) -> list[AnswerError]:
    multiple = question.type == "multiple_choice"
    if isinstance(answer.value, frozenset) != multiple:
        return [AnswerError(answer_id, Messages.choose_one)]  # a set for single, or vice versa
    codes = answer.value if isinstance(answer.value, frozenset) else {answer.value}
    chosen: list[Choice] = [c for c in question.choices if c.code in codes]
    if len(chosen) != len(codes) or not chosen:
        return [AnswerError(answer_id, Messages.choose_one)]
    errors: list[AnswerError] = []
    if len(chosen) > 1:
        for choice in chosen:
            if choice.exclusive:
                message = Messages.exclusive.format(label=choice.label)
                errors.append(AnswerError(answer_id, message))
    if question.max_choices is not None and len(chosen) > question.max_choices:
        n = question.max_choices
        message = Messages.too_many_one if n == 1 else Messages.too_many.format(n=n)
        errors.append(AnswerError(answer_id, message))
    for code in answer.details:
        choice = question.choice(code)
        if code not in codes or choice is None or choice.specify is None:
            errors.append(AnswerError(answer_id, Messages.hidden, code))
    for choice in chosen:
        if choice.specify is not None:
            errors += _check_specify(answer_id, choice, choice.specify, answer.details)
    return errors


def _check_specify(
    answer_id: str, choice: Choice, specify: Specify, details: Mapping[str, Detail]
) -> list[AnswerError]:
    detail = details.get(choice.code)
    if detail is None or detail == "":
        if not specify.required:
            return []
        template = Messages.specify_number if specify.kind == "number" else Messages.specify_text
        return [AnswerError(answer_id, template.format(label=choice.label), choice.code)]
    if specify.kind == "number":
        problems = range_problems(detail, specify.min, specify.max)
        return [AnswerError(answer_id, m, choice.code) for m in problems]
    if (
        specify.max_length is not None
        and isinstance(detail, str)
        and len(detail) > specify.max_length
    ):
        message = Messages.too_long.format(n=specify.max_length, length=len(detail))
        return [AnswerError(answer_id, message, choice.code)]
    return []


def range_problems(
    value: object, low: float | None, high: float | None, *, integer: bool = False
) -> list[str]:
    """What is wrong with a number given for a range (a number question, a "specify")."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return [Messages.number]
    if integer and not float(value).is_integer():
        return [Messages.whole_number]
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            return [Messages.between.format(low=format_number(low), high=format_number(high))]
        if low is not None:
            return [Messages.at_least.format(low=format_number(low))]
        return [Messages.at_most.format(high=format_number(high))]  # type: ignore[arg-type]
    return []
