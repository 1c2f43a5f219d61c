"""Publishing a questionnaire: from checked YAML to an immutable version."""

from __future__ import annotations

from survey.accounts import Account
from survey.operations.access import require_manager
from survey.questionnaire.loader import LoadResult
from survey.storage.questionnaires import PublishedVersion, publish
from survey.storage.store import Store
from survey.storage.users import audit


def publish_questionnaire(db: Store, actor: Account, result: LoadResult) -> PublishedVersion:
    """Publish a loaded file; QuestionnaireError (InvalidInput, with every problem) if it has
    errors, Conflict if its version is already published with other content. Publishing
    the same text again is a no-op, audited as a re-upload."""
    require_manager(actor)
    version = publish(db, result)
    audit(
        db,
        actor.email,
        "questionnaire published" if version.created else "questionnaire re-uploaded",
        f"{version.questionnaire_id} version {version.version} ({version.sha256[:12]})",
    )
    return version
