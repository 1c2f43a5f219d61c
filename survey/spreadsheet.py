"""Responses as an Excel workbook: codes, labels and a codebook, for the secretariat.

"Svar (koder)" holds what the CSV export holds (``responses_csv.export_rows``), with numbers as
numbers and blank cells empty; "Svar (etiketter)" has the same rows with codes replaced by
the labels respondents saw, and keeps one type per column: a scale's answer stays a number
in its own column (blank for "vet ikke"), so it can be averaged, with its label beside it
in a column of text ("q5 (etikett)": "helt uenig", "Vet ikke"); "Kodebok" explains every
answer column. Every text
that could be read as a formula is neutralised as the CSV export does it; unlike the CSV,
that includes token, role, unit and attribute cells, which come from invitation lists.
Texts go in with ``write_string``, so none becomes a formula or a link whatever it holds.
Control characters, which an .xlsx file cannot hold, become U+FFFD, and line breaks LF (as
readers saw them when openpyxl wrote the file). Written by XlsxWriter in constant-memory
mode, so a national round streams to disk row by row, faster than openpyxl's write-only
mode (docs/performance.md; openpyxl still reads uploaded invitation lists).
Pure: no Flask or SQLite.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from functools import singledispatch
from os import PathLike
from typing import IO

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from survey.questionnaire.answers import Answer, format_number
from survey.questionnaire.model import (
    Choice,
    ChoiceQuestion,
    LikertMatrixQuestion,
    LikertQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Page,
    Question,
    Questionnaire,
    ScaleQuestion,
    SingleChoiceQuestion,
    TextQuestion,
)
from survey.responses_csv import (
    Cell,
    ExportRow,
    answer_columns,
    answer_values,
    export_rows,
    neutralise,
)

CODES_SHEET = "Svar (koder)"
LABELS_SHEET = "Svar (etiketter)"
CODEBOOK_SHEET = "Kodebok"
CODEBOOK_COLUMNS = (
    "id",
    "spørsmål",
    "type",
    "side",
    "målgruppe",
    "vises hvis",
    "koder og etiketter",
    "spesifiser",
)
CODEBOOK_WIDTHS = (14, 60, 18, 16, 22, 22, 30, 40)
REPLACEMENT = "\ufffd"  # for control characters an .xlsx file cannot hold
# openpyxl's own ILLEGAL_CHARACTERS_RE (a test keeps them equal), written out so that the
# web workers need not import openpyxl, which only reads uploaded lists, at start-up.
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def write_workbook(
    questionnaire: Questionnaire,
    responses: Sequence[ExportRow],
    target: str | PathLike[str] | IO[bytes],
    *,
    identity: bool,
) -> None:
    """Write the three sheets to ``target`` (a path or a binary file).

    ``responses`` is what ``storage.responses.submitted_responses`` returns; ``identity``
    False (anonymous rounds) leaves out the token column exactly as the CSV export does."""
    # constant_memory: each row goes to a temporary file as soon as the next one starts.
    # The workbook is built in a scratch directory of our own and closed even when writing
    # fails, so no temporary file or open handle outlives the call; only then is it copied.
    with tempfile.TemporaryDirectory(prefix="survey-xlsx-") as scratch:
        built = os.path.join(scratch, "svar.xlsx")
        with Workbook(built, {"constant_memory": True, "tmpdir": scratch}) as workbook:
            _write_sheets(workbook, questionnaire, responses, identity=identity)
        if isinstance(target, str | PathLike):
            shutil.copyfile(built, target)
        else:
            with open(built, "rb") as file:
                shutil.copyfileobj(file, target)


def _write_sheets(
    workbook: Workbook,
    questionnaire: Questionnaire,
    responses: Sequence[ExportRow],
    *,
    identity: bool,
) -> None:
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    codes = export_rows(questionnaire, responses, identity=identity)
    header = next(codes)

    sheet = _sheet(workbook, CODES_SHEET, header, bold)
    for number, line in enumerate(codes, start=1):
        _write_row(sheet, number, line)

    fixed = header[: len(header) - len(answer_columns(questionnaire))]  # role, unit, ...
    sheet = _sheet(workbook, LABELS_SHEET, fixed + label_columns(questionnaire), bold)
    role = header.index("role")
    labels = export_rows(questionnaire, responses, identity=identity, cells=label_values)
    next(labels)  # the same header
    for number, line in enumerate(labels, start=1):
        code = line[role]
        known = questionnaire.role(code) if isinstance(code, str) else None
        line[role] = neutralise(str(known.label)) if known is not None else code
        _write_row(sheet, number, line)

    sheet = _sheet(workbook, CODEBOOK_SHEET, CODEBOOK_COLUMNS, bold, widths=CODEBOOK_WIDTHS)
    for number, entry in enumerate(codebook(questionnaire), start=1):
        _write_row(sheet, number, [neutralise(text) for text in entry], wrap)


def _sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[Cell],
    bold: Format,
    widths: Sequence[int] = (),
) -> Worksheet:
    """A sheet with a bold header row that stays in view. The header comes neutralised,
    as export_rows and CODEBOOK_COLUMNS give it."""
    sheet = workbook.add_worksheet(title)
    sheet.freeze_panes(1, 0)
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    _write_row(sheet, 0, header, bold)
    return sheet


def _write_row(
    sheet: Worksheet, number: int, line: Sequence[Cell], style: Format | None = None
) -> None:
    """One row, its texts already neutralised: numbers as numbers, texts as texts (never
    a formula or a link) with control characters replaced, blank cells empty (and left
    out unless they carry a style)."""
    for column, cell in enumerate(line):
        if isinstance(cell, str) and cell:
            sheet.write_string(number, column, _text(cell), style)
        elif cell == "" or cell is None:
            if style is not None:
                sheet.write_blank(number, column, None, style)
        else:
            sheet.write_number(number, column, cell, style)


CELL_LIMIT = 32_767  # characters an Excel cell holds
CUT_NOTE = " […] (avkortet: hele teksten står i CSV-eksporten)"


def _text(text: str) -> str:
    """A text as an .xlsx file can hold it: no control character, line breaks as LF (XML
    parsers read CR LF and a lone CR as LF anyway; XlsxWriter would keep a CR as the
    escape "_x000D_", which Excel undoes but openpyxl and pandas do not), and no longer
    than a cell holds: XlsxWriter would cut it without a word, so the cut is said."""
    text = ILLEGAL_CHARACTERS.sub(REPLACEMENT, text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > CELL_LIMIT:
        text = text[: CELL_LIMIT - len(CUT_NOTE)] + CUT_NOTE
    return text


# labels


@singledispatch
def label_values(question: Question, answers: Mapping[str, Answer]) -> dict[str, Cell]:
    """``responses_csv.answer_values`` with codes replaced by labels: "Ja", "Ja; Nei" (multiple
    choice, in the questionnaire's order), "1 helt uenig" (a labelled scale point)."""
    return answer_values(question, answers)


@label_values.register
def _(question: SingleChoiceQuestion, answers: Mapping[str, Answer]) -> dict[str, Cell]:
    cells = answer_values(question, answers)
    answer = answers.get(question.id)
    if answer is not None and isinstance(answer.value, str):
        cells[question.id] = _choice_label(question.choices, answer.value)
    return cells


@label_values.register
def _(question: MultipleChoiceQuestion, answers: Mapping[str, Answer]) -> dict[str, Cell]:
    cells = answer_values(question, answers)
    answer = answers.get(question.id)
    if answer is not None and isinstance(answer.value, frozenset):
        labels = [str(c.label) for c in question.choices if c.code in answer.value]
        labels += sorted(answer.value - set(question.codes))  # codes no longer in the file
        cells[question.id] = neutralise("; ".join(labels))
    return cells


@label_values.register
def _(question: ScaleQuestion, answers: Mapping[str, Answer]) -> dict[str, Cell]:
    """A scale's point as a number and its label as text beside it: one type per column."""
    numbers = answer_values(question, answers)
    scale = question.scale
    cells: dict[str, Cell] = {}
    for answer_id in question.answer_ids:
        answer = answers.get(answer_id)
        value = answer.value if answer else None
        if isinstance(value, str):  # "vet ikke": no number
            cells[answer_id], label = "", _choice_label(scale.not_scored, value)
        elif isinstance(value, int | float):
            known = scale.labels.get(int(value)) if float(value).is_integer() else None
            cells[answer_id], label = value, neutralise(str(known)) if known is not None else ""
        else:
            cells[answer_id], label = numbers[answer_id], ""
        cells[label_column(answer_id)] = label
    return cells


def label_column(answer_id: str) -> str:
    """The text column beside a scale's numbers in "Svar (etiketter)"."""
    return f"{answer_id} (etikett)"


def label_columns(questionnaire: Questionnaire) -> list[Cell]:
    """``answer_columns`` of the labels sheet: each scale answer followed by its label."""
    columns: list[Cell] = []
    for question in questionnaire.questions:
        for answer_id in question.answer_ids:
            columns.append(answer_id)
            if isinstance(question, ScaleQuestion):
                columns.append(label_column(answer_id))
        if question.detail_choices:
            columns.append(f"{question.id}_detail")
    return columns


def _choice_label(choices: Sequence[Choice], code: str) -> str:
    choice = next((c for c in choices if c.code == code), None)
    return neutralise(str(choice.label) if choice is not None else code)


# codebook


def codebook(questionnaire: Questionnaire) -> list[list[str]]:
    """One row per answer id, in CODEBOOK_COLUMNS order (texts not yet neutralised)."""
    rows: list[list[str]] = []
    for page in questionnaire.pages:
        for question in page.questions:
            audience = _audience(questionnaire, page, question)
            show_if = _conditions(page.show_if_source, question.show_if_source)
            specify = _specify(question)
            codes = _codes(question)
            for answer_id, text, kind in _columns(question):
                rows.append([answer_id, text, kind, page.id, audience, show_if, codes, specify])
    return rows


@singledispatch
def _columns(question: Question) -> list[tuple[str, str, str]]:
    """Per answer id: its id, the text it answers and its type (and whether reversed)."""
    return [(question.id, str(question.text), question.type)]


@_columns.register
def _(question: LikertQuestion) -> list[tuple[str, str, str]]:
    return [(question.id, str(question.text), question.type + _reversed(question.reverse))]


@_columns.register
def _(question: LikertMatrixQuestion) -> list[tuple[str, str, str]]:
    return [
        (item.id, f"{question.text} – {item.text}", question.type + _reversed(item.reverse))
        for item in question.statements
    ]


def _reversed(reverse: bool) -> str:
    return " (reversert)" if reverse else ""


def _audience(questionnaire: Questionnaire, page: Page, question: Question) -> str:
    order = [r.code for r in questionnaire.roles]

    def roles(audience: frozenset[str]) -> str:
        return ", ".join(sorted(audience, key=lambda c: (order.index(c) if c in order else 99, c)))

    lines = []
    if page.audience:
        lines.append(f"{roles(page.audience)} (hele siden)")
    if question.audience:
        lines.append(roles(question.audience))
    return "\n".join(lines)


def _conditions(page: str | None, question: str | None) -> str:
    return "\n".join(
        [*([f"{page} (hele siden)"] if page else []), *([question] if question else [])]
    )


@singledispatch
def _codes(question: Question) -> str:
    """What the answer column holds: the codes and labels, or what kind of value."""
    raise TypeError(f"no codebook entry for a question of type {question.type!r}")


@_codes.register
def _(question: ScaleQuestion) -> str:
    scale = question.scale
    points = [f"{v} = {scale.labels[v]}" if v in scale.labels else str(v) for v in scale.values]
    return "\n".join(points + [f"{c.code} = {c.label}" for c in scale.not_scored])


@_codes.register
def _(question: ChoiceQuestion) -> str:
    return "\n".join(f"{c.code} = {c.label}" for c in question.choices)


@_codes.register
def _(question: NumberQuestion) -> str:
    return "tall" + _range(question.min, question.max, question.unit)


@_codes.register
def _(question: TextQuestion) -> str:
    return f"tekst, høyst {question.max_length} tegn" if question.max_length else "tekst"


def _specify(question: Question) -> str:
    lines = []
    for choice in question.detail_choices:
        spec = choice.specify
        if spec is None:
            continue
        kind = "tekst" if spec.kind == "text" else "tall" + _range(spec.min, spec.max, spec.unit)
        label = f" «{spec.label}»" if spec.label is not None else ""
        lines.append(f"{question.id}_detail: {kind}{label} når {choice.code} er valgt")
    return "\n".join(lines)


def _range(low: float | None, high: float | None, unit: str | None) -> str:
    if low is None and high is None:
        return f" ({unit})" if unit else ""
    span = (
        f"{'' if low is None else format_number(low)}–{'' if high is None else format_number(high)}"
    )
    return f" {span}" + (f" {unit}" if unit else "")
