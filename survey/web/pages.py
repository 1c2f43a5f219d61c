"""Between a page's HTML form and the core's answers: field names, raw values, parsing.

Field names are the answer ids themselves (``q5``, ``m_med_1``); the text or number of a
"specify" option is ``<answer id>__<code>``. Keeping the submitted strings (not parsed
values) for re-display means a respondent sees exactly what they typed after an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache, singledispatch

from werkzeug.datastructures import MultiDict

from survey.questionnaire.answers import Answer, AnswerError, ParseError, parse_answer
from survey.questionnaire.loader import LoadResult
from survey.questionnaire.model import (
    ChoiceQuestion,
    LikertMatrixQuestion,
    LikertQuestion,
    LongTextQuestion,
    NumberQuestion,
    Page,
    Question,
    Scale,
    Text,
    TextQuestion,
)
from survey.questionnaire.problems import Problem as LintProblem


def detail_field(answer_id: str, code: str) -> str:
    return f"{answer_id}__{code}"


@dataclass
class PageInput:
    """What one submission of a page holds: raw strings, parsed answers, parse errors."""

    raw: dict[str, list[str]] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    blank: set[str] = field(default_factory=set)
    errors: list[AnswerError] = field(default_factory=list)


def read_page(questions: list[Question], form: MultiDict[str, str]) -> PageInput:
    page = PageInput()
    for question in questions:
        for answer_id in question.answer_ids:
            raw = form.getlist(answer_id)
            details = {
                c.code: form.get(detail_field(answer_id, c.code), "")
                for c in question.detail_choices
            }
            page.raw[answer_id] = raw
            page.details.update({detail_field(answer_id, k): v for k, v in details.items()})
            try:
                answer = parse_answer(question, answer_id, raw, details)
            except ParseError as exc:
                page.errors.append(exc.error)
                continue
            if answer is None:
                page.blank.add(answer_id)
            else:
                page.answers[answer_id] = answer
    return page


def raw_from_answers(
    questions: list[Question], answers: Mapping[str, Answer]
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Stored answers as the strings a form shows, for a page being revisited."""
    raw: dict[str, list[str]] = {}
    details: dict[str, str] = {}
    for question in questions:
        for answer_id in question.answer_ids:
            answer = answers.get(answer_id)
            if answer is None:
                continue
            value = answer.value
            raw[answer_id] = sorted(value) if isinstance(value, frozenset) else [_text(value)]
            for code, detail in answer.details.items():
                details[detail_field(answer_id, code)] = _text(detail)
    return raw, details


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


SUMMARY_NAME_LENGTH = 80
"""Characters of a question's text an error summary names it by before cutting it short."""


@dataclass(frozen=True)
class Problem:
    """One line of a page's error summary: the input its link moves focus to, and what is
    wrong, naming the question (a matrix's statement) so two alike messages can be told
    apart."""

    target: str
    question: str  # its text, cut short, with a colon unless it ends in a stop
    message: str


def error_summary(questions: list[Question], errors: Mapping[str, AnswerError]) -> list[Problem]:
    """The summary's lines in the order of the page, one per field that is wrong (with the
    message shown beside it), each as "<question> <message>": "Hvor gammel er du? Du må
    svare på dette spørsmålet." (a colon after a name that ends without a stop)."""
    problems = []
    shown = {aid for question in questions for aid in question.answer_ids}
    for question in questions:
        names = {item.id: item.text for item in question.items}
        for answer_id in question.answer_ids:
            error = errors.get(answer_id)
            if error is None:
                continue
            name = _shortened(str(names.get(answer_id, question.text)))
            stop = "" if name.endswith(("?", ".", "!", ":", "…")) else ":"
            target = (
                answer_id if error.detail_of is None else detail_field(answer_id, error.detail_of)
            )
            problems.append(Problem(target, name + stop, error.message))
    # an answer of no question on the page (never expected): still say what is wrong
    problems += [Problem(aid, "", e.message) for aid, e in errors.items() if aid not in shown]
    return problems


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SUMMARY_NAME_LENGTH:
        return text
    cut = text[: SUMMARY_NAME_LENGTH - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:–-— ") + "…"


def visible_on(page: Page, visible: list[Question]) -> list[Question]:
    ids = {q.id for q in visible}
    return [q for q in page.questions if q.id in ids]


@lru_cache(maxsize=256)
def radio_points(scale: Scale) -> tuple[tuple[str, str, Text | None], ...]:
    """Per point of the scale: its value as the form sends it, the suffix of its input's id
    (none for the first, which carries the answer id itself) and its label. Worked out once
    per scale rather than per radio button: a 40-item page has 240 of them."""
    return tuple(
        (str(value), "" if i == 0 else f"-{value}", scale.labels.get(value))
        for i, value in enumerate(scale.values)
    )


@singledispatch
def widget(question: Question) -> str:
    """The name of the macro in ``respond/question.html`` that draws the question."""
    raise TypeError(f"no widget for a question of type {question.type!r}")


@widget.register
def _(question: LikertQuestion) -> str:
    return "scale"


@widget.register
def _(question: LikertMatrixQuestion) -> str:
    return "matrix"


@widget.register
def _(question: ChoiceQuestion) -> str:
    return "options"  # radio buttons, or checkboxes if several may be chosen


@widget.register
def _(question: NumberQuestion) -> str:
    return "number"


@widget.register
def _(question: TextQuestion) -> str:
    return "line"


@widget.register
def _(question: LongTextQuestion) -> str:
    return "box"


def annotated(result: LoadResult) -> list[tuple[int, str, list[LintProblem]]]:
    """Source lines with the linter's problems found on each, for showing them side by
    side (the upload page, the editor). A problem past the last line (a file that ends
    inside a list, say) gets a row of its own, empty, so every problem in the summary
    links to a row that shows it."""
    lines = result.text.splitlines()
    by_line: dict[int, list[LintProblem]] = {}
    for problem in result.problems:
        by_line.setdefault(max(1, problem.position.line), []).append(problem)
    past_the_end = sorted(number for number in by_line if number > len(lines))
    return [
        (number, line, by_line.get(number, [])) for number, line in enumerate(lines, start=1)
    ] + [(number, "", by_line[number]) for number in past_the_end]
