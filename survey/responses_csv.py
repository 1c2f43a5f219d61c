"""Responses as a table: one row per respondent, one column per answer id.

Paper forms typed in by the secretariat and data moved between rounds use this format.
Likert answers are numbers (or a not-scored code such as ``vet_ikke``), single choice a
code, multiple choice codes joined by ';', and the text or number attached to a chosen
"specify" option goes in ``<id>_detail``; blank means not answered. Every row is held to
the web form's rules (``answers.parse_answer`` and ``check_answers``), and one bad row
means nothing is imported. A returned form is not a form being filled in, though: unless
``strict``, a blank required answer is counted, not refused, and an answer to a question
the form said to skip is kept aside (``check_answers(returned_form=True)``). Pure: no Flask
or SQLite.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import Enum
from functools import singledispatch
from typing import Final, NamedTuple

from survey.csvfile import CsvProblems, RowProblem, decode, read_records, separator_of
from survey.gc_pause import paused_gc
from survey.questionnaire.answers import (
    Answer,
    Messages,
    ParseError,
    blank_details,
    check_answers,
    parse_answer,
)
from survey.questionnaire.model import (
    ChoiceQuestion,
    MultipleChoiceQuestion,
    Question,
    Questionnaire,
    SingleChoiceQuestion,
    TextQuestion,
)
from survey.questionnaire.visibility import answers_to, stated_role, visible_questions
from survey.records import ImportedResponse, Respondent

IDENTITY = ("email",)
# A personal link's token opens and changes that person's answers, so it never travels in a
# file: exports name invited respondents by e-mail (the admin invited them by it), and an
# import that carries tokens is refused with a pointer to the e-mail column.
SECRET_IDENTITY = "token"
CONTEXT = ("role", "unit")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float  # a table cell before it is written out; "" is no answer


def answer_columns(questionnaire: Questionnaire) -> list[str]:
    columns: list[str] = []
    for question in questionnaire.questions:
        columns += list(question.answer_ids)
        if question.detail_choices:
            columns.append(f"{question.id}_detail")
    return columns


def neutralise(text: str) -> str:
    """Stop spreadsheets from running a text as a formula; ``restore`` undoes it exactly."""
    return "'" + text if text.startswith((*FORMULA_START, "'")) else text


def restore(text: str) -> str:
    if text.startswith("'") and text[1:].startswith((*FORMULA_START, "'")):
        return text[1:]
    return text


@singledispatch
def answer_values(question: Question, answers: Mapping[str, Answer]) -> dict[str, Cell]:
    """The cells of one question for one respondent, numbers kept as numbers ('' for no
    answer). Free text is neutralised; codes and numbers never need to be."""
    return {answer_id: _value(answers.get(answer_id)) for answer_id in question.answer_ids}


@answer_values.register
def _(question: TextQuestion, answers: Mapping[str, Answer]) -> dict[str, Cell]:
    cell = _value(answers.get(question.id))
    return {question.id: neutralise(cell) if isinstance(cell, str) else cell}


@answer_values.register
def _(question: SingleChoiceQuestion, answers: Mapping[str, Answer]) -> dict[str, Cell]:
    return {question.id: _value(answers.get(question.id)), **_detail_cell(question, answers)}


@answer_values.register
def _(question: MultipleChoiceQuestion, answers: Mapping[str, Answer]) -> dict[str, Cell]:
    answer = answers.get(question.id)
    codes = answer.value if answer else None
    if isinstance(codes, frozenset):
        cell: Cell = ";".join(c for c in question.codes if c in codes)
    else:
        cell = _value(answer)
    return {question.id: cell, **_detail_cell(question, answers)}


def _value(answer: Answer | None) -> Cell:
    """The cell of an answer that is one point, number, code or text ('' for none)."""
    value = answer.value if answer else None
    return "" if value is None or isinstance(value, frozenset) else value


def _detail_cell(question: ChoiceQuestion, answers: Mapping[str, Answer]) -> dict[str, Cell]:
    """The ``<id>_detail`` cell of a question with a "specify" option: the detail given."""
    if not question.detail_choices:
        return {}
    answer = answers.get(question.id)
    details = list(answer.details.values()) if answer else []
    detail = details[0] if details else ""
    return {f"{question.id}_detail": neutralise(detail) if isinstance(detail, str) else detail}


def answer_cells(question: Question, answers: Mapping[str, Answer]) -> dict[str, str]:
    """The cells of one question for one respondent (empty strings for no answer)."""
    return {k: as_text(v) for k, v in answer_values(question, answers).items()}


def as_text(cell: Cell) -> str:
    """A cell as the CSV export writes it: 5, 12.5, never 5.0."""
    if isinstance(cell, str):
        return cell
    return str(cell) if isinstance(cell, int) else _number(cell)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def read_responses(
    data: bytes,
    questionnaire: Questionnaire,
    *,
    respondents: Mapping[str, Respondent] | None,
    strict: bool = False,
) -> list[ImportedResponse]:
    """Every row checked by the web form's rules, or CsvProblems listing each problem.

    ``respondents`` maps the (lower-case) e-mails of an invited round to the invitation;
    None means an anonymous round, where rows carry no identity. ``strict`` holds each row
    to the rules of a form being filled in (every required question answered, nothing
    answered that the form said to skip); otherwise those are reported on each response
    (``unanswered``, ``set_aside``) and the rest of the rules still refuse the file."""
    digest = hashlib.sha256(data).hexdigest()
    text = decode(data)
    records, unreadable = read_records(text, separator_of(text))
    if unreadable is not None:
        raise CsvProblems([RowProblem(unreadable, "", "unreadable row (is a '\"' never closed?)")])
    if len(records) < 2:
        raise CsvProblems([RowProblem(0, "", "the file has no responses in it")])
    header = [cell.lower() for cell in records[0].cells]
    problems: list[RowProblem] = []
    known = set(answer_columns(questionnaire)) | set(IDENTITY) | set(CONTEXT)
    identity = next((c for c in IDENTITY if c in header), None)
    if SECRET_IDENTITY in header:
        problems.append(
            RowProblem(
                1,
                SECRET_IDENTITY,
                "personal links' tokens are not taken from files (they open a person's "
                "answers); name respondents in an 'email' column",
            )
        )
    elif respondents is not None and identity is None:
        problems.append(RowProblem(1, "", "an invited round needs an 'email' column"))
    if respondents is None and identity is not None:
        problems.append(RowProblem(1, identity, "an anonymous round takes no identity column"))
    if problems:
        raise CsvProblems(problems)
    reader = _RowReader(questionnaire, identity, respondents, header, known, strict=strict)
    imported: list[ImportedResponse] = []
    seen: dict[str, int] = {}
    with paused_gc():  # 50,000 rows of answers, and not one reference cycle among them
        for record in records[1:]:
            if len(record.cells) > len(header):
                problems.append(
                    RowProblem(
                        record.row,
                        "",
                        f"{len(record.cells)} cells, but the header has {len(header)} columns",
                    )
                )
                continue
            cells = dict(
                zip(header, record.cells + [""] * (len(header) - len(record.cells)), strict=False)
            )
            row_problems, response = reader.read(record.row, cells, f"{digest}:{record.row}")
            if response is not None and response.respondent is not None:
                assert identity is not None  # a row names its respondent in that column
                key = response.respondent.key
                if key in seen:
                    row_problems.append(
                        RowProblem(
                            record.row,
                            identity,
                            f"value {cells[identity]}: also on row {seen[key]}",
                        )
                    )
                seen.setdefault(key, record.row)
            problems += row_problems
            if response is not None:
                imported.append(response)
    if problems:
        raise CsvProblems(problems)
    return imported


def read_form(
    questionnaire: Questionnaire,
    cells: Mapping[str, str],
    *,
    respondent: Respondent | None,
    source: str,
) -> tuple[list[RowProblem], ImportedResponse | None]:
    """One returned form typed in (``keying``), read as one row of a responses file by the
    same reader and rules: its cells by column (answer ids, ``<id>_detail``, ``role``,
    ``unit``, attribute ids), for ``respondent`` (an invited round) or nobody (anonymous).
    ``source`` names the form, as "<file digest>:<row>" names an imported row."""
    header = [column.lower() for column in cells]
    known = set(answer_columns(questionnaire)) | set(IDENTITY) | set(CONTEXT)
    if respondent is not None:
        header.append("email")
        cells = {**cells, "email": respondent.key}
    reader = _RowReader(
        questionnaire,
        "email" if respondent is not None else None,
        {respondent.key: respondent} if respondent is not None else None,
        header,
        known,
    )
    return reader.read(1, {k.lower(): v for k, v in cells.items()}, source)


class _Unseen(Enum):
    """A Likert cell not parsed before (None is a cell parsed as no answer)."""

    UNSEEN = 0


_UNSEEN: Final = _Unseen.UNSEEN


class _RowReader:
    """One file's rows to responses. What is the same for every row (the columns of each
    question, the extra columns kept as attributes) is worked out once, and a Likert cell
    is parsed once per distinct value in its column (~8): answers are immutable, so rows
    with the same cell share one. ``check_answers`` still runs on every row."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        identity: str | None,
        respondents: Mapping[str, Respondent] | None,
        header: list[str],
        known: set[str],
        *,
        strict: bool = False,
    ):
        self.strict = strict
        self.questionnaire = questionnaire
        self.identity = identity
        self.respondents = respondents
        self.extra = [column for column in dict.fromkeys(header) if column not in known]
        self.columns: list[_Column] = []
        likert = {item.id for item in questionnaire.items}
        for question in questionnaire.questions:
            specify = tuple(c.code for c in question.detail_choices)
            detail_column = f"{question.id}_detail" if specify else None
            strings = _strings.dispatch(type(question))
            for answer_id in question.answer_ids:
                self.columns.append(
                    _Column(
                        question, answer_id, detail_column, specify, strings, answer_id in likert
                    )
                )
        self.likert_cells: dict[tuple[str, str], Answer | None] = {}

    def read(
        self, row: int, cells: dict[str, str], source: str
    ) -> tuple[list[RowProblem], ImportedResponse | None]:
        questionnaire, identity, respondents = self.questionnaire, self.identity, self.respondents
        problems: list[RowProblem] = []

        def problem(column: str, reason: str) -> None:
            problems.append(
                RowProblem(row, column, f"value {cells.get(column, '')!r}: {reason}", reason=reason)
            )

        respondent = None
        if identity is not None and respondents is not None:
            key = restore(cells.get(identity, "").strip())  # an e-mail may start with "-"
            key = key.lower() if identity == "email" else key
            respondent = respondents.get(key)
            if respondent is None:
                problem(identity, f"no invitation in this round has this {identity}")
        answers: dict[str, Answer] = {}
        unparsed: set[str] = set()
        likert_cells = self.likert_cells
        for answer_column in self.columns:
            answer_id, likert = answer_column.answer_id, answer_column.likert
            raw = cells.get(answer_id, "")
            answer = (
                likert_cells.get((answer_id, raw), _UNSEEN)  # parsed the same cell before?
                if likert
                else _UNSEEN
            )
            if answer is _UNSEEN:
                try:
                    answer = self._parse(answer_column, raw, cells)
                except ParseError as exc:
                    problem(answer_id, exc.error.message)
                    unparsed.add(answer_id)
                    continue
                if likert:
                    likert_cells[answer_id, raw] = answer
            if answer is not None:
                answers[answer_id] = answer
        given_role = respondent.role if respondent else cells.get("role") or None
        if given_role is not None and questionnaire.role(given_role) is None:
            # the audience of every question hangs on it: a row whose role is unknown
            # cannot be checked, and kept aside it would lose everything
            roles = ", ".join(r.code for r in questionnaire.roles)
            problem("role", f"unknown role (valid roles: {roles})")
        values = {answer_id: answer.value for answer_id, answer in answers.items()}
        role = stated_role(questionnaire, values, given_role)
        returned_form = not self.strict
        for error in check_answers(questionnaire, role, answers, returned_form=returned_form):
            if error.answer_id in unparsed:
                continue  # already reported as unreadable
            column = error.answer_id if not error.detail_of else f"{error.answer_id}_detail"
            reason = error.message
            if reason == Messages.hidden:
                reason = f"not asked of a respondent with role {role!r} (audience or show_if)"
            problem(column, reason)
        attributes = {restore(k): restore(cells[k]) for k in self.extra if cells[k]}
        unit = respondent.unit if respondent else restore(cells.get("unit", "")) or None
        set_aside: dict[str, Answer] = {}
        unanswered: tuple[str, ...] = ()
        if returned_form:
            # hiding cascades over shown answers only, so what is shown is the same with
            # or without the answers kept aside: one pass decides both
            shown = visible_questions(questionnaire, role, values)
            kept = answers_to(shown, answers)
            set_aside = {k: a for k, a in answers.items() if k not in kept}
            answers = kept
            unanswered = tuple(
                answer_id
                for question in shown
                for answer_id in question.answer_ids
                if answer_id not in answers and answer_id not in unparsed
            ) + tuple(
                f"{question.id}_detail"
                for question in shown
                if question.detail_choices
                and question.id in answers
                and blank_details(question, answers[question.id])
            )
        response = ImportedResponse(
            row, answers, role, unit, attributes, respondent, source, set_aside, unanswered
        )
        return problems, response

    @staticmethod
    def _parse(column: _Column, raw: str, cells: dict[str, str]) -> Answer | None:
        """``parse_answer`` on one cell (and its detail cell); raises ParseError."""
        question = column.question
        details: dict[str, str] = {}
        if column.detail_column is not None:
            detail = restore(cells.get(column.detail_column, ""))
            details = {code: detail for code in column.specify}
        answer = parse_answer(question, column.answer_id, column.strings(question, raw), details)
        if answer is None or not answer.details:
            return answer
        # a detail belongs to the one chosen option that asks for it
        chosen = question.chosen(answer.value)
        kept = {k: v for k, v in answer.details.items() if k in chosen}
        return Answer(answer.value, kept)


