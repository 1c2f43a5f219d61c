"""Responses as a table: one row per respondent, one column per answer id.

Paper forms typed in by the secretariat and data moved between rounds use this format.
Likert answers are numbers (or a not-scored code such as ``vet_ikke``), single choice a
code, multiple choice codes joined by ';', and the text or number attached to a chosen
"specify" option goes in ``<id>_detail``; blank means not answered. Every row is held to
the web form's rules (``answers.parse_answer`` and ``check_answers``), and one bad row
means nothing is imported. Pure: no Flask or SQLite.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence

from survey.bulk import paused_gc
from survey.csvfile import CsvProblems, RowProblem, decode, read_records, separator_of
from survey.questionnaire.answers import Answer, Messages, ParseError, check_answers, parse_answer
from survey.questionnaire.model import Question, Questionnaire
from survey.questionnaire.visibility import stated_role
from survey.records import ImportedResponse, Respondent

IDENTITY = ("token", "email")
CONTEXT = ("role", "unit")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float  # a table cell before it is written out; "" is no answer


def answer_columns(questionnaire: Questionnaire) -> list[str]:
    columns: list[str] = []
    for question in questionnaire.questions:
        columns += list(question.answer_ids)
        if any(c.specify is not None for c in question.choices):
            columns.append(f"{question.id}_detail")
    return columns


def neutralise(text: str) -> str:
    """Stop spreadsheets from running a text as a formula; ``restore`` undoes it exactly."""
    return "'" + text if text.startswith((*FORMULA_START, "'")) else text


def restore(text: str) -> str:
    if text.startswith("'") and text[1:].startswith((*FORMULA_START, "'")):
        return text[1:]
    return text


def answer_values(question: Question, answers: Mapping[str, Answer]) -> dict[str, Cell]:
    """The cells of one question for one respondent, numbers kept as numbers ('' for no
    answer). Free text is neutralised; codes and numbers never need to be."""
    cells: dict[str, Cell] = {}
    for answer_id in question.answer_ids:
        answer = answers.get(answer_id)
        value = answer.value if answer else None
        if isinstance(value, frozenset):
            cells[answer_id] = ";".join(c for c in question.codes if c in value)
        elif value is None:
            cells[answer_id] = ""
        elif isinstance(value, str) and question.type in ("text", "long_text"):
            cells[answer_id] = neutralise(value)
        else:
            cells[answer_id] = value
    if any(c.specify is not None for c in question.choices):
        answer = answers.get(question.id)
        details = list(answer.details.values()) if answer else []
        detail = details[0] if details else ""
        cells[f"{question.id}_detail"] = neutralise(detail) if isinstance(detail, str) else detail
    return cells


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
) -> list[ImportedResponse]:
    """Every row checked by the web form's rules, or CsvProblems listing each problem.

    ``respondents`` maps tokens and e-mails of an invited round to the invitation;
    None means an anonymous round, where rows carry no identity."""
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
    if respondents is not None and identity is None:
        problems.append(RowProblem(1, "", "an invited round needs a 'token' or 'email' column"))
    if respondents is None and identity is not None:
        problems.append(RowProblem(1, identity, "an anonymous round takes no identity column"))
    if problems:
        raise CsvProblems(problems)
    reader = _RowReader(questionnaire, identity, respondents, header, known)
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
                key = response.respondent.key
                if key in seen:
                    row_problems.append(
                        RowProblem(
                            record.row,
                            identity or "",
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


_UNSEEN = object()


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
    ):
        self.questionnaire = questionnaire
        self.identity = identity
        self.respondents = respondents
        self.extra = [column for column in dict.fromkeys(header) if column not in known]
        self.columns: list[tuple[Question, str, str | None, tuple[str, ...]]] = []
        for question in questionnaire.questions:
            specify = tuple(c.code for c in question.choices if c.specify is not None)
            detail_column = f"{question.id}_detail" if specify else None
            for answer_id in question.answer_ids:
                self.columns.append((question, answer_id, detail_column, specify))
        self.likert_cells: dict[tuple[str, str], Answer | None] = {}

    def read(
        self, row: int, cells: dict[str, str], source: str
    ) -> tuple[list[RowProblem], ImportedResponse | None]:
        questionnaire, identity, respondents = self.questionnaire, self.identity, self.respondents
        problems: list[RowProblem] = []

        def problem(column: str, reason: str) -> None:
            problems.append(RowProblem(row, column, f"value {cells.get(column, '')!r}: {reason}"))

        respondent = None
        if identity is not None and respondents is not None:
            key = restore(cells.get(identity, "").strip())  # a token may start with "-"
            key = key.lower() if identity == "email" else key
            respondent = respondents.get(key)
            if respondent is None:
                problem(identity, f"no invitation in this round has this {identity}")
        answers: dict[str, Answer] = {}
        unparsed: set[str] = set()
        likert_cells = self.likert_cells
        for question, answer_id, detail_column, specify in self.columns:
            raw = cells.get(answer_id, "")
            answer = (
                likert_cells.get((answer_id, raw), _UNSEEN)  # parsed the same cell before?
                if question.scale is not None
                else _UNSEEN
            )
            if answer is _UNSEEN:
                try:
                    answer = self._parse(question, answer_id, raw, cells, detail_column, specify)
                except ParseError as exc:
                    problem(answer_id, exc.error.message)
                    unparsed.add(answer_id)
                    continue
                if question.scale is not None:
                    likert_cells[answer_id, raw] = answer
            if answer is not None:
                answers[answer_id] = answer  # type: ignore[assignment]
        role = stated_role(
            questionnaire,
            {answer_id: answer.value for answer_id, answer in answers.items()},
            respondent.role if respondent else cells.get("role") or None,
        )
        for error in check_answers(questionnaire, role, answers):
            if error.answer_id in unparsed:
                continue  # already reported as unreadable
            column = error.answer_id if not error.detail_of else f"{error.answer_id}_detail"
            reason = error.message
            if reason == Messages.hidden:
                reason = f"not asked of a respondent with role {role!r} (audience or show_if)"
            problem(column, reason)
        attributes = {restore(k): restore(cells[k]) for k in self.extra if cells[k]}
        unit = respondent.unit if respondent else restore(cells.get("unit", "")) or None
        response = ImportedResponse(row, answers, role, unit, attributes, respondent, source)
        return problems, response

    @staticmethod
    def _parse(
        question: Question,
        answer_id: str,
        raw: str,
        cells: dict[str, str],
        detail_column: str | None,
        specify: tuple[str, ...],
    ) -> Answer | None:
        """``parse_answer`` on one cell (and its detail cell); raises ParseError."""
        values = raw.split(";") if question.type == "multiple_choice" else [raw]
        if question.type in ("text", "long_text"):
            values = [restore(raw)]
        details: dict[str, str] = {}
        if detail_column is not None:
            detail = restore(cells.get(detail_column, ""))
            details = {code: detail for code in specify}
        answer = parse_answer(question, answer_id, values, details)
        if answer is None or not answer.details:
            return answer
        # a detail belongs to the one chosen option that asks for it
        chosen = answer.value if isinstance(answer.value, frozenset) else {answer.value}
        kept = {k: v for k, v in answer.details.items() if k in chosen}
        return Answer(answer.value, kept)


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
    header: list[Cell] = (["token"] if identity else []) + ["role", "unit"]
    header += [neutralise(name) for name in attribute_names]
    yield header + answer_columns(questionnaire)
    for token, role, unit, attributes, answers in rows:
        # tokens may start with '-'; units and attributes come from invitation lists: all
        # text a spreadsheet could take for a formula, so neutralised like answers
        line: list[Cell] = ([neutralise(token or "")] if identity else []) + [
            role or "",
            neutralise(unit or ""),
        ]
        line += [neutralise(attributes.get(name, "")) for name in attribute_names]
        for question in questionnaire.questions:
            line += list(cells(question, answers).values())
        yield line


def export_table(
    questionnaire: Questionnaire, rows: Sequence[ExportRow], *, identity: bool
) -> list[list[str]]:
    """Header and rows: (token, role, unit, attributes, answers) per submitted response."""
    with paused_gc():
        return [
            [as_text(cell) for cell in line]
            for line in export_rows(questionnaire, rows, identity=identity)
        ]
