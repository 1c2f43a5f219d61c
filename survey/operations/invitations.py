"""Inviting people to a round and handing out their personal links."""

from __future__ import annotations

from dataclasses import dataclass

from survey.accounts import Account
from survey.addresses import check_base_url, open_link, personal_link
from survey.errors import Conflict
from survey.invitation_list import Person, read_invitation_list
from survey.operations.access import require_manager
from survey.storage.invitations import add_invitations, invited_emails, list_invitations
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.rounds import get_round
from survey.storage.store import Store
from survey.storage.users import audit
from survey.workbooks import as_csv


def invite(db: Store, actor: Account, round_id: int, data: bytes) -> list[Person]:
    """Invite everyone in a list (CSV in any of Excel's encodings, or an .xlsx workbook).

    All or nothing: CsvProblems (InvalidInput) with every row's problems, and nobody is
    invited; Conflict for an anonymous round, which invites nobody by name."""
    require_manager(actor)
    round_ = get_round(db, round_id)
    if round_.anonymous:  # before the list is read: its problems are beside the point
        raise Conflict(
            f"round {round_id} is anonymous: nobody is invited by name",
            message_nb="Runden er anonym: ingen inviteres med navn.",
        )
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    people = read_invitation_list(
        as_csv(data),
        [role.code for role in questionnaire.roles],
        existing_emails=invited_emails(db, round_id),
    )
    add_invitations(db, round_id, people)
    audit(db, actor.email, "invitations added", f"round {round_id}: {len(people)} people")
    return people


@dataclass(frozen=True)
class Link:
    """One person's way in (name, email, role and unit empty for an anonymous round's link)."""

    name: str
    email: str
    role: str
    unit: str
    url: str
    invitation_id: int | None = None  # None: an anonymous round's open link


def personal_links(db: Store, actor: Account, round_id: int, base_url: str) -> list[Link]:
    """Every invited person's own link, or the one open link of an anonymous round.

    The links open people's answers, so listing them is an admin's act and is audited."""
    require_manager(actor)
    round_ = get_round(db, round_id)
    check_base_url(base_url)
    if round_.uses_codes:
        raise Conflict(
            f"round {round_id} is answered with one-time codes, not links; "
            "'survey codes' makes them"
        )
    if round_.open_token is not None:
        links = [Link("", "", "", "", open_link(base_url, round_.open_token))]
    else:
        links = [
            Link(
                inv.name, inv.email, inv.role, inv.unit, personal_link(base_url, inv.token), inv.id
            )
            for inv in list_invitations(db, round_id)
        ]
    audit(db, actor.email, "personal links listed", f"round {round_id}: {len(links)} links")
    return links
