"""Published questionnaire versions: the exact YAML text a round was opened with.

A round points at a version, never at a file, so editing or deleting the file cannot change
a running survey or shift the meaning of answers already given. Publishing the same text
twice returns the existing version (identified by its SHA-256)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from survey.errors import Conflict, NotFound
from survey.questionnaire import LoadResult, Questionnaire, QuestionnaireError, load_text
from survey.storage.store import Store


@dataclass(frozen=True)
class PublishedVersion:
    id: int
    questionnaire_id: str
    version: str
    sha256: str
    file_name: str
    published_at: str
    created: bool = False  # False when the same text had been published before


def publish(db: Store, result: LoadResult) -> PublishedVersion:
    if result.questionnaire is None:
        raise QuestionnaireError(result.problems)
    q = result.questionnaire
    with db.writing():
        row = db.execute(
            "SELECT id, published_at FROM questionnaire_versions WHERE sha256 = ?",
            [result.sha256],
        ).fetchone()
        created = row is None
        clash = db.execute(
            "SELECT 1 FROM questionnaire_versions WHERE questionnaire_id = ? AND version = ? "
            "AND sha256 != ?",
            [q.id, q.version, result.sha256],
        ).fetchone()
        if created and clash:
            raise Conflict(
                f"{q.id} version {q.version} is already published with different content; "
                "raise 'version:' in the file to publish the change",
                message_nb=f"Versjon {q.version} av {q.id} er allerede publisert med et annet "
                "innhold. Øk «version:» i filen for å publisere endringen.",
            )
        if created:
            published_at = datetime.now(UTC).isoformat(timespec="seconds")
            (version_id,) = db.execute(
                "INSERT INTO questionnaire_versions "
                "(questionnaire_id, version, sha256, source, file_name, published_at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                [q.id, q.version, result.sha256, result.text, result.file, published_at],
            ).fetchone()
            row = (version_id, published_at)
    return PublishedVersion(
        row[0], q.id, q.version, result.sha256, result.file, row[1], created=created
    )


def latest_version(db: Store, questionnaire_id: str) -> PublishedVersion:
    row = db.execute(
        "SELECT id, questionnaire_id, version, sha256, file_name, published_at "
        "FROM questionnaire_versions WHERE questionnaire_id = ? ORDER BY id DESC LIMIT 1",
        [questionnaire_id],
    ).fetchone()
    if row is None:
        raise NotFound(
            f"no published questionnaire '{questionnaire_id}'; publish it with 'survey load FILE'"
        )
    return PublishedVersion(*row)


def latest_versions(db: Store) -> list[PublishedVersion]:
    """The newest version of every published questionnaire, by questionnaire id."""
    rows = db.execute(
        "SELECT id, questionnaire_id, version, sha256, file_name, published_at "
        "FROM questionnaire_versions WHERE id IN "
        "(SELECT max(id) FROM questionnaire_versions GROUP BY questionnaire_id) "
        "ORDER BY questionnaire_id"
    ).fetchall()
    return [PublishedVersion(*row) for row in rows]


def questionnaire_of_version(db: Store, version_id: int, sha: str | None = None) -> Questionnaire:
    """A published version's model. Versions are immutable and the hash names the text, so
    the model is cached by hash, and the text is read only when it is not cached yet: every
    respondent request asks for this, and a questionnaire's text is tens of kilobytes.

    A caller that read the version's hash with its round (``personal_link``) passes it as
    ``sha``, which saves the query for it."""
    if sha is None:
        row = db.execute(
            "SELECT sha256 FROM questionnaire_versions WHERE id = ?", [version_id]
        ).fetchone()
        if row is None:
            raise NotFound(f"no questionnaire version {version_id}")
        sha = str(row[0])
    questionnaire = _models.get(sha)
    if questionnaire is None:
        source, file_name = db.execute(
            "SELECT source, file_name FROM questionnaire_versions WHERE id = ?", [version_id]
        ).fetchone()
        result = load_text(source, file_name)
        if result.questionnaire is None:  # pragma: no cover - only clean texts are published
            raise QuestionnaireError(result.problems)
        if len(_models) >= 64:
            _models.clear()
        questionnaire = _models[sha] = result.questionnaire
    return questionnaire


_models: dict[str, Questionnaire] = {}  # parsed models by the SHA-256 of their text
