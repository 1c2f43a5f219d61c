"""What was mailed to whom, each round's own mail templates, and who is still to be reached.

A mailing row is written for every attempt, successful or not: ``error`` is NULL when the
mail server (or the outbox) took the message, and ``sent_at`` is set only then. "Sent"
always means "sent successfully", so sending invitations again reaches exactly those whose
first attempt failed and nobody twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from survey.errors import Conflict, InvalidInput
from survey.records import Invitation
from survey.storage.invitations import invitation_from_row
from survey.storage.store import Store

STATUSES = ("not sent", "sent", "opened", "in progress", "answered", "bounced")

_SENT = "EXISTS (SELECT 1 FROM mailings m WHERE m.invitation_id = i.id AND m.error IS NULL)"
_INVITED = (
    "EXISTS (SELECT 1 FROM mailings m WHERE m.invitation_id = i.id AND m.error IS NULL "
    "AND m.kind = 'invitation')"
)
_BOUNCED = "EXISTS (SELECT 1 FROM mailings m WHERE m.invitation_id = i.id AND m.bounced = 1)"
_ANSWERED = (
    "(EXISTS (SELECT 1 FROM responses r WHERE r.invitation_id = i.id AND r.submitted = 1) "
    "OR EXISTS (SELECT 1 FROM held_responses h WHERE h.invitation_id = i.id "
    "AND h.channel != 'web' AND h.chosen IS NULL) "
    "OR EXISTS (SELECT 1 FROM paper_keyings k WHERE k.invitation_id = i.id))"
)
"""Answered: a response sent in, or a paper form that has arrived (held beside a web
response still being filled in, or keyed once under double entry and not a response yet:
the person is not to be reminded of the form they sent)."""


def mail_template(db: Store, round_id: int, kind: str) -> tuple[str, str] | None:
    """(subject, body) of the round's own template, or None (the default applies)."""
    row = db.execute(
        "SELECT subject, body FROM mail_templates WHERE round_id = ? AND kind = ?",
        [round_id, kind],
    ).fetchone()
    return (row[0], row[1]) if row else None


def set_mail_template(db: Store, round_id: int, kind: str, subject: str, body: str) -> None:
    """Store the round's template (checked by ``operations.mail.set_mail_text``)."""
    with db.writing():
        db.execute(
            "INSERT INTO mail_templates (round_id, kind, subject, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (round_id, kind) DO UPDATE SET subject = excluded.subject, "
            "body = excluded.body",
            [round_id, kind, subject, body],
        )


def reset_mail_template(db: Store, round_id: int, kind: str) -> None:
    """Go back to the default template."""
    with db.writing():
        db.execute("DELETE FROM mail_templates WHERE round_id = ? AND kind = ?", [round_id, kind])


def recipients(
    db: Store, round_id: int, kind: str, *, reminded_after: datetime | None = None
) -> list[Invitation]:
    """Who gets ``kind`` now.

    Invitation: everyone not yet successfully invited who has not answered (answers may
    have been imported from paper). Reminder: everyone successfully invited who has not
    answered and whose address has not bounced; a reminder to someone never invited would
    remind them of nothing. With ``reminded_after``, not those who got a reminder after
    that moment (``operations.mail`` decides the pause)."""
    args: list[object] = [round_id]
    if kind == "invitation":
        where = f"NOT {_INVITED} AND NOT {_ANSWERED}"
    else:
        where = f"{_INVITED} AND NOT {_ANSWERED} AND NOT {_BOUNCED}"
        if reminded_after is not None:
            where += (
                " AND NOT EXISTS (SELECT 1 FROM mailings m WHERE m.invitation_id = i.id "
                "AND m.kind = 'reminder' AND m.error IS NULL AND m.sent_at > ?)"
            )
            args.append(reminded_after.isoformat(timespec="seconds"))
    rows = db.execute(
        "SELECT i.id, i.round_id, i.token, i.name, i.email, i.role, i.unit, i.attributes "
        f"FROM invitations i WHERE i.round_id = ? AND {where} ORDER BY i.id",
        args,
    )
    return [invitation_from_row(row) for row in rows]


def last_sent(db: Store, round_id: int, kind: str) -> tuple[str, int] | None:
    """When ``kind`` was last sent in the round (UTC, ISO) and to how many that day-batch:
    the people whose successful mail of that kind is the round's latest, within the hour
    before it (one batch takes minutes)."""
    row = db.execute(
        "SELECT max(m.sent_at) FROM mailings m JOIN invitations i ON i.id = m.invitation_id "
        "WHERE i.round_id = ? AND m.kind = ? AND m.error IS NULL",
        [round_id, kind],
    ).fetchone()
    if row is None or row[0] is None:
        return None
    since = (datetime.fromisoformat(row[0]) - timedelta(hours=1)).isoformat(timespec="seconds")
    count = db.execute(
        "SELECT count(DISTINCT m.invitation_id) FROM mailings m "
        "JOIN invitations i ON i.id = m.invitation_id "
        "WHERE i.round_id = ? AND m.kind = ? AND m.error IS NULL AND m.sent_at >= ?",
        [round_id, kind, since],
    ).fetchone()[0]
    return row[0], count


