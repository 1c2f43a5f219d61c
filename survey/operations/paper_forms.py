"""Paper forms: a questionnaire printed blank, or one personal form per invitation.

A blank form carries the questionnaire and, when it is a round's, the address it is returned
to; it asks for the questionnaire's respondent attributes (Kommunenavn/bydel, Pulje) to be
written in. A personal form (a mail merge for window envelopes) carries the person's address,
their return code and a QR code of their own web link, from ``personal_links`` like the
secretariat's link list, so the same rules for the base address hold. The return code names
the invitation when the form comes back (``invitation_by_return_code``).
"""

from __future__ import annotations

from survey.accounts import Account
from survey.addresses import postal_address
from survey.errors import Conflict, InvalidInput, NotFound
from survey.operations.access import require_manager
from survey.operations.invitations import personal_links
from survey.questionnaire.model import Questionnaire
from survey.records import Invitation
from survey.report.paper import PaperForm, paper_form, recipient
from survey.return_codes import parse_return_code, return_code
from survey.storage import return_codes
from survey.storage.invitations import list_invitations
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.rounds import get_round
from survey.storage.store import Store
from survey.storage.users import audit

MAX_RETURN_ADDRESS = 300
MAX_RETURN_ADDRESS_LINES = 5


def form_pdf(form: PaperForm) -> bytes:
    """The form rendered by the report pipeline: a tagged PDF, fonts embedded."""
    # imported here: WeasyPrint takes a while to load and only printing needs it
    from survey.report.render import render_paper_html, render_pdf

    return render_pdf(render_paper_html(form))


def questionnaire_form(questionnaire: Questionnaire) -> bytes:
    """A blank form of a questionnaire that belongs to no round (a file, a version)."""
    return form_pdf(paper_form(questionnaire))


def version_form(db: Store, actor: Account, version_id: int) -> bytes:
    """A blank form of a published questionnaire version."""
    require_manager(actor)
    return questionnaire_form(questionnaire_of_version(db, version_id))


def round_form(db: Store, actor: Account, round_id: int) -> bytes:
    """A round's blank form: its questionnaire version, with the round's return address."""
    require_manager(actor)
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    address = return_codes.return_address(db, round_id) or ""
    return form_pdf(paper_form(questionnaire, return_address=address))


def personal_forms(db: Store, actor: Account, round_id: int, base_url: str) -> bytes:
    """One form per invitation, in invitation order, each with the person's address block,
    return code and web link (audited: the links open people's answers)."""
    from survey.report.mail_merge import mail_merge_pdf  # WeasyPrint: see form_pdf

    form = personal_form_content(db, actor, round_id, base_url)
    pdf = mail_merge_pdf(form)
    audit(db, actor.email, "paper forms printed", f"round {round_id}: {len(form.recipients)} forms")
    return pdf


def personal_form_content(db: Store, actor: Account, round_id: int, base_url: str) -> PaperForm:
    """``personal_forms``' content, before rendering (also what the benchmark times apart)."""
    require_manager(actor)
    round_ = get_round(db, round_id)
    if round_.anonymous:
        raise Conflict(
            f"round {round_id} is anonymous: it has no personal forms; print the blank form",
            message_nb="Runden er anonym: den har ingen personlige skjemaer. Skriv ut det blanke.",
        )
    invitations = list_invitations(db, round_id)
    if not invitations:
        raise Conflict(
            f"round {round_id} has no invitations yet: print the blank form, or invite first",
            message_nb="Runden har ingen invitasjoner ennå: skriv ut det blanke skjemaet.",
        )
    numbers = return_codes.assign_numbers(db, round_id)
    links = {link.invitation_id: link.url for link in personal_links(db, actor, round_id, base_url)}
    people = [
        recipient(
            postal_address(inv.name, inv.unit, inv.attributes),
            return_code(numbers[inv.id]),
            links[inv.id],
        )
        for inv in invitations
        if inv.id in links and inv.id in numbers  # invited while this ran: next time
    ]
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    address = return_codes.return_address(db, round_id) or ""
    return paper_form(questionnaire, return_address=address, recipients=people)


def invitation_by_return_code(db: Store, round_id: int, code: str) -> Invitation:
    """The invitation a returned form's code names: InvalidInput when the code is mistyped
    (its check digit does not fit), NotFound when it fits but is no form of this round."""
    number = parse_return_code(code)
    get_round(db, round_id)
    invitation = return_codes.invitation_by_number(db, round_id, number)
    if invitation is None:
        raise NotFound(
            f"round {round_id} has printed no form with return code {return_code(number)}",
            message_nb=(
                f"Ingen skjema i denne runden har returkoden {return_code(number)}. "
                "Er det et skjema fra en annen runde?"
            ),
        )
    return invitation


def set_return_address(db: Store, actor: Account, round_id: int, address: str) -> str:
    """The address the round's paper forms are returned to (an empty text removes it)."""
    require_manager(actor)
    get_round(db, round_id)
    lines = [" ".join(line.split()) for line in address.replace("\r", "").splitlines()]
    lines = [line for line in lines if line]
    text = "\n".join(lines)
    if len(text) > MAX_RETURN_ADDRESS or len(lines) > MAX_RETURN_ADDRESS_LINES:
        raise InvalidInput(
            f"a return address has at most {MAX_RETURN_ADDRESS_LINES} lines and "
            f"{MAX_RETURN_ADDRESS} characters",
            message_nb=(
                f"Returadressen kan ha høyst {MAX_RETURN_ADDRESS_LINES} linjer og "
                f"{MAX_RETURN_ADDRESS} tegn."
            ),
            field="return_address",
        )
    if text != (return_codes.return_address(db, round_id) or ""):
        return_codes.set_return_address(db, round_id, text)
        audit(db, actor.email, "return address set", f"round {round_id}: {text!r}")
    return text
