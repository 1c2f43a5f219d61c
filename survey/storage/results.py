"""Everything a result report needs of a round, read in one go.

Reports and `survey scores` take plain data (respondents with their group values, and
invitations with whether they were answered), never a database handle, so the same
scoring runs on a stored round, a generated one in a test, or an imported file."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from survey.questionnaire.model import Questionnaire
from survey.scoring.likert import Respondent
from survey.scoring.rates import Invited
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.responses import submitted_responses
from survey.storage.rounds import Round, get_round


@dataclass(frozen=True)
class RoundResults:
    round: Round
    questionnaire: Questionnaire
    respondents: list[Respondent]
    invitations: list[Invited]  # empty for an anonymous round: no one is invited by name
    first_answer: str | None  # dates (day precision), as stored
    last_answer: str | None


def round_results(db: sqlite_utils.Database, round_id: int) -> RoundResults:
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    respondents: list[Respondent] = [
        ({"role": role, "unit": unit, **attributes}, answers)
        for _, role, unit, attributes, answers in submitted_responses(db, questionnaire, round_id)
    ]
    first, last = db.execute(
        "SELECT min(started_on), max(submitted_on) FROM responses "
        "WHERE round_id = ? AND submitted = 1",
        [round_id],
    ).fetchone()
    return RoundResults(round_, questionnaire, respondents, invited(db, round_id), first, last)


def invited(db: sqlite_utils.Database, round_id: int) -> list[Invited]:
    """Each invitation's group values and whether it was answered; no answers are read, so
    response-rate overviews stay cheap however large the round."""
    return [
        ({"role": role, "unit": unit, **json.loads(attributes)}, bool(submitted))
        for role, unit, attributes, submitted in db.execute(
            "SELECT i.role, i.unit, i.attributes, coalesce(r.submitted, 0) FROM invitations i "
            "LEFT JOIN responses r ON r.invitation_id = i.id WHERE i.round_id = ? "
            "ORDER BY i.id",
            [round_id],
        )
    ]
