"""Breakdowns with margins: every figure table has the same rows, in the same order.

Figures are computed once at the finest level (every group value crossed, per item) as
additive counts and sums, then rolled up to each margin and the total by summing. That is
exact (a mean is a sum over a count, a standard deviation needs one more sum of squares,
and a Likert median follows from the counts per point) and it touches the answers only
once, which is what keeps a national round fast.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence

import pandas as pd

from survey.questionnaire.model import Questionnaire
from survey.scoring.suppression import ALL, levels

NOT_GIVEN = "(ikke oppgitt)"
"""The group of respondents with no value for a dimension. It must be a group of its own:
left out of the cells but counted in the total, it could be computed by subtraction."""


def group_key(groups: Mapping[str, str | None], by: Sequence[str]) -> tuple[str, ...]:
    return tuple(groups.get(name) or NOT_GIVEN for name in by)


def as_categories(
    frame: pd.DataFrame, columns: Sequence[str], questionnaire: Questionnaire
) -> pd.DataFrame:
    """Group columns as categoricals in reading order (see ``reading_order``). Categorical
    keys also make the group-bys of a national round several times faster."""
    for name in columns:
        order = reading_order(questionnaire, name, set(frame[name]))
        frame[name] = pd.Categorical(frame[name], categories=order)
    return frame


def reading_order(questionnaire: Questionnaire, name: str, values: set[str]) -> list[str]:
    """Roles as the questionnaire lists them, other values sorted naturally ("Enhet 2"
    before "Enhet 10"), "not given" last."""
    roles = [role.code for role in questionnaire.roles] if name == "role" else []
    ranked = [r for r in roles if r in values]
    rest = sorted(values - set(ranked) - {NOT_GIVEN}, key=_natural)
    return ranked + rest + ([NOT_GIVEN] if NOT_GIVEN in values else [])


def _natural(value: str) -> list[tuple[int, int, str]]:
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in _DIGITS.split(value.casefold())
    ]


_DIGITS = re.compile(r"(\d+)")


def roll_up(
    finest: pd.DataFrame,
    by: Sequence[str],
    per: Sequence[str],
    how: Mapping[str, str | tuple[str, str]],
) -> pd.DataFrame:
    """Aggregate ``finest`` at every level of the breakdown: per group × ``per``, per
    margin and in total. ``how`` names each output column and says how to get it: "sum"
    (of the column of that name) or (column, function). Margin rows hold ``ALL`` in the
    group columns they sum over; rows come per ``per`` value, the total first, then groups
    in their categorical order.

    ``finest`` may be already-aggregated cells (sum them) or raw rows (any aggregation)."""
    named = {
        name: (spec if isinstance(spec, tuple) else (name, spec)) for name, spec in how.items()
    }
    orders = {name: _order(finest[name]) for name in [*by, *per]}
    parts = []
    for kept in levels(by):
        keys: list[str | pd.Series[int]] = [*kept, *per]
        if not keys:  # the total: every row in one group
            keys = [pd.Series(0, index=finest.index, name="_all")]
        part = finest.groupby(keys, observed=True, sort=False).agg(**named).reset_index()
        for name in by:
            if name not in kept:
                part[name] = ALL
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    for name in by:
        table[name] = table[name].astype(object)
    if [*per, *by]:
        rank = pd.DataFrame({name: table[name].map(orders[name]) for name in [*per, *by]})
        table = table.loc[rank.sort_values([*per, *by], kind="stable").index]
    return table.reset_index(drop=True)[[*by, *per, *how]]


def _order(column: pd.Series) -> dict[Hashable, int]:
    values = (
        list(column.cat.categories)
        if isinstance(column.dtype, pd.CategoricalDtype)
        else list(dict.fromkeys(column))
    )
    return {ALL: -1} | {value: rank for rank, value in enumerate(values)}
