"""Return codes of personal paper forms, and the address a round's forms go back to.

A return code is a round-local number (``survey/return_codes.py`` adds the check digit).
Numbers are given when forms are first printed, in invitation order, and kept: printing the
forms again (or after more people were invited) gives everyone the code they already have.
"""

from __future__ import annotations

from survey.records import Invitation
from survey.storage.invitations import invitation_from_row
from survey.storage.store import Store


def assign_numbers(db: Store, round_id: int) -> dict[int, int]:
    """Every invitation's number in the round, by invitation id (new ones given first)."""
    with db.writing():
        db.execute(
            "INSERT INTO return_codes (round_id, number, invitation_id) "
            "SELECT ?, (SELECT coalesce(max(number), 0) FROM return_codes WHERE round_id = ?) "
            "  + row_number() OVER (ORDER BY i.id), i.id "
            "FROM invitations AS i WHERE i.round_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM return_codes AS r WHERE r.invitation_id = i.id)",
            [round_id, round_id, round_id],
        )
    rows = db.execute(
        "SELECT invitation_id, number FROM return_codes WHERE round_id = ?", [round_id]
    )
    return dict(rows.fetchall())


def number_of(db: Store, invitation_id: int) -> int | None:
    """The invitation's number, if its form was printed."""
    row = db.execute(
        "SELECT number FROM return_codes WHERE invitation_id = ?", [invitation_id]
    ).fetchone()
    return int(row[0]) if row else None


def invitation_by_number(db: Store, round_id: int, number: int) -> Invitation | None:
    row = db.execute(
        "SELECT i.id, i.round_id, i.token, i.name, i.email, i.role, i.unit, i.attributes "
        "FROM return_codes AS r JOIN invitations AS i ON i.id = r.invitation_id "
        "WHERE r.round_id = ? AND r.number = ?",
        [round_id, number],
    ).fetchone()
    return invitation_from_row(row) if row else None


def return_address(db: Store, round_id: int) -> str | None:
    row = db.execute(
        "SELECT address FROM return_addresses WHERE round_id = ?", [round_id]
    ).fetchone()
    return row[0] if row else None


def set_return_address(db: Store, round_id: int, address: str) -> None:
    """Store the address (an empty one removes it)."""
    with db.writing():
        if address:
            db.execute(
                "INSERT INTO return_addresses (round_id, address) VALUES (?, ?) "
                "ON CONFLICT (round_id) DO UPDATE SET address = excluded.address",
                [round_id, address],
            )
        else:
            db.execute("DELETE FROM return_addresses WHERE round_id = ?", [round_id])
