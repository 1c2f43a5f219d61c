"""Fast data entry: a returned paper form typed in by the secretariat, one at a time.

The other edge of the import (``operations.responses``): a typed form becomes the cells of
one row of a responses file (``questionnaire.keying``), is read by the same reader and
rules (``responses_csv.read_form``: unanswered questions counted, answers the form said to
skip kept aside) and stored by the same operation (``store_forms``) with channel ``paper``,
so a form of someone who answered on the web is held for the secretariat to choose, never
overwriting their web answers. An invited round's form is named by its return code; an
anonymous round's carries the header fields written in by hand instead.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from survey.accounts import Account
from survey.errors import Conflict, InvalidInput
from survey.operations.access import require_manager
from survey.operations.paper_forms import invitation_by_return_code
from survey.operations.responses import ImportSummary, store_forms
from survey.questionnaire.keying import EntryField, entry_fields
from survey.questionnaire.model import Questionnaire
from survey.records import Respondent, Round
from survey.responses_csv import read_form
from survey.return_codes import parse_return_code, return_code
from survey.storage import channels
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.rounds import get_round
from survey.storage.store import Store

MAX_HEADER = 200
"""Characters of a header field written in by hand (Kommunenavn/bydel, Pulje)."""


@dataclass(frozen=True)
class HeaderField:
    """A field of an anonymous round's form written in by hand: a respondent attribute."""

    name: str  # the attribute id: a responses file's column
    label: str


@dataclass(frozen=True)
class EntrySheet:
    """What the data-entry page of a round shows."""

    round: Round
    questionnaire: Questionnaire
    fields: tuple[EntryField, ...]
    header: tuple[HeaderField, ...]  # empty in an invited round (the return code names)
    typed: int  # paper forms of the round stored so far


def entry_sheet(db: Store, actor: Account, round_id: int) -> EntrySheet:
    require_manager(actor)
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    header = (
        tuple(HeaderField(a.id, str(a.label)) for a in questionnaire.respondent_attributes)
        if round_.anonymous
        else ()
    )
    typed = channels.paper_forms(db, round_id)
    return EntrySheet(round_, questionnaire, entry_fields(questionnaire), header, typed)


class FormProblems(InvalidInput):
    """The typed form breaks the rules: each problem by field (answer id, ``<id>_detail``,
    ``return_code`` or a header field), in bokmål; nothing was stored."""

    def __init__(self, problems: Mapping[str, str]):
        super().__init__(
            "; ".join(f"{name}: {message}" for name, message in problems.items()),
            message_nb="Skjemaet ble ikke lagret. Rett feilene og lagre igjen.",
        )
        self.by_field = dict(problems)


def enter_form(
    db: Store,
    actor: Account,
    round_id: int,
    typed: Mapping[str, str],
    *,
    code: str = "",
) -> ImportSummary:
    """Store one typed form (``typed``: what was typed, by field name; header fields by
    attribute id), or raise: InvalidInput/NotFound for a return code that is mistyped or
    no form of the round's, Conflict for one whose form was typed in already, FormProblems
    for answers the rules refuse."""
    sheet = entry_sheet(db, actor, round_id)
    respondent = None
    if not sheet.round.anonymous:
        invitation = invitation_by_return_code(db, round_id, code)
        if channels.paper_form_typed(db, invitation.id):
            number = return_code(parse_return_code(code))
            raise Conflict(
                f"the paper form with return code {number} has been typed in already",
                message_nb=(
                    f"Skjemaet med returkode {number} er skrevet inn allerede. Er det "
                    "skrevet inn to ganger, eller er koden feil?"
                ),
            )
        respondent = Respondent(
            invitation.email.lower(), invitation.id, invitation.role, invitation.unit
        )
    cells = {f.name: f.cell(typed.get(f.name, "")) for f in sheet.fields}
    problems: dict[str, str] = {}
    for h in sheet.header:
        value = " ".join(typed.get(h.name, "").split())
        if len(value) > MAX_HEADER:
            problems[h.name] = f"Feltet kan være høyst {MAX_HEADER} tegn langt."
        cells[h.name] = value
    source = f"entry:{secrets.token_hex(16)}"  # each typed form is a form of its own
    found, response = read_form(sheet.questionnaire, cells, respondent=respondent, source=source)
    for problem in found:
        problems.setdefault(problem.column, problem.reason or problem.message)
    if problems or response is None:
        order = [h.name for h in sheet.header] + [f.name for f in sheet.fields]
        raise FormProblems({k: problems[k] for k in sorted(problems, key=lambda k: _at(order, k))})
    return store_forms(db, actor, round_id, sheet.questionnaire, [response], "paper")


def _at(order: list[str], name: str) -> int:
    return order.index(name) if name in order else -1