STALE_BATCH = timedelta(minutes=10)
"""A batch that has recorded no mail for this long died with its process (the mail server's
own time-out is far shorter), and another may take over the round."""


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def mail_batch(db: Store, round_id: int, kind: str) -> Iterator[str]:
    """Hold the round's mail while a batch is sent: ``recipients`` is read inside, and a
    second batch (another browser, another worker) is refused until this one is done.
    Yields the claim, which ``record_sent`` needs.

    Without it, two people pressing "Send" at once both read the same recipients before
    either had recorded a mail, and everyone got the mail twice. ``record_sent`` keeps the
    claim fresh; a claim left by a crashed process goes stale after ``STALE_BATCH`` and may
    be taken over, and a batch whose claim was taken over stops at its next mail."""
    now = _now()
    claim = secrets.token_hex(8)
    with db.writing():
        db.execute(
            "DELETE FROM mail_batches WHERE round_id = ? AND touched_at < ?",
            [round_id, (now - STALE_BATCH).isoformat(timespec="seconds")],
        )
        held = db.execute(
            "SELECT kind, started_at FROM mail_batches WHERE round_id = ?", [round_id]
        ).fetchone()
        if held:
            raise Conflict(
                f"{held[0]}s for round {round_id} are being sent (started {held[1]} UTC); "
                "wait until that batch is done",
                message_nb="E-post til denne runden sendes allerede. Vent til den er ferdig.",
            )
        stamp = now.isoformat(timespec="seconds")
        db.execute(
            "INSERT INTO mail_batches (round_id, claim, kind, started_at, touched_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [round_id, claim, kind, stamp, stamp],
        )
    try:
        yield claim
    finally:
        with db.writing():
            db.execute("DELETE FROM mail_batches WHERE claim = ?", [claim])


def record_sent(
    db: Store,
    invitation_id: int,
    kind: str,
    error: str | None = None,
    *,
    claim: str | None = None,
) -> None:
    """One attempt, recorded as soon as it is made, so a batch cut short by a crash is not
    sent again to those who already got it. With ``claim`` (inside ``mail_batch``) it also
    keeps the batch's claim fresh, and raises Conflict once another batch has taken
    the round over: the attempt is recorded, and nothing more should be sent."""
    now = _now().isoformat(timespec="seconds")
    with db.writing():
        db.execute(
            "INSERT INTO mailings (invitation_id, kind, sent_at, error) VALUES (?, ?, ?, ?)",
            [invitation_id, kind, None if error else now, error],
        )
        held = (
            claim is None
            or db.execute(
                "UPDATE mail_batches SET touched_at = ? WHERE claim = ?", [now, claim]
            ).rowcount
        )
    if not held:
        raise Conflict("another batch took over this round's mail; this one stops here")


def mark_bounced(db: Store, email: str, round_id: int) -> int:
    """Mark the latest mail that reached the server for this address as bounced; returns
    the invitation's id. A bounced address gets no reminders."""
    row = db.execute(
        "SELECT id FROM invitations WHERE round_id = ? AND email = ?",
        [round_id, email.strip().lower()],
    ).fetchone()
    if row is None:
        raise InvalidInput(
            f"'{email}' is not invited in round {round_id}",
            message_nb="Adressen er ikke invitert i denne runden. Sjekk skrivemåten.",
        )
    with db.writing():
        cursor = db.execute(
            "UPDATE mailings SET bounced = 1 WHERE id = (SELECT id FROM mailings "
            "WHERE invitation_id = ? AND error IS NULL ORDER BY id DESC LIMIT 1)",
            [row[0]],
        )
    if cursor.rowcount == 0:
        raise Conflict(
            f"nothing has been sent to '{email}' in round {round_id} yet",
            message_nb="Det er ikke sendt noe til denne adressen i runden ennå.",
        )
    return row[0]


def invitation_statuses(db: Store, round_id: int) -> dict[int, str]:
    """Each invitation's status, one of STATUSES. What the respondent did comes first: an
    answer proves the link arrived even if a later reminder bounced."""
    rows = db.execute(
        "SELECT i.id, r.submitted, r.page, "
        f"{_BOUNCED}, {_SENT} "
        "FROM invitations i LEFT JOIN responses r ON r.invitation_id = i.id "
        "WHERE i.round_id = ? ORDER BY i.id",
        [round_id],
    )
    statuses = {}
    for invitation_id, submitted, page, bounced, sent in rows:
        if submitted:
            status = "answered"
        elif page:
            status = "in progress"
        elif page is not None:
            status = "opened"
        elif bounced:
            status = "bounced"
        elif sent:
            status = "sent"
        else:
            status = "not sent"
        statuses[invitation_id] = status
    return statuses