class _Column(NamedTuple):
    """One answer column of a file, and what reading its cells takes."""

    question: Question
    answer_id: str
    detail_column: str | None  # "<question id>_detail", if an option asks for a detail
    specify: tuple[str, ...]  # the codes of those options
    strings: Callable[[Question, str], list[str]]  # ``_strings`` for the question's type
    likert: bool  # a Likert item's: parsed once per distinct cell


@singledispatch
def _strings(question: Question, cell: str) -> list[str]:
    """What a cell holds as the strings a form would send for the question: one, as it is
    (codes and numbers are never neutralised)."""
    return [cell]


@_strings.register
def _(question: MultipleChoiceQuestion, cell: str) -> list[str]:
    return cell.split(";")


@_strings.register
def _(question: TextQuestion, cell: str) -> list[str]:
    return [restore(cell)]


ExportRow = tuple[str | None, str | None, str | None, Mapping[str, str], Mapping[str, Answer]]


def export_rows(
    questionnaire: Questionnaire,
    rows: Sequence[ExportRow],
    *,
    identity: bool,
    cells: Callable[[Question, Mapping[str, Answer]], dict[str, Cell]] = answer_values,
) -> Iterator[list[Cell]]:
    """export_table's header and rows, with numbers kept as numbers (for spreadsheets);
    ``cells`` gives one question's cells, in ``answer_columns`` order."""
    attribute_names = sorted({name for _, _, _, attrs, _ in rows for name in attrs})
    # a singledispatch ``cells`` picks its function by type once per question, not per row
    dispatch = getattr(cells, "dispatch", None)
    per_question = [
        (question, cells if dispatch is None else dispatch(type(question)))
        for question in questionnaire.questions
    ]
    header: list[Cell] = ["email"] if identity else []
    header += ["role", "unit"]
    header += [neutralise(name) for name in attribute_names]
    header += answer_columns(questionnaire)
    yield header
    for email, role, unit, attributes, answers in rows:
        # e-mails, units and attributes come from invitation lists: all text a spreadsheet
        # could take for a formula, so neutralised like answers
        line: list[Cell] = [neutralise(email or "")] if identity else []
        line += [role or "", neutralise(unit or "")]
        line += [neutralise(attributes.get(name, "")) for name in attribute_names]
        for question, cells_of_type in per_question:
            line += list(cells_of_type(question, answers).values())
        yield line


def export_table(
    questionnaire: Questionnaire, rows: Sequence[ExportRow], *, identity: bool
) -> list[list[str]]:
    """Header and rows: (email, role, unit, attributes, answers) per submitted response."""
    with paused_gc():
        return [
            [as_text(cell) for cell in line]
            for line in export_rows(questionnaire, rows, identity=identity)
        ]


def export_csv(
    questionnaire: Questionnaire, rows: Sequence[ExportRow], *, identity: bool, excel: bool
) -> bytes:
    """The export as the bytes of a CSV file: UTF-8; for Excel (``excel``) with a BOM, so
    it reads æøå, and CRLF line ends, else (a pipe) plain lines."""
    text = io.StringIO()
    table = export_table(questionnaire, rows, identity=identity)
    csv.writer(text, lineterminator="\r\n" if excel else "\n").writerows(table)
    return text.getvalue().encode("utf-8-sig" if excel else "utf-8")
