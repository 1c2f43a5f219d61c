"""One-time codes of anonymous rounds: stored as digests, each answering once."""

from __future__ import annotations

from datetime import UTC, datetime

from survey.storage.store import Store


def add_codes(db: Store, round_id: int, digests: list[str]) -> None:
    created = datetime.now(UTC).isoformat(timespec="seconds")
    with db.writing():
        db.executemany(
            "INSERT INTO access_codes (round_id, digest, created_at) VALUES (?, ?, ?)",
            [(round_id, digest, created) for digest in digests],
        )


def code_by_digest(db: Store, digest: str) -> tuple[int, int] | None:
    """(code id, round id) of the code with this digest, or None."""
    row = db.execute("SELECT id, round_id FROM access_codes WHERE digest = ?", [digest]).fetchone()
    return (int(row[0]), int(row[1])) if row else None


def response_key(code_id: int) -> str:
    """The session key of the response a code answers with: one per code, so a code that
    is used again comes back to its own response and can never add a second one."""
    return f"code:{code_id}"


def code_counts(db: Store, round_id: int) -> tuple[int, int]:
    """(codes made, codes whose response is submitted) for the round."""
    (made,) = db.execute(
        "SELECT count(*) FROM access_codes WHERE round_id = ?", [round_id]
    ).fetchone()
    (used,) = db.execute(
        "SELECT count(*) FROM responses WHERE round_id = ? AND submitted = 1 "
        "AND session_key LIKE 'code:%'",
        [round_id],
    ).fetchone()
    return int(made), int(used)
