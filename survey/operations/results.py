"""Reading a round's results: what an account may see, and the report made from it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import sqlite_utils

from survey.accounts import Account
from survey.operations.access import require_results
from survey.report.content import Report, build_report
from survey.storage.measures import measures_of_round
from survey.storage.results import RoundResults, round_results
from survey.storage.users import audit


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


def make_report(
    db: sqlite_utils.Database,
    actor: Account,
    round_id: int,
    by: Sequence[str] = ("role",),
    *,
    unit: str | None = None,
    compare: int | None = None,
) -> Report:
    """The report's content (scored and suppressed), compared with an earlier round and
    the measures recorded after it when ``compare`` names one."""
    results = results_for(db, actor, round_id, unit)
    earlier = results_for(db, actor, compare, unit) if compare is not None else None
    measures = measures_of_round(db, compare) if compare is not None else ()
    report = build_report(results, by, earlier, measures=measures)
    detail = f"round {round_id}, unit {unit or 'alle'}, by {','.join(by) or '-'}"
    audit(
        db, actor.email, "report made", detail + (f", compared with {compare}" if compare else "")
    )
    return report
