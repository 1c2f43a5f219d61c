"""Fast data entry: a returned paper form typed in by the secretariat, one at a time.

The other edge of the import (``operations.responses``): a typed form becomes the cells of
one row of a responses file (``questionnaire.keying``), is read by the same reader and
rules (``responses_csv.read_form``: unanswered questions counted, answers the form said to
skip kept aside) and stored by the same operation (``store_forms``) with channel ``paper``,
so a form of someone who answered on the web is held for the secretariat to choose, never
overwriting their web answers. An invited round's form is named by its return code; an
anonymous round's carries the header fields written in by hand instead.

Under double entry (``operations.double_entry`` turns it on and resolves differences) a
form is typed in twice by two accounts: the first keying is held apart from the responses
(``storage.keyings``), and only a second keying that agrees with it stores the response,
by the same store, exactly as a single keying would. Each keying is checked by the rules
as it is saved, so a keying that is held is always one that could be stored.
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
from survey.questionnaire.keying import EntryField, differing, entry_fields
from survey.questionnaire.model import Questionnaire
from survey.records import ImportedResponse, Invitation, Respondent, Round
from survey.responses_csv import read_form
from survey.return_codes import return_code
from survey.storage import channels, keyings, return_codes
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.rounds import get_round
from survey.storage.store import Store
from survey.storage.users import audit

MAX_HEADER = 200
"""Characters of a header field written in by hand (Kommunenavn/bydel, Pulje)."""


@dataclass(frozen=True)
class HeaderField:
    """A field of an anonymous round's form written in by hand: a respondent attribute."""

    name: str  # the attribute id: a responses file's column
    label: str


@dataclass(frozen=True)
class WaitingForm:
    """A form under double entry that is not a response yet."""

    keying_id: int  # its first keying's: the resolve page's address
    code: str  # its return code, as printed
    differs: bool  # keyed twice, differently (else: keyed once, a second keying is due)


@dataclass(frozen=True)
class EntrySheet:
    """What the data-entry page of a round shows."""

    round: Round
    questionnaire: Questionnaire
    fields: tuple[EntryField, ...]
    header: tuple[HeaderField, ...]  # empty in an invited round (the return code names)
    typed: int  # paper forms of the round stored so far
    double_entry: bool = False
    waiting: tuple[WaitingForm, ...] = ()


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
    waiting = tuple(
        WaitingForm(keying_id, return_code(number), held > 1)
        for keying_id, number, held in keyings.waiting(db, round_id)
    )
    return EntrySheet(
        round_,
        questionnaire,
        entry_fields(questionnaire),
        header,
        typed,
        keyings.double_entry(db, round_id),
        waiting,
    )


class FormProblems(InvalidInput):
    """The typed form breaks the rules: each problem by field (answer id, ``<id>_detail``,
    ``return_code`` or a header field), in bokmål; nothing was stored."""

    def __init__(self, problems: Mapping[str, str]):
        super().__init__(
            "; ".join(f"{name}: {message}" for name, message in problems.items()),
            message_nb="Skjemaet ble ikke lagret. Rett feilene og lagre igjen.",
        )
        self.by_field = dict(problems)


@dataclass(frozen=True)
class Entered:
    """What saving a typed form did: ``stored`` it as a response (``summary`` says whether
    it was held beside a web response), or, under double entry, held it as the ``first``
    keying, or found that a second keying ``differs`` from the first (``keying_id``: the
    first keying's, whose resolve page shows the differences)."""

    outcome: str  # "stored", "first" or "differs"
    summary: ImportSummary | None = None
    keying_id: int | None = None


