"""Responses as an Excel workbook: codes, labels and a codebook, for the secretariat.

"Svar (koder)" holds what the CSV export holds (``transfer.export_rows``), with numbers as
numbers and blank cells empty; "Svar (etiketter)" has the same rows and columns with codes
replaced by the labels respondents saw; "Kodebok" explains every answer column. Every text
that could be read as a formula is neutralised as the CSV export does it (openpyxl would
store a text starting with '=' as a formula); unlike the CSV, that includes token, role,
unit and attribute cells, which come from invitation lists. Control characters, which an
.xlsx file cannot hold, become U+FFFD. Written in openpyxl's write-only mode, so a national
round (50,000 responses) streams to disk instead of being built in memory. Pure: no Flask
or SQLite.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike
from typing import IO, TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from survey.questionnaire.answers import Answer, format_number
from survey.questionnaire.model import Choice, Page, Question, Questionnaire
from survey.transfer import Cell, ExportRow, answer_values, export_rows, neutralise

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

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

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


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
    workbook = Workbook(write_only=True)
    codes = export_rows(questionnaire, responses, identity=identity)
    header = next(codes)

    sheet = _sheet(workbook, CODES_SHEET, header)
    for line in codes:
        sheet.append(_row(line))

    sheet = _sheet(workbook, LABELS_SHEET, header)
    role = header.index("role")
    labels = export_rows(questionnaire, responses, identity=identity, cells=label_values)
    next(labels)  # the same header
    for line in labels:
        known = questionnaire.role(line[role]) if isinstance(line[role], str) else None
        line[role] = neutralise(str(known.label)) if known is not None else line[role]
        sheet.append(_row(line))

    sheet = _sheet(workbook, CODEBOOK_SHEET, CODEBOOK_COLUMNS, widths=CODEBOOK_WIDTHS)
    for line in codebook(questionnaire):  # a small sheet: styling each cell costs nothing
        sheet.append([_cell(sheet, _text(text) or None, alignment=_WRAP) for text in line])
    workbook.save(target)


def _sheet(
    workbook: Workbook, title: str, header: Sequence[Cell], widths: Sequence[int] = ()
) -> WriteOnlyWorksheet:
    """A sheet with a bold header row that stays in view (column sizes must come first).
    The header comes neutralised, as export_rows and CODEBOOK_COLUMNS give it."""
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_cell(sheet, _text(name, neutralised=True), font=_BOLD) for name in header])
    return sheet


def _cell(sheet: WriteOnlyWorksheet, value: Cell, **style: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _row(line: list[Cell]) -> list[Cell | None]:
    """One response row: blank cells empty; every text is already neutralised by
    ``transfer.export_rows``."""
    return [None if cell == "" else _text(cell, neutralised=True) for cell in line]


def _text(cell: Cell, *, neutralised: bool = False) -> Cell:
    """A cell as openpyxl may store it: no formula (openpyxl makes any text starting with
    '=' one) and no control character (an .xlsx file cannot hold them)."""
    if not isinstance(cell, str):
        return cell
    text = cell if neutralised else neutralise(cell)
    return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, text)


# labels


def label_values(question: Question, answers: Mapping[str, Answer]) -> dict[str, Cell]:
    """``transfer.answer_values`` with codes replaced by labels: "Ja", "Ja; Nei" (multiple
    choice, in the questionnaire's order), "1 helt uenig" (a labelled scale point)."""
    cells = answer_values(question, answers)
    for answer_id in question.answer_ids:
        answer = answers.get(answer_id)
        value = answer.value if answer else None
        if isinstance(value, frozenset):
            labels = [str(c.label) for c in question.choices if c.code in value]
            labels += sorted(value - set(question.codes))  # codes no longer in the file
            cells[answer_id] = neutralise("; ".join(labels))
        elif isinstance(value, str) and question.type == "single_choice":
            cells[answer_id] = _choice_label(question.choices, value)
        elif question.scale is not None and isinstance(value, str):
            cells[answer_id] = _choice_label(question.scale.not_scored, value)
        elif question.scale is not None and isinstance(value, int | float):
            label = question.scale.labels.get(int(value)) if float(value).is_integer() else None
            cells[answer_id] = neutralise(f"{int(value)} {label}") if label is not None else value
    return cells


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
            for answer_id in question.answer_ids:
                text = str(question.text)
                kind = question.type
                item = next((i for i in question.items if i.id == answer_id), None)
                if item is not None and question.type == "likert_matrix":
                    text = f"{text} – {item.text}"
                if item is not None and item.reverse:
                    kind += " (reversert)"
                rows.append([answer_id, text, kind, page.id, audience, show_if, codes, specify])
    return rows


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


def _codes(question: Question) -> str:
    if question.scale is not None:
        scale = question.scale
        points = [f"{v} = {scale.labels[v]}" if v in scale.labels else str(v) for v in scale.values]
        return "\n".join(points + [f"{c.code} = {c.label}" for c in scale.not_scored])
    if question.choices:
        return "\n".join(f"{c.code} = {c.label}" for c in question.choices)
    if question.type == "number":
        return "tall" + _range(question.min, question.max, question.unit)
    return f"tekst, høyst {question.max_length} tegn" if question.max_length else "tekst"


def _specify(question: Question) -> str:
    lines = []
    for choice in question.choices:
        if choice.specify is None:
            continue
        spec = choice.specify
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
