"""Invitations and reminders by e-mail: the round's texts, sending, returned mail.

``mail.py`` makes and delivers messages and knows nothing of rounds; this module decides who
gets what and records each outcome through storage, so the rules (a closed or anonymous
round sends nothing, a template must render and carry the link, a wrong base address stops
the batch before anyone gets mail) are checked here, once, for the web and the CLI.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from survey.accounts import Account
from survey.addresses import personal_link
from survey.errors import Conflict, InvalidInput
from survey.mail import (
    Mailer,
    MailError,
    MailTemplate,
    MailTemplateError,
    SendResult,
    check_kind,
    compose,
    default_template,
    template_variables,
)
from survey.operations.access import require_manager
from survey.records import Invitation, Round
from survey.storage import mailings
from survey.storage.jobs import Job, enqueue
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.rounds import get_round
from survey.storage.store import Store
from survey.storage.users import audit

REMINDER_PAUSE = timedelta(hours=20)
"""Someone reminded is not reminded again for this long: pressing "send reminders" twice,
or two secretariat members doing it on the same morning, reaches nobody twice. A batch's
failures can be sent again at once (they got nothing). A day's reminders the next morning
are allowed."""


def waiting(db: Store, round_id: int, kind: str) -> list[Invitation]:
    """Who ``send_mail`` would reach now: the page's counts and the batch are one rule."""
    after = _now() - REMINDER_PAUSE if kind == "reminder" else None
    return mailings.recipients(db, round_id, kind, reminded_after=after)


def _now() -> datetime:
    return datetime.now(UTC)


def mail_text(db: Store, actor: Account, round_id: int, kind: str) -> tuple[str, str]:
    """(subject, body): the round's own text, or the default from templates/mail."""
    require_manager(actor)
    return _text(db, round_id, kind)


def _text(db: Store, round_id: int, kind: str) -> tuple[str, str]:
    check_kind(kind)
    get_round(db, round_id)
    return mailings.mail_template(db, round_id, kind) or default_template(kind)


def set_mail_text(
    db: Store, actor: Account, round_id: int, kind: str, subject: str, body: str
) -> None:
    """Store the round's own text, but only one that renders and always carries the
    personal link: a broken template found while sending would leave half a round without
    mail. InvalidInput says where and what."""
    require_manager(actor)
    check_kind(kind)
    get_round(db, round_id)
    try:
        template = MailTemplate(subject, body)
    except MailTemplateError as error:
        what = "invitasjonen" if kind == "invitation" else "påminnelsen"
        raise InvalidInput(
            f"the {kind} e-mail cannot be used: {error}",
            message_nb=f"Teksten til {what} kan ikke brukes: {error.message_nb}",
        ) from None
    mailings.set_mail_template(db, round_id, kind, template.subject, template.body)
    audit(db, actor.email, f"{kind} text changed", f"round {round_id}")


def send_mail(
    db: Store,
    actor: Account,
    round_id: int,
    kind: str,
    base_url: str,
    mailer: Mailer,
    *,
    progress: Progress | None = None,
) -> SendResult:
    """Invitations to everyone not yet invited, or reminders to everyone invited who has
    not answered; audited with how many were sent and how many failed. ``progress`` hears
    (done, of, text) after each mail (a worker's job shows it to the secretariat)."""
    require_manager(actor)
    result = _send_round_mail(db, round_id, kind, base_url, mailer, progress)
    audit(
        db,
        actor.email,
        f"{kind}s sent",
        f"round {round_id}: {result.sent} sent, {result.failed} failed",
    )
    return result


def _send_round_mail(
    db: Store,
    round_id: int,
    kind: str,
    base_url: str,
    mailer: Mailer,
    progress: Progress | None = None,
) -> SendResult:
    """Send ``kind`` to everyone ``mailings.recipients`` names and record each outcome as it
    happens.

    One refused address is recorded with its error and the batch goes on; since only
    successful invitations count as sent, running it again retries exactly the failures.
    Raises, before sending anything, Conflict or InvalidInput when the round or its template
    is unusable or another batch for the round is being sent, or ``base_url`` is not a web
    address."""
    round_, template, title = _ready_to_send(db, round_id, kind, base_url)
    sent, errors = 0, []
    with mailings.mail_batch(db, round_id, kind) as claim, mailer:
        people = waiting(db, round_id, kind)
        for done, invitation in enumerate(people):
            if progress is not None:
                progress(done, len(people), f"Sendt {done} av {len(people)}")
            variables = template_variables(
                name=invitation.name,
                round_name=round_.name,
                title=title,
                closes_on=round_.closes_on,
                link=personal_link(base_url, invitation.token),
            )
            try:
                subject, body = template.render(variables)
                mailer.send(
                    compose(
                        sender=mailer.sender,
                        name=invitation.name,
                        email=invitation.email,
                        subject=subject,
                        body=body,
                    )
                )
            except (MailError, MailTemplateError, InvalidInput) as error:
                mailings.record_sent(
                    db, invitation.id, kind, str(error) or type(error).__name__, claim=claim
                )
                errors.append((invitation.email, str(error)))
            else:
                mailings.record_sent(db, invitation.id, kind, claim=claim)
                sent += 1
    return SendResult(sent, len(errors), tuple(errors))


def _ready_to_send(
    db: Store, round_id: int, kind: str, base_url: str
) -> tuple[Round, MailTemplate, str]:
    """The round, its template and the questionnaire's title, or Conflict or InvalidInput
    saying why nothing can be sent: checked when a batch is ordered and again when it is
    sent (the round may have closed meanwhile)."""
    check_kind(kind)
    round_ = get_round(db, round_id)
    if round_.anonymous:
        raise Conflict(
            f"round {round_id} is anonymous: it has no invitations to mail",
            message_nb="Runden er anonym og har ingen invitasjoner å sende.",
        )
    if not round_.is_open():
        raise Conflict(
            f"round {round_id} is closed; reopen it before sending {kind}s",
            message_nb=(
                "Runden er lukket, så ingen kan svare. Åpne den igjen, eller sett en ny siste "
                "svardag i rundens innstillinger, før du sender."
            ),
        )
    try:
        template = MailTemplate(*_text(db, round_id, kind))
    except MailTemplateError as error:
        raise InvalidInput(f"the {kind} template of round {round_id}: {error}") from None
    title = str(questionnaire_of_version(db, round_.questionnaire_version_id).title)
    personal_link(base_url, "x")  # a wrong BASE_URL stops the batch before anyone gets mail
    return round_, template, title


Progress = Callable[[int, int, str], None]


def order_mail(db: Store, actor: Account, round_id: int, kind: str, base_url: str) -> Job:
    """A batch of ``kind`` for the round, queued for a worker (``survey worker``, or the
    web process's own): sending thousands of mails takes minutes, which a web request must
    not. The same checks as sending, before anything is queued; each order is its own job,
    and a second batch of the round waits for the first (``mailings.mail_batch``)."""
    require_manager(actor)
    _ready_to_send(db, round_id, kind, base_url)
    payload = {"round_id": round_id, "kind": kind, "base_url": base_url, "actor": actor.id}
    key = f"{MAIL_JOB}:{round_id}:{kind}:{secrets.token_hex(8)}"
    return enqueue(db, MAIL_JOB, key, payload, max_attempts=3)


MAIL_JOB = "mail-batch"


def record_bounce(db: Store, actor: Account, round_id: int, email: str) -> None:
    """A returned invitation: no reminders to that address, and its status says so."""
    require_manager(actor)
    mailings.mark_bounced(db, email, round_id)
    audit(db, actor.email, "bounce recorded", f"round {round_id}")