def enter_form(
    db: Store,
    actor: Account,
    round_id: int,
    typed: Mapping[str, str],
    *,
    code: str = "",
) -> Entered:
    """Store one typed form (``typed``: what was typed, by field name; header fields by
    attribute id), or hold it as a keying under double entry, or raise: InvalidInput/
    NotFound for a return code that is mistyped or no form of the round's, Conflict for
    one whose form was typed in already (or, under double entry, keyed by this account
    already, or keyed twice and waiting to be resolved), FormProblems for answers the rules
    refuse."""
    sheet = entry_sheet(db, actor, round_id)
    invitation = None if sheet.round.anonymous else invitation_by_return_code(db, round_id, code)
    response = checked_form(db, sheet, typed, invitation)
    if invitation is None or not sheet.double_entry:
        summary = store_forms(db, actor, round_id, sheet.questionnaire, [response], "paper")
        return Entered("stored", summary)
    return _keyed(db, actor, sheet, invitation, typed, response)


def checked_form(
    db: Store,
    sheet: EntrySheet,
    typed: Mapping[str, str],
    invitation: Invitation | None,
) -> ImportedResponse:
    """The typed form read by the import's rules, ready to store; Conflict when the
    invitation's paper form is stored already, FormProblems when the rules refuse it."""
    respondent = None
    if invitation is not None:
        if channels.paper_form_typed(db, invitation.id):
            number = _code(db, invitation)
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
    return response


def _keyed(
    db: Store,
    actor: Account,
    sheet: EntrySheet,
    invitation: Invitation,
    typed: Mapping[str, str],
    response: ImportedResponse,
) -> Entered:
    """Double entry: hold a first keying, or compare a second one with it."""
    round_id, number = sheet.round.id, _code(db, invitation)
    kept = {f.name: typed[f.name].strip() for f in sheet.fields if typed.get(f.name, "").strip()}
    held = keyings.keyings_of(db, invitation.id)
    if not held:
        keying_id = keyings.add_keying(db, round_id, invitation.id, kept, actor.email, after=0)
        if keying_id is None:
            raise _keyed_meanwhile(number)
        audit(db, actor.email, "paper form keyed once", f"round {round_id}: return code {number}")
        return Entered("first", keying_id=keying_id)
    if len(held) > 1:
        raise Conflict(
            f"the paper form with return code {number} was keyed twice, differently; "
            "resolve the differences",
            message_nb=(
                f"Skjemaet med returkode {number} er skrevet inn to ganger med ulike svar. "
                "Avgjør forskjellene (lenken under «Venter»)."
            ),
        )
    (first,) = held
    if first.keyed_by == actor.email:
        raise Conflict(
            f"{actor.email} keyed the form with return code {number} the first time; "
            "another account keys it the second time",
            message_nb=(
                f"Du skrev inn skjemaet med returkode {number} første gang. Den andre "
                "innskrivingen gjøres av en annen person, så en feil ikke gjentas."
            ),
        )
    differ = differing(sheet.fields, first.typed, kept)
    if not differ:
        summary = store_forms(db, actor, round_id, sheet.questionnaire, [response], "paper")
        keyings.settle(db, invitation.id)
        return Entered("stored", summary)
    if keyings.add_keying(db, round_id, invitation.id, kept, actor.email, after=1) is None:
        raise _keyed_meanwhile(number)
    audit(
        db,
        actor.email,
        "paper form keyings differed",
        f"round {round_id}: return code {number}: {len(differ)} differing answers",
    )
    return Entered("differs", keying_id=first.id)


def _keyed_meanwhile(number: str) -> Conflict:
    return Conflict(
        f"the paper form with return code {number} was keyed by someone else meanwhile",
        message_nb=(
            f"Skjemaet med returkode {number} ble skrevet inn av noen andre i mellomtiden. "
            "Se listen under «Venter»."
        ),
    )


def _code(db: Store, invitation: Invitation) -> str:
    """The invitation's return code as printed."""
    number = return_codes.number_of(db, invitation.id)
    return return_code(number) if number is not None else "(uten returkode)"


def _at(order: list[str], name: str) -> int:
    return order.index(name) if name in order else -1
