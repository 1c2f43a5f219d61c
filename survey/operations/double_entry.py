"""Double entry of returned paper forms: the round's setting, and resolving two keyings
that differ.

Typing a pile of forms in makes mistakes a reader cannot see afterwards (a 4 for a 5);
under double entry each form is typed in by two accounts, and only what both typed alike
becomes a response (``operations.data_entry`` holds and compares the keyings). Where they
differ, a third look at the paper form decides, question by question: the first keying,
the second, or the value typed in anew. The resolved form is checked by the same rules and
stored by the same store as a form keyed once. Invited rounds only: the return code is
what pairs two keyings of one form, and an anonymous round's forms carry none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from survey.accounts import Account
from survey.errors import InvalidInput, NotFound
from survey.operations.access import require_manager
from survey.operations.data_entry import EntrySheet, FormProblems, checked_form, entry_sheet
from survey.operations.responses import ImportSummary, store_forms
from survey.questionnaire.keying import EntryField, differing
from survey.records import Keying
from survey.return_codes import return_code
from survey.storage import keyings, return_codes
from survey.storage.rounds import get_round
from survey.storage.store import Store
from survey.storage.users import audit


def set_double_entry(db: Store, actor: Account, round_id: int, on: bool) -> bool:
    """Turn double entry on or off for a round; returns whether it is on. Refused for an
    anonymous round, and turning it off while forms wait (keyed once, or differing), since
    those would then be neither responses nor keyed again."""
    require_manager(actor)
    round_ = get_round(db, round_id)
    if on == keyings.double_entry(db, round_id):
        return on
    if on and round_.anonymous:
        raise InvalidInput(
            "double entry needs return codes; an anonymous round's forms have none",
            message_nb=(
                "Dobbel innskriving trenger returkoder, og skjemaene i en anonym runde har "
                "ingen. Skriv skjemaene inn én gang."
            ),
            field="double_entry",
        )
    waiting = keyings.waiting(db, round_id)
    if not on and waiting:
        raise InvalidInput(
            f"{len(waiting)} forms are keyed once or differ; finish them first",
            message_nb=(
                f"{len(waiting)} skjema(er) er skrevet inn bare én gang eller har forskjeller "
                "som ikke er avgjort. Gjør dem ferdige før dobbel innskriving slås av."
            ),
            field="double_entry",
        )
    keyings.set_double_entry(db, round_id, on, actor.email)
    audit(
        db,
        actor.email,
        "double entry turned on" if on else "double entry turned off",
        f"round {round_id}",
    )
    return on


@dataclass(frozen=True)
class Difference:
    """One answer two keyings disagree on: what each typed."""

    field: EntryField
    first: str
    second: str


@dataclass(frozen=True)
class Differences:
    """A form keyed twice, differently: what the resolve page shows."""

    sheet: EntrySheet
    keying_id: int
    code: str  # the form's return code, as printed
    first_by: str
    second_by: str
    differences: tuple[Difference, ...]


def differences(db: Store, actor: Account, round_id: int, keying_id: int) -> Differences:
    """The differences of the form whose first keying is ``keying_id``; NotFound when there
    is no such form waiting to be resolved (resolved already, or keyed once so far)."""
    sheet = entry_sheet(db, actor, round_id)
    first, second = _pair(db, round_id, keying_id)
    found = tuple(
        Difference(f, first.typed.get(f.name, ""), second.typed.get(f.name, ""))
        for f in differing(sheet.fields, first.typed, second.typed)
    )
    number = return_codes.number_of(db, first.invitation_id)
    code = return_code(number) if number is not None else ""
    return Differences(sheet, keying_id, code, first.keyed_by, second.keyed_by, found)


def resolve(
    db: Store,
    actor: Account,
    round_id: int,
    keying_id: int,
    chosen: Mapping[str, str],
) -> ImportSummary:
    """Store the form with ``chosen`` (by field name: the value that holds) for each answer
    the keyings differ on, and what both typed alike for the rest; FormProblems names a
    difference left without a value and answers the rules refuse, and nothing is stored."""
    found = differences(db, actor, round_id, keying_id)
    first, _ = _pair(db, round_id, keying_id)
    missing = {
        d.field.name: "Velg den første, den andre eller skriv inn på nytt."
        for d in found.differences
        if d.field.name not in chosen
    }
    if missing:
        raise FormProblems(missing)
    typed = dict(first.typed)
    for d in found.differences:
        typed[d.field.name] = chosen[d.field.name][: d.field.max_length].strip()
    number = return_codes.number_of(db, first.invitation_id)
    invitation = return_codes.invitation_by_number(db, round_id, number or 0)
    if invitation is None:  # the keying was held by its return code: it has one
        raise NotFound(f"invitation {first.invitation_id} has no return code")
    response = checked_form(db, found.sheet, typed, invitation)
    summary = store_forms(db, actor, round_id, found.sheet.questionnaire, [response], "paper")
    keyings.settle(db, invitation.id)
    audit(
        db,
        actor.email,
        "paper form keyings resolved",
        f"round {round_id}: return code {found.code}: {len(found.differences)} differing answers",
    )
    return summary


def _pair(db: Store, round_id: int, keying_id: int) -> tuple[Keying, Keying]:
    first = keyings.keying(db, round_id, keying_id)
    held = keyings.keyings_of(db, first.invitation_id) if first else []
    if first is None or len(held) != 2 or held[0].id != keying_id:
        raise NotFound(
            f"round {round_id} has no form keyed twice with first keying {keying_id}",
            message_nb=(
                "Fant ingen forskjeller å avgjøre her. Kanskje noen andre har avgjort dem allerede."
            ),
        )
    return held[0], held[1]
