"""Responses in and out of a round as files: paper forms typed into CSV, and exports."""

from __future__ import annotations

import csv
import io
from typing import IO

import sqlite_utils

from survey.accounts import Account
from survey.errors import InvalidInput
from survey.operations.access import require_manager
from survey.responses_csv import export_table, read_responses
from survey.spreadsheet import write_workbook
from survey.storage import responses
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.rounds import get_round
from survey.storage.users import audit

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def import_responses(db: sqlite_utils.Database, actor: Account, round_id: int, data: bytes) -> int:
    """Store every row of a responses CSV, or none: CsvProblems (InvalidInput) lists each
    row's problems by the web form's own rules. Returns how many responses were stored."""
    require_manager(actor)
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    respondents = None if round_.anonymous else responses.respondents_of(db, round_id)
    imported = read_responses(data, questionnaire, respondents=respondents)
    count = responses.import_responses(db, questionnaire, round_id, imported)
    audit(db, actor.email, "responses imported", f"round {round_id}: {count} responses")
    return count


def export_responses(
    db: sqlite_utils.Database,
    actor: Account,
    round_id: int,
    fmt: str,
    target: IO[bytes],
    *,
    excel: bool = True,
) -> int:
    """Write the round's submitted responses to ``target`` as CSV or as an Excel workbook.
    CSV is UTF-8; for Excel (``excel``) with a BOM, so it reads æøå, and CRLF line ends,
    else (a pipe) plain lines. Raw responses carry
    identities in invited rounds, so this is an admin's act and is audited. Returns how
    many responses were written."""
    require_manager(actor)
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    submitted = responses.submitted_responses(db, questionnaire, round_id)
    if fmt == "xlsx":
        write_workbook(questionnaire, submitted, target, identity=not round_.anonymous)
    else:
        text = io.StringIO()
        table = export_table(questionnaire, submitted, identity=not round_.anonymous)
        csv.writer(text, lineterminator="\r\n" if excel else "\n").writerows(table)
        target.write(text.getvalue().encode("utf-8-sig" if excel else "utf-8"))
    audit(db, actor.email, "responses exported", f"round {round_id} as {fmt}")
    return len(submitted)
