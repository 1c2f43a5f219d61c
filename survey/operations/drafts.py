"""Writing a questionnaire in the browser: start from a template, save, check, publish.

A draft starts as a copy of a bundled questionnaire or of a published one, under a new id
and title; the original is never touched, and the new id may be neither a bundled nor a
published questionnaire's. Every save is linted and the problems returned with the saved
text; publishing goes through ``publish_questionnaire`` like an uploaded file, so a draft
with errors is never published, and a draft publishes only under its own id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from survey import resources
from survey.accounts import Account
from survey.errors import InvalidInput, NotFound
from survey.operations.access import require_manager
from survey.operations.questionnaires import publish_questionnaire
from survey.questionnaire import LoadResult, QuestionnaireError, load_text
from survey.questionnaire.renaming import renamed, valid_questionnaire_id
from survey.storage import drafts as store
from survey.storage.drafts import Draft
from survey.storage.questionnaires import (
    PublishedVersion,
    latest_versions,
    questionnaire_of_version,
)
from survey.storage.store import Store
from survey.storage.users import audit

MAX_TITLE_LENGTH = 200


@dataclass(frozen=True)
class Template:
    """Something a new questionnaire can start from."""

    key: str  # "fil:<name>" for a bundled file, "versjon:<id>" for a published version
    questionnaire_id: str
    title: str
    bundled: bool


def templates(db: Store, actor: Account) -> list[Template]:
    """The bundled questionnaires, then the latest version of every published one."""
    require_manager(actor)
    found = []
    for path in _bundled_files():
        result = _bundled(path)
        if result.questionnaire is not None:
            q = result.questionnaire
            found.append(Template(f"fil:{path.name}", q.id, str(q.title), bundled=True))
    for version in latest_versions(db):
        title = str(questionnaire_of_version(db, version.id).title)
        found.append(
            Template(f"versjon:{version.id}", version.questionnaire_id, title, bundled=False)
        )
    return found


def _bundled_files() -> list[Path]:
    return sorted(resources.QUESTIONNAIRES.glob("*.yaml"))


_linted: dict[str, LoadResult] = {}  # bundled files by their text: they rarely change


def _bundled(path: Path) -> LoadResult:
    text = path.read_text(encoding="utf-8-sig")
    result = _linted.get(text)
    if result is None:
        if len(_linted) >= 16:
            _linted.clear()
        result = _linted[text] = load_text(text, path.name)
    return result


def _template_text(db: Store, key: str) -> tuple[str, str]:
    """The text of a template and the id it is published or bundled under."""
    kind, _, name = key.partition(":")
    if kind == "fil":
        for path in _bundled_files():
            if path.name == name:
                result = _bundled(path)
                qid = result.questionnaire.id if result.questionnaire else path.stem
                return result.text, qid
    elif kind == "versjon" and name.isdigit():
        try:
            return store.version_source(db, int(name))
        except (NotFound, OverflowError):
            pass
    raise InvalidInput(
        f"no template {key!r}",
        message_nb="Velg et av spørreskjemaene i listen.",
        field="template",
    )


def _taken_ids(db: Store) -> set[str]:
    bundled = [_bundled(path).questionnaire for path in _bundled_files()]
    return store.published_ids(db) | {q.id for q in bundled if q is not None}


def start_draft(
    db: Store,
    actor: Account,
    template_key: str,
    questionnaire_id: str,
    title: str,
) -> Draft:
    """A new draft: the template's text under ``questionnaire_id`` and ``title``, version 1.
    InvalidInput (with the form field it is about) for an unknown template, an id the
    linter would refuse or one already used by a bundled or published questionnaire, and a
    missing or overlong title."""
    require_manager(actor)
    questionnaire_id = questionnaire_id.strip()
    title = " ".join(title.split())
    if not valid_questionnaire_id(questionnaire_id):
        raise InvalidInput(
            f"{questionnaire_id!r} is not a valid questionnaire id",
            message_nb=(
                "Id-en kan bare ha små bokstaver a–z, sifre, bindestrek og understrek, og må "
                "begynne med en bokstav eller et siffer (for eksempel medarbeidere-2027)."
            ),
            field="questionnaire_id",
        )
    if questionnaire_id in _taken_ids(db):
        raise InvalidInput(
            f"the id {questionnaire_id!r} is already used by another questionnaire",
            message_nb=(
                f"Id-en «{questionnaire_id}» er allerede brukt av et annet spørreskjema. "
                "Velg en ny id, så blir originalen stående som den er."
            ),
            field="questionnaire_id",
        )
    if not title or len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput(
            f"a questionnaire needs a title of 1 to {MAX_TITLE_LENGTH} characters",
            message_nb=f"Gi spørreskjemaet en tittel på høyst {MAX_TITLE_LENGTH} tegn.",
            field="title",
        )
    text, original = _template_text(db, template_key)
    draft = store.create_draft(
        db, questionnaire_id, renamed(text, questionnaire_id, title), template_key, actor.email
    )
    audit(
        db,
        actor.email,
        "questionnaire draft started",
        f"draft {draft.id}: {questionnaire_id}, copy of {original}",
    )
    return draft


def draft(db: Store, actor: Account, draft_id: int) -> tuple[Draft, LoadResult]:
    """A draft and what the linter says about it."""
    require_manager(actor)
    found = store.get_draft(db, draft_id)
    return found, lint(found)


def drafts(db: Store, actor: Account) -> list[Draft]:
    require_manager(actor)
    return store.list_drafts(db)


def lint(found: Draft) -> LoadResult:
    return load_text(found.source, found.file_name)


def check_size(text: str, max_bytes: int) -> None:
    """A draft may be as large as an uploaded file (the app's MAX_CONTENT_LENGTH)."""
    if len(text.encode("utf-8")) > max_bytes:
        raise InvalidInput(
            f"the text is larger than {max_bytes} bytes",
            message_nb=(
                f"Teksten er større enn {max_bytes // 1024} kB, det største et spørreskjema "
                "kan være. Del det opp eller gjør det kortere."
            ),
            field="text",
        )


def save_draft(
    db: Store, actor: Account, draft_id: int, text: str, max_bytes: int
) -> tuple[Draft, LoadResult]:
    """Keep ``text`` as the draft's (whatever its problems) and lint it."""
    require_manager(actor)
    check_size(text, max_bytes)
    text = text.replace("\r\n", "\n")  # what a browser's textarea sends
    saved = store.save_draft(db, draft_id, text)
    result = lint(saved)
    audit(
        db,
        actor.email,
        "questionnaire draft saved",
        f"draft {saved.id}: {saved.questionnaire_id}, {len(result.errors)} errors",
    )
    return saved, result


def publish_draft(db: Store, actor: Account, draft_id: int) -> PublishedVersion:
    """Publish the draft as saved: QuestionnaireError if it has errors, InvalidInput if its
    text names another questionnaire than the draft's, Conflict if its version is already
    published with other content."""
    require_manager(actor)
    found = store.get_draft(db, draft_id)
    result = lint(found)
    if result.questionnaire is None:
        raise QuestionnaireError(result.problems)
    if result.questionnaire.id != found.questionnaire_id:
        raise InvalidInput(
            f"draft {draft_id} is {found.questionnaire_id}, its text says "
            f"{result.questionnaire.id}",
            message_nb=(
                f"Utkastet er spørreskjemaet «{found.questionnaire_id}», men teksten har "
                f"«id: {result.questionnaire.id}». Sett id-en tilbake til "
                f"{found.questionnaire_id}, så blir ikke et annet spørreskjema endret."
            ),
            field="text",
        )
    version = publish_questionnaire(db, actor, result)
    store.mark_published(db, draft_id, version.id)
    return version
