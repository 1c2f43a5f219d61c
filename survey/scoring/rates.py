"""Response rates per group: invited against answered.

Groups come from the invitation list (its role, unit and attributes), because that is what
the number invited is known for. A rate rests on the respondents who answered, so a group
with fewer answers than the minimum is hidden like any other cell - including a group where
no one answered, since "0 %" for a unit with one invited mayor names a non-respondent.
The number invited is the secretariat's own list and stays visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from survey.questionnaire.model import Questionnaire
from survey.scoring.breakdown import as_categories, group_key, roll_up
from survey.scoring.suppression import ALL, HIDDEN, mark_reasons, mark_suppressed

Invited = tuple[Mapping[str, str | None], bool]
"""An invitation's group values and whether it was answered (submitted)."""


def response_rates(
    questionnaire: Questionnaire,
    invitations: Iterable[Invited],
    by: Sequence[str],
    min_group_size: int,
) -> pd.DataFrame:
    """One row per group (margins included): invited, answered, rate, suppressed."""
    records = [(*group_key(groups, by), 1, int(answered)) for groups, answered in invitations]
    finest = as_categories(
        pd.DataFrame.from_records(records, columns=[*by, "invited", "n"]), by, questionnaire
    )
    if finest.empty:
        return pd.DataFrame(columns=[*by, "invited", "answered", "rate", "suppressed", "reason"])
    table = roll_up(finest.assign(_round=0), by, ["_round"], {"invited": "sum", "n": "sum"})
    table["suppressed"] = mark_suppressed(table, by, "_round", min_group_size)
    table["reason"] = mark_reasons(table, by, "_round", min_group_size)
    table["answered"] = table["n"].astype(float).where(~table["suppressed"], np.nan)
    table["rate"] = table["answered"] / table["invited"]
    return table[[*by, "invited", "answered", "rate", "suppressed", "reason"]]


Shown = tuple[Mapping[str, str], float]
"""A count released before: the group it is of (dimension -> value) and its value."""


def linked_rates(
    questionnaire: Questionnaire,
    invitations: Sequence[Invited],
    dimensions: Sequence[str],
    min_group_size: int,
    earlier: Sequence[Shown] = (),
    within: Mapping[str, str] | None = None,
) -> list[tuple[str, pd.DataFrame]]:
    """Response rates by each of ``dimensions`` ("" for the total alone) of the invitations
    in the group ``within`` (e.g. one unit), audited together and against the answered
    counts released before (``earlier``, from the release ledger), over all of
    ``invitations``.

    Each table is suppressed on its own first, but the tables share their total, and pages
    share their groups: a unit hidden to protect a smaller one is shown as a total on its
    own unit leader's page, and the small unit is then the round's total minus everything
    else. So all tables' shown counts, with every count released before that still holds
    (one that no longer matches the data is out of date; telling arrivals apart over time
    is for snapshots), go past the auditor, over the finest groups of the invitation list."""
    within = within or {}
    names = sorted({name for groups, _ in invitations for name in groups} | set(within))
    chosen = [
        (groups, answered)
        for groups, answered in invitations
        if all(group_key(groups, [n])[0] == v for n, v in within.items())
    ]
    tables = [  # "" is the total alone
        (name, response_rates(questionnaire, chosen, [name] if name else [], min_group_size))
        for name in dimensions
    ]
    if not chosen:
        return tables
    counts: dict[tuple[str, ...], int] = {}
    for groups, answered in invitations:
        cell = group_key(groups, names)
        counts[cell] = counts.get(cell, 0) + int(answered)

    def cells(spec: Mapping[str, str]) -> list[tuple[str, ...]]:
        at = [(names.index(name), value) for name, value in spec.items() if name in names]
        if len(at) < len(spec):
            return []  # a dimension this list does not have: not a group of these cells
        return [cell for cell in counts if all(cell[i] == value for i, value in at)]

    from survey.scoring.audit import protect  # SciPy loads only when there is work for it

    released = []
    for spec, value in earlier:
        covered = cells(spec)
        if covered and sum(counts[c] for c in covered) == value:
            released.append(covered)
    proposed: list[list[tuple[str, ...]]] = []
    rows: list[tuple[int, object]] = []
    for t, (name, table) in enumerate(tables):
        for index, row in table.iterrows():
            if not row["suppressed"]:
                group = str(row[name]) if name else ALL
                spec = {**within, **({} if group == ALL else {name: group})}
                proposed.append(cells(spec))
                rows.append((t, index))
    if released or len(tables) > 1:  # a reason is checked against its own table only
        for _, table in tables:
            table.loc[table["suppressed"].astype(bool), "reason"] = HIDDEN
    for j in protect(counts, released, proposed, min_group_size):
        t, index = rows[j]
        table = tables[t][1]
        table.loc[index, ["suppressed", "answered", "rate"]] = [True, np.nan, np.nan]
        # hidden for a figure outside this table: no table's reasons can be given safely
        table.loc[table["suppressed"].astype(bool), "reason"] = HIDDEN
    return tables
