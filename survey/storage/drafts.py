"""Questionnaire drafts: YAML text being written in the browser, kept between saves.

A draft is only text (and where it was copied from): it is checked by the linter whenever
it is read or saved, and it reaches respondents only by being published as a version
(``storage.questionnaires.publish``), which never changes. So a draft may hold errors, and
a reload, a second tab or an ended session finds the text as it was last saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from survey.errors import NotFound
from survey.storage.store import Store

_COLUMNS = (
    "id, questionnaire_id, source, copied_from, created_by, created_at, saved_at, "
    "published_version_id"
)


@dataclass(frozen=True)
class Draft:
    id: int
    questionnaire_id: str  # the id it was started under; publishing keeps it
    source: str
    copied_from: str  # what it started as: a bundled file's name or "version <id>"
    created_by: str
    created_at: str
    saved_at: str
    published_version_id: int | None = None

    @property
    def file_name(self) -> str:
        return f"{self.questionnaire_id}.yaml"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def create_draft(
    db: Store, questionnaire_id: str, source: str, copied_from: str, actor: str
) -> Draft:
    now = _now()
    with db.writing():
        (draft_id,) = db.execute(
            "INSERT INTO questionnaire_drafts "
            "(questionnaire_id, source, copied_from, created_by, created_at, saved_at) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [questionnaire_id, source, copied_from, actor, now, now],
        ).fetchone()
    return get_draft(db, draft_id)


def get_draft(db: Store, draft_id: int) -> Draft:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM questionnaire_drafts WHERE id = ?", [draft_id]
    ).fetchone()
    if row is None:
        raise NotFound(
            f"no questionnaire draft {draft_id}",
            message_nb="Utkastet finnes ikke. Start et nytt spørreskjema fra en mal.",
        )
    return Draft(*row)


def list_drafts(db: Store) -> list[Draft]:
    """Every draft, the one saved last first."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM questionnaire_drafts ORDER BY saved_at DESC, id DESC"
    ).fetchall()
    return [Draft(*row) for row in rows]


def save_draft(db: Store, draft_id: int, source: str) -> Draft:
    with db.writing():
        cursor = db.execute(
            "UPDATE questionnaire_drafts SET source = ?, saved_at = ? WHERE id = ?",
            [source, _now(), draft_id],
        )
    if cursor.rowcount == 0:
        get_draft(db, draft_id)  # raises NotFound
    return get_draft(db, draft_id)


def mark_published(db: Store, draft_id: int, version_id: int) -> None:
    with db.writing():
        db.execute(
            "UPDATE questionnaire_drafts SET published_version_id = ? WHERE id = ?",
            [version_id, draft_id],
        )


def published_ids(db: Store) -> set[str]:
    """The ids of every questionnaire with a published version."""
    rows = db.execute("SELECT DISTINCT questionnaire_id FROM questionnaire_versions")
    return {row[0] for row in rows.fetchall()}


def version_source(db: Store, version_id: int) -> tuple[str, str]:
    """A published version's text and questionnaire id."""
    row = db.execute(
        "SELECT source, questionnaire_id FROM questionnaire_versions WHERE id = ?", [version_id]
    ).fetchone()
    if row is None:
        raise NotFound(f"no questionnaire version {version_id}")
    return row[0], row[1]
