"""Invitations and reminders by e-mail: the round's texts, sending, returned mail."""

from __future__ import annotations

import sqlite_utils

from survey.accounts import Account
from survey.mail import Mailer, SendResult, send_round_mail
from survey.operations.access import require_manager
from survey.storage import mailings
from survey.storage.users import audit


def send_mail(
    db: sqlite_utils.Database,
    actor: Account,
    round_id: int,
    kind: str,
    base_url: str,
    mailer: Mailer,
) -> SendResult:
    """Invitations to everyone not yet invited, or reminders to everyone invited who has
    not answered (see ``mail.send_round_mail`` for what is refused before sending)."""
    require_manager(actor)
    result = send_round_mail(db, round_id, kind, base_url, mailer)
    audit(
        db,
        actor.email,
        f"{kind}s sent",
        f"round {round_id}: {result.sent} sent, {result.failed} failed",
    )
    return result


def set_mail_text(
    db: sqlite_utils.Database, actor: Account, round_id: int, kind: str, subject: str, body: str
) -> None:
    """The round's own invitation or reminder text; InvalidInput unless it renders and
    always holds the personal link."""
    require_manager(actor)
    mailings.set_mail_template(db, round_id, kind, subject, body)
    audit(db, actor.email, f"{kind} text changed", f"round {round_id}")


def record_bounce(db: sqlite_utils.Database, actor: Account, round_id: int, email: str) -> None:
    """A returned invitation: no reminders to that address, and its status says so."""
    require_manager(actor)
    mailings.mark_bounced(db, email, round_id)
    audit(db, actor.email, "bounce recorded", f"round {round_id}")
