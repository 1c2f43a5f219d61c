"""One-time codes: how an anonymous round is answered without an open link.

An open link lets anyone answer any number of times, so a few made-up answers can lift a
small group over the minimum group size, and subtracting them then gives the real answers
(issue 14, attack 5). A code answers once: the secretariat prints or mails N codes that are
tied to nobody (as KS's 10-FAKTOR does with letters), and each code leads to one response
only, however often it is typed in. Only digests are stored; the codes are shown once.
"""

from __future__ import annotations

from survey.accounts import Account
from survey.errors import InvalidInput
from survey.operations.access import require_manager
from survey.records import Round
from survey.storage import access_codes as store
from survey.storage.rounds import get_round
from survey.storage.store import Store, integrity_errors
from survey.storage.users import audit
from survey.tokens import code_digest, new_code, normal_code

MAX_CODES = 5000
"""Codes made at a time: a municipality's letters, bounded so one click cannot fill the
database."""


def create_codes(db: Store, actor: Account, round_id: int, count: int) -> list[str]:
    """``count`` new codes for the anonymous round, in the one form they are shown in.
    Admins only, audited (the number, never the codes)."""
    require_manager(actor)
    round_ = get_round(db, round_id)
    if not round_.uses_codes:
        raise InvalidInput(
            f"round {round_id} takes no codes: "
            + ("it has an open link" if round_.anonymous else "it invites people by name"),
            message_nb="Engangskoder brukes bare i anonyme runder uten åpen lenke.",
        )
    if not 1 <= count <= MAX_CODES:
        raise InvalidInput(
            f"make from 1 to {MAX_CODES} codes at a time, not {count}",
            message_nb=f"Lag fra 1 til {MAX_CODES} koder om gangen.",
            field="count",
        )
    while True:
        codes = [new_code() for _ in range(count)]
        try:
            store.add_codes(db, round_id, [code_digest(code) for code in codes])
        except integrity_errors():  # two equal codes among 2**60: draw the batch again
            continue
        break
    audit(db, actor.email, "codes created", f"round {round_id}: {count}")
    return codes


def code_counts(db: Store, actor: Account, round_id: int) -> tuple[int, int]:
    """(codes made, codes answered with) for the round page: admins only."""
    require_manager(actor)
    get_round(db, round_id)
    return store.code_counts(db, round_id)


def round_of_code(db: Store, typed: str) -> tuple[Round, str, str] | None:
    """(round, the code in its written form, its response's session key) for a code as a
    respondent typed it, or None when it is no code of an open round: an unknown code and
    a closed round look alike, as unknown links and closed rounds do."""
    code = normal_code(typed)
    if code is None:
        return None
    found = store.code_by_digest(db, code_digest(code))
    if found is None:
        return None
    code_id, round_id = found
    round_ = get_round(db, round_id)
    if not round_.is_open():
        return None
    return round_, code, store.response_key(code_id)
