"""Response rates per group: invited against answered.

Groups come from the invitation list (its role, unit and attributes), because that is what
the number invited is known for. A rate rests on the respondents who answered, so a group
with fewer answers than the minimum is hidden like any other cell - including a group where
no one answered, since "0 %" for a unit with one invited mayor names a non-respondent.
The number invited is the secretariat's own list and stays visible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from survey.questionnaire.model import Questionnaire
from survey.scoring.breakdown import as_categories, group_key, roll_up
from survey.scoring.likert import Respondent
from survey.scoring.suppression import (
    ALL,
    HIDDEN,
    STATED,
    mark_reasons,
    mark_suppressed,
    reason_of,
    stated_bounds,
)

if TYPE_CHECKING:
    from survey.scoring.audit import Headcounts

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
    stated: Sequence[Stated] = (),
    *,
    invited_shown: bool = True,
    counted: Sequence[Shown] = (),
    counted_stated: Sequence[Stated] = (),
) -> list[tuple[str, pd.DataFrame]]:
    """Response rates by each of ``dimensions`` ("" for the total alone) of the invitations
    in the group ``within`` (e.g. one unit), audited together and against the answered
    counts released before (``earlier``, from the release ledger) and the reasons given
    for hidden ones (``stated``), over all of ``invitations``.

    Each table is suppressed on its own first, but the tables share their total, and pages
    share their groups: a unit hidden to protect a smaller one is shown as a total on its
    own unit leader's page, and the small unit is then the round's total minus everything
    else. So all tables' shown counts, with every count released before that still holds
    (one that no longer matches the data is out of date; telling arrivals apart over time
    is for snapshots) and every reason given before that still holds, go past the
    auditor, over the finest groups of the invitation list. Then each table's reasons
    (``_told``).

    The number invited is shown beside every group, hidden or not, and no more can have
    answered than were invited: unit A (5 of 5 answered) and B (2 of 3) hidden beside a
    shown total of 7 give B at least 7 − 5 = 2. So the auditor reads every number invited
    a page can show (``_shown_headcounts``) as a bound on its group (``audit.Headcounts``;
    a group pinned at its own headcount, "everyone there answered", is no finding: the
    policy in docs/confidentiality.md). ``invited_shown`` is False for a table whose
    number invited is not shown (answers by channel, whose invitations are the answered
    only).

    ``counted`` and ``counted_stated`` are the counts of respondents the tables have
    released (every n of the ledger and of the report at hand) and the reasons given for
    their hidden groups. Where respondents stated the groups they were invited in, a
    table's n is the number of a group who answered, and the two audited apart leaked: a
    role's "at least 3" in a table, 4 rådmenn answered in the rates and another unit's
    report pinned the other unit's two. So they are read like ``earlier`` and ``stated``
    (their number invited is not shown with them). Only what the answered counts meet is
    read (a count equal to its group's, a reason true of it), so where the groups differ
    (an anonymous round, a respondent who stated another role) nothing false is read, and
    a count that meets the answered one by chance only hides more."""
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
    invited: dict[tuple[str, ...], int] = {}
    for groups, answered in invitations:
        cell = group_key(groups, names)
        counts[cell] = counts.get(cell, 0) + int(answered)
        invited[cell] = invited.get(cell, 0) + 1

    found: dict[tuple[tuple[str, str], ...], list[tuple[str, ...]]] = {}

    def cells(spec: Mapping[str, str]) -> list[tuple[str, ...]]:
        key = tuple(sorted(spec.items()))
        if key not in found:
            at = [(names.index(name), value) for name, value in key if name in names]
            found[key] = (  # [] for a dimension this list does not have: no group of these
                [cell for cell in counts if all(cell[i] == v for i, v in at)]
                if len(at) == len(key)
                else []
            )
        return found[key]

    from survey.scoring.audit import Disclosed, Headcounts, protect  # SciPy: only for work

    released: list[list[tuple[str, ...]]] = []
    seen: set[tuple[tuple[str, ...], ...]] = set()
    for spec, value in [*earlier, *counted]:  # the same count from many tables: once
        covered = cells(spec)
        if covered and tuple(covered) not in seen and sum(counts[c] for c in covered) == value:
            seen.add(tuple(covered))
            released.append(covered)
    limits = [  # the auditor leaves out those the counts no longer meet
        (covered, *stated_bounds(statistic, k))
        for spec, statistic, k in dict.fromkeys(
            (tuple(sorted(spec.items())), statistic, k)
            for spec, statistic, k in [*stated, *counted_stated]
        )
        if (covered := cells(dict(spec)))
    ]
    proposed: list[list[tuple[str, ...]]] = []
    rows: list[tuple[int, object]] = []
    for t, (name, table) in enumerate(tables):
        for index, row in table.iterrows():
            if not row["suppressed"]:
                proposed.append(cells(_spec(within, name, row)))
                rows.append((t, index))
    headcounts = None
    if invited_shown:
        ledger = [spec for spec, _ in earlier] + [spec for spec, _, _ in stated]
        shown = _shown_headcounts(names, counts) + [c for spec in ledger if (c := cells(spec))]
        headcounts = Headcounts.of_cells(invited, shown)
    try:
        hide = protect(
            counts, released, proposed, min_group_size, limits=limits, headcounts=headcounts
        )
    except Disclosed:  # what is out already gives a group away: show nothing new
        hide = {j for j, group in enumerate(proposed) if group not in released}
    for j in hide:
        t, index = rows[j]
        tables[t][1].loc[index, ["suppressed", "answered", "rate"]] = [True, np.nan, np.nan]
    shown = [*released, *(cells for j, cells in enumerate(proposed) if j not in hide)]
    _told(tables, counts, cells, within, shown, limits, min_group_size, headcounts)
    return tables


def answered_as_respondents(
    shown: Sequence[Shown], respondents: Sequence[Respondent]
) -> list[dict[str, str]]:
    """The groups of released answered counts (``shown``) that are their group's count of
    ``respondents`` too: figures of the tables' "respondents" measure to every table's
    audit (``scoring.linked``), the other half of ``linked_rates``'s ``counted``. Where
    respondents stated the groups they were invited in, each answered count is one; a
    count that differs says nothing of the respondents and is left out, and one that meets
    theirs by chance only hides more. (Reasons need no such care: a table's audit leaves
    out a stated bound its counts do not meet.)"""
    stated = {name for groups, _ in respondents for name in groups}
    names = sorted({name for spec, _ in shown for name in spec} & stated)
    cells = Counter(group_key(groups, names) for groups, _ in respondents)
    counted: dict[tuple[tuple[str, str], ...], int | None] = {}  # each group counted once
    found: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
    for spec, value in shown:
        key = tuple(sorted(spec.items()))
        if key not in counted:
            at = [(names.index(name), v) for name, v in key if name in names]
            counted[key] = (  # None: a dimension respondents do not state (a channel)
                sum(n for cell, n in cells.items() if all(cell[i] == v for i, v in at))
                if len(at) == len(key)
                else None
            )
        if counted[key] == value:
            found.setdefault(key, dict(spec))
    return list(found.values())


def _shown_headcounts(
    names: Sequence[str], cells: Iterable[tuple[str, ...]]
) -> list[list[tuple[str, ...]]]:
    """The cells of every group whose number invited a page can show (``_headcount_groups``)."""
    return list(_headcount_groups(names, cells).values())


def _headcount_groups(
    names: Sequence[str], cells: Iterable[tuple[str, ...]]
) -> dict[tuple[tuple[int, str], ...], list[tuple[str, ...]]]:
    """Every group whose number invited a page can show, as (dimension's place in
    ``names``, value) pairs, with its cells: the round's, each dimension's groups over the
    round (the round page, a report) and within each unit (a unit's page, its report, a
    unit leader's list of rounds). Response rates are shown by one dimension at a time,
    within a unit or not, so no other group's number invited is shown. Pages other than
    the one audited count too: a number invited read yesterday bounds today's figures."""
    unit = names.index("unit") if "unit" in names else None
    groups: dict[tuple[tuple[int, str], ...], list[tuple[str, ...]]] = {}
    for cell in cells:
        keys: list[tuple[tuple[int, str], ...]] = [()]
        for n, value in enumerate(cell):
            keys.append(((n, value),))
            if unit is not None and n != unit:
                keys.append(((unit, cell[unit]), (n, value)))
        for key in keys:
            groups.setdefault(key, []).append(cell)
    return groups


def invited_groups(
    invitations: Sequence[Invited], names: Sequence[str]
) -> tuple[dict[tuple[str, ...], int], list[tuple[dict[str, str], int]]]:
    """What the numbers invited tell the tables (``scoring.linked.Invitations``): each
    finest cell's number invited over ``names`` (the tables' dimensions), and every group
    whose number invited a page can show (``_headcount_groups``) that the tables' cells
    can tell (its dimensions among ``names``), with that number. A table's count of a
    group is at most its number invited where respondents stated their invitations'
    groups; where not, the auditor leaves out what the counts exceed."""
    listed = sorted({name for groups, _ in invitations for name in groups})
    per_cell = Counter(group_key(groups, listed) for groups, _ in invitations)
    cells = Counter(group_key(groups, names) for groups, _ in invitations)
    shown = []
    for key, members in _headcount_groups(listed, per_cell).items():
        group = {listed[n]: value for n, value in key}
        if all(name in names for name in group):
            shown.append((group, sum(per_cell[c] for c in members)))
    return dict(cells), shown


Stated = tuple[Mapping[str, str], str, float]
"""A reason released before: its group, the ledger's statistic and k (``suppression.STATED``)."""


def _spec(within: Mapping[str, str], name: str, row: pd.Series) -> dict[str, str]:
    group = str(row[name]) if name else ALL
    return {**within, **({} if group == ALL else {name: group})}


def _told(
    tables: list[tuple[str, pd.DataFrame]],
    counts: Mapping[tuple[str, ...], int],
    cells: Callable[[Mapping[str, str]], list[tuple[str, ...]]],
    within: Mapping[str, str],
    shown: list[list[tuple[str, ...]]],
    limits: list[tuple[list[tuple[str, ...]], float, float]],
    k: int,
    headcounts: Headcounts[tuple[str, ...]] | None,
) -> None:
    """Each table's reasons for its hidden rows, where the auditor, reading them as
    inequalities with every answered count shown, every reason given before and every
    number invited a page shows (``headcounts``: no more can have answered), finds no
    group under the minimum; else every hidden row of that table is ``HIDDEN``. Tables
    are taken in order, each with the reasons given in those before it."""
    from survey.scoring.audit import audit  # SciPy loads only when there is work for it

    for name, table in tables:
        hidden = table[table["suppressed"].astype(bool)]
        if hidden.empty:
            continue
        groups = [cells(_spec(within, name, row)) for _, row in hidden.iterrows()]
        reasons = [reason_of(sum(counts[c] for c in group), k) for group in groups]
        said = [
            (group, *stated_bounds(STATED[why], k))
            for group, why in zip(groups, reasons, strict=True)
        ]
        if audit(counts, shown, k, limits=[*limits, *said], headcounts=headcounts) is None:
            table.loc[hidden.index, "reason"] = reasons
            limits += said
        else:
            table.loc[hidden.index, "reason"] = HIDDEN
