"""Responses in and out of a round as files: paper forms typed into CSV, and exports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from survey.accounts import Account
from survey.errors import InvalidInput
from survey.operations.access import require_manager
from survey.questionnaire.model import Questionnaire
from survey.records import ImportedResponse
from survey.responses_csv import answer_columns, export_csv, read_responses
from survey.spreadsheet import write_workbook
from survey.storage import responses
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.rounds import get_round
from survey.storage.store import Store
from survey.storage.users import audit

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ImportSummary:
    """What an import of returned forms did, for the secretariat to check against the pile:
    per answer id, how many forms left it blank and how many answered it although the
    form said to skip it (those answers are kept aside: stored, never scored)."""

    stored: int  # responses that count
    held: int  # forms of people who answered on the web: held for the secretariat's choice
    unanswered: dict[str, int] = field(default_factory=dict)
    set_aside: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return self.stored + self.held

    def lines(self) -> list[str]:
        """The summary in English, for the command line: "q5: 19 unanswered"."""
        return [f"{item}: {n} unanswered" for item, n in self.unanswered.items()] + [
            f"{item}: {n} answered although the form said to skip it (kept aside, not scored)"
            for item, n in self.set_aside.items()
        ]

    def lines_nb(self) -> list[str]:
        """The same in bokmål, for the workspace: "q5: 19 ubesvart"."""
        return [f"{item}: {n} ubesvart" for item, n in self.unanswered.items()] + [
            f"{item}: {n} besvart selv om skjemaet sa hopp over (lagt til side, ikke med i "
            "resultatene)"
            for item, n in self.set_aside.items()
        ]


def import_responses(
    db: Store,
    actor: Account,
    round_id: int,
    data: bytes,
    *,
    strict: bool = False,
    channel: str = "import",
) -> ImportSummary:
    """Store every row of a responses CSV, or none: CsvProblems (InvalidInput) lists each
    row's problems by the web form's own rules (codes, ranges, roles) with row and column.

    Returned forms are taken as they are: a blank answer, required or not, is counted in
    the summary, and an answer the form said to skip is kept aside; ``strict`` refuses both,
    as a form being filled in would. ``channel`` is how the forms came in: ``import`` (a
    file), or ``paper`` (forms typed in by the secretariat). A form for someone who answered
    on the web is held for the secretariat to choose (``operations.channels``)."""
    require_manager(actor)
    if channel not in ("import", "paper"):
        raise InvalidInput(f"unknown channel {channel!r}; use import or paper")
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    respondents = None if round_.anonymous else responses.respondents_of(db, round_id)
    imported = read_responses(data, questionnaire, respondents=respondents, strict=strict)
    return store_forms(db, actor, round_id, questionnaire, imported, channel)


def store_forms(
    db: Store,
    actor: Account,
    round_id: int,
    questionnaire: Questionnaire,
    imported: list[ImportedResponse],
    channel: str,
) -> ImportSummary:
    """Store checked returned forms and say what came in (audited): the one way a file of
    forms and a form typed in (``operations.data_entry``) reach the round's responses, so
    a form of someone who answered on the web is held, never overwriting, either way."""
    stored = responses.import_responses(db, questionnaire, round_id, imported, channel=channel)
    order = {column: n for n, column in enumerate(answer_columns(questionnaire))}
    unanswered = Counter(a for r in imported for a in r.unanswered)
    aside = Counter(a for r in imported for a in r.set_aside)
    summary = ImportSummary(
        stored.stored,
        stored.held,
        {a: unanswered[a] for a in sorted(unanswered, key=order.__getitem__)},
        {a: aside[a] for a in sorted(aside, key=order.__getitem__)},
    )
    detail = f"round {round_id}: {summary.count} responses"
    detail += " typed in from paper" if channel == "paper" else ""
    if stored.held:
        detail += f", {stored.held} held beside web responses"
    audit(db, actor.email, "responses imported", detail)
    return summary


def export_responses(
    db: Store,
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
        target.write(
            export_csv(questionnaire, submitted, identity=not round_.anonymous, excel=excel)
        )
    audit(db, actor.email, "responses exported", f"round {round_id} as {fmt}")
    return len(submitted)
