"""Everything a result report needs of a round, read in one go.

Reports and `survey scores` take plain data (respondents with their group values, and
invitations with whether they were answered), never a database handle, so the same
scoring runs on a stored round, a generated one in a test, or an imported file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from survey.bulk import paused_gc
from survey.questionnaire.model import Questionnaire
from survey.scoring.breakdown import group_key
from survey.scoring.likert import LikertColumns, Respondent
from survey.scoring.rates import Invited
from survey.storage.db import snapshot
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.responses import submitted_people, submitted_responses
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


def likert_columns(
    db: sqlite_utils.Database, questionnaire: Questionnaire, round_id: int, by: Sequence[str]
) -> LikertColumns:
    """A round's Likert answers straight from the answer rows, for ``columns_frame``.

    Scoring needs only each answer's item and point, so this skips the typed ``Answer``
    objects ``round_results`` builds: on a national round (a million answers) 2.6 s from the
    database to the item table against 3.6 s through typed answers (docs/performance.md).
    It reads the rows ``responses.encode`` writes for a Likert answer: the point in
    ``number``, or a not-scored choice in ``code``."""
    position = {item.id: n for n, item in enumerate(questionnaire.items)}
    marks = ",".join("?" * len(position))
    with snapshot(db), paused_gc():  # a million row tuples, none of them cyclic
        people = submitted_people(db, round_id)
        rows = db.execute(
            "SELECT a.response_id, a.item, a.number, a.code FROM responses r "
            "JOIN answers a ON a.response_id = r.id "
            f"WHERE r.round_id = ? AND r.submitted = 1 AND a.item IN ({marks}) ORDER BY r.id",
            [round_id, *position],
        ).fetchall()
        response_id, item, number, code = zip(*rows, strict=True) if rows else ([],) * 4
        del rows
    ids = np.fromiter((p.response_id for p in people), dtype=np.int64, count=len(people))
    return LikertColumns(
        keys=[group_key(p.groups(), by) for p in people],
        respondent=np.searchsorted(ids, np.asarray(response_id, dtype=np.int64)),
        item=np.fromiter(map(position.__getitem__, item), dtype=np.int32, count=len(item)),
        point=np.asarray(number, dtype=float),
        not_scored=[c or None for c in code],
    )
