"""Reading a round's results: what an account may see, by which breakdown, and the report.

A breakdown is checked here, once, for the web's ``?etter=`` and the CLI's ``--by`` alike:
only role, unit and the round's own attributes, each once, at most ``MAX_DIMENSIONS`` of
them. Anything else used to reach pandas (a repeated name crashed the scoring, ten names
took half a minute of CPU inside one request).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd
import sqlite_utils

from survey.accounts import Account
from survey.errors import InvalidInput
from survey.operations.access import require_results
from survey.questionnaire.model import Questionnaire
from survey.records import Measure, Round
from survey.report.content import Report, build_report
from survey.scoring.indexes import index_scores
from survey.scoring.likert import columns_frame, item_scores
from survey.scoring.rates import response_rates
from survey.storage.measures import measures_of_round
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.results import (
    RoundResults,
    attribute_names,
    invited,
    likert_columns,
    round_results,
)
from survey.storage.rounds import get_round, list_rounds
from survey.storage.users import audit

MAX_DIMENSIONS = 3
FIXED_DIMENSIONS = ("role", "unit")


def checked_breakdown(
    db: sqlite_utils.Database, round_id: int, by: str | Sequence[str]
) -> list[str]:
    """``by`` ("role,unit" or a list of names) as a list of dimensions the round has;
    InvalidInput (with a bokmål message naming the choices) for anything else."""
    names = [n.strip() for n in by.split(",")] if isinstance(by, str) else [*by]
    names = [name for name in names if name]
    known = [*FIXED_DIMENSIONS, *sorted(attribute_names(db, round_id) - set(FIXED_DIMENSIONS))]
    offered = ", ".join(known)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidInput(
            f"round {round_id} has no breakdown {unknown[0]!r}; use {offered}",
            message_nb=f"Runden kan ikke brytes ned etter «{unknown[0][:40]}». Velg blant: "
            f"{offered}.",
        )
    if len(set(names)) < len(names):
        raise InvalidInput(
            "a breakdown names each dimension once",
            message_nb="Nevn hver inndeling bare én gang.",
        )
    if len(names) > MAX_DIMENSIONS:
        raise InvalidInput(
            f"a breakdown has at most {MAX_DIMENSIONS} dimensions, not {len(names)}",
            message_nb=f"En nedbrytning kan ha høyst {MAX_DIMENSIONS} inndelinger.",
        )
    return names


def rounds_overview(
    db: sqlite_utils.Database, actor: Account
) -> list[tuple[Round, Questionnaire, pd.Series | None]]:
    """Every round the account may see, with its questionnaire and its overall response
    rate (suppressed like every other figure): a unit leader sees only rounds that invited
    someone in their units, and only their units' rate."""
    found = []
    for round_ in list_rounds(db):
        invitations = invited(db, round_.id)
        if actor.role == "unit-leader":
            invitations = [i for i in invitations if i[0].get("unit") in actor.units]
            if not invitations:
                continue
        elif not actor.may_read_results():
            continue
        questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
        rates = response_rates(questionnaire, invitations, [], round_.min_group_size)
        found.append((round_, questionnaire, rates.iloc[0] if len(rates) else None))
    return found


def results_for(
    db: sqlite_utils.Database, actor: Account, round_id: int, unit: str | None = None
) -> RoundResults:
    """The round's results, or one unit's: Forbidden unless the account may read them (a
    unit leader reads only their own units, never the whole round)."""
    require_results(actor, unit)
    results = round_results(db, round_id)
    if unit is None:
        return results
    return replace(
        results,
        respondents=[r for r in results.respondents if r[0].get("unit") == unit],
        invitations=[i for i in results.invitations if i[0].get("unit") == unit],
    )


@dataclass(frozen=True)
class ReportRequest:
    """Everything one report is made from, read and checked: building it needs no database,
    so it can be built (and rendered) later, in another thread."""

    results: RoundResults
    by: list[str]
    earlier: RoundResults | None = None
    measures: Sequence[Measure] = ()

    def build(self) -> Report:
        return build_report(self.results, self.by, self.earlier, measures=self.measures)


def report_request(
    db: sqlite_utils.Database,
    actor: Account,
    round_id: int,
    by: str | Sequence[str] = ("role",),
    *,
    unit: str | None = None,
    compare: int | None = None,
) -> ReportRequest:
    """What the report of ``round_id`` (or one unit's) is made from, compared with an
    earlier round and the measures recorded after it when ``compare`` names one (a unit's
    report shows only that unit's measures). Forbidden, NotFound or InvalidInput (the
    breakdown) before anything is read."""
    dimensions = checked_breakdown(db, round_id, by)
    results = results_for(db, actor, round_id, unit)
    earlier = results_for(db, actor, compare, unit) if compare is not None else None
    measures = measures_of_round(db, compare, unit) if compare is not None else ()
    return ReportRequest(results, dimensions, earlier, measures)


def make_report(
    db: sqlite_utils.Database,
    actor: Account,
    round_id: int,
    by: str | Sequence[str] = ("role",),
    *,
    unit: str | None = None,
    compare: int | None = None,
) -> Report:
    """The report's content, scored and suppressed (see ``report_request``), audited."""
    request = report_request(db, actor, round_id, by, unit=unit, compare=compare)
    report = request.build()
    detail = f"round {round_id}, unit {unit or 'alle'}, by {','.join(request.by) or '-'}"
    audit(
        db, actor.email, "report made", detail + (f", compared with {compare}" if compare else "")
    )
    return report


def report_downloaded(
    db: sqlite_utils.Database,
    actor: Account,
    round_id: int,
    by: Sequence[str],
    unit: str | None = None,
) -> None:
    """A rendered report handed to the account (the PDF is rendered in the background and
    kept, so handing it out is a step of its own): checked and audited like making one."""
    require_results(actor, unit)
    audit(
        db,
        actor.email,
        "report downloaded",
        f"round {round_id}, unit {unit or 'alle'}, by {','.join(by) or '-'}",
    )


def scores(
    db: sqlite_utils.Database, actor: Account, round_id: int, by: str | Sequence[str] = ()
) -> pd.DataFrame:
    """Item and index scores per group of the breakdown, margins included, suppressed by
    the round's minimum group size: the tables the report is made of, as one frame."""
    require_results(actor, None)
    dimensions = checked_breakdown(db, round_id, by)
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    k = round_.min_group_size
    columns = likert_columns(db, questionnaire, round_id, dimensions)
    frame = columns_frame(questionnaire, columns, dimensions)
    items = item_scores(questionnaire, frame, dimensions, k)
    indexes = index_scores(questionnaire, frame, dimensions, k)
    items.insert(len(dimensions), "kind", "item")
    indexes = indexes.rename(columns={"index": "item"})
    indexes.insert(len(dimensions), "kind", "index")
    table = pd.concat([items, indexes], ignore_index=True)
    table.insert(0, "min_group_size", k)
    audit(db, actor.email, "scores read", f"round {round_id}, by {','.join(dimensions) or '-'}")
    return table
