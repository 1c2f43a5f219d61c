"""Measures (tiltak): what a unit agrees to do about its results, and how far it has come."""

from __future__ import annotations

from datetime import date

from survey.accounts import Account
from survey.errors import InvalidInput, NotFound
from survey.operations.access import require_follow_up
from survey.storage import measures
from survey.storage.measures import Measure
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.rounds import get_round
from survey.storage.store import Store
from survey.storage.users import audit


def add_measure(
    db: Store,
    actor: Account,
    round_id: int,
    unit: str,
    index_id: str,
    what: str,
    who: str,
    due: date,
) -> Measure:
    require_follow_up(actor, unit)
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    if index_id not in {index.id for index in questionnaire.indexes}:
        raise InvalidInput(f"{questionnaire.id} has no index {index_id!r}")
    measure = measures.add_measure(db, round_id, unit, index_id, what, who, due, actor.email)
    audit(db, actor.email, "measure added", f"round {round_id}, {unit}")
    return measure


def set_measure_status(db: Store, actor: Account, measure_id: int, status: str) -> Measure:
    measure = measures.get_measure(db, measure_id)
    if measure is None:
        raise NotFound(f"there is no measure {measure_id}")
    require_follow_up(actor, measure.unit)
    measures.set_status(db, measure_id, status)
    audit(db, actor.email, "measure status changed", f"measure {measure_id}: {status}")
    return measure
