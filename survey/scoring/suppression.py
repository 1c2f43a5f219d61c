"""Which cells of a breakdown must be hidden so no group below the minimum can be recovered.

Primary suppression hides every cell resting on fewer than ``k`` respondents. That is not
enough: with the total shown, a single hidden group is the total minus the others. So along
every line of the table (all groups that share the other coordinates, whose sum is a shown
margin) we keep hiding the smallest visible group until the hidden ones together rest on at
least ``k`` respondents. Crossed breakdowns are checked along each dimension in turn until
nothing changes.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import pandas as pd

Group = tuple[Hashable, ...]


def suppressed_groups(counts: Mapping[Group, int], k: int) -> set[Group]:
    """The groups (tuples of breakdown values) whose cells must not be shown."""
    live = {group: n for group, n in counts.items() if n > 0}
    hidden = {group for group, n in live.items() if n < k}
    dims = len(next(iter(live))) if live else 0
    changed = True
    while changed:
        changed = False
        for dim in range(dims):
            lines: dict[Group, list[Group]] = {}
            for group in live:
                lines.setdefault(group[:dim] + group[dim + 1 :], []).append(group)
            for groups in lines.values():
                hidden_n = sum(live[g] for g in groups if g in hidden)
                if not 0 < hidden_n < k:
                    continue
                visible = sorted((g for g in groups if g not in hidden), key=lambda g: live[g])
                if visible:
                    hidden.add(visible[0])
                    changed = True
    return hidden


def mark_suppressed(table: pd.DataFrame, by: Sequence[str], per: str, k: int) -> pd.Series:
    """For a table of group × ``per`` rows with an ``n`` column: which rows to hide, each
    ``per`` value (an item, an index) being its own breakdown."""
    hidden = pd.Series(False, index=table.index)
    for _, rows in table.groupby(per, observed=True):
        keys = {
            position: tuple(row[b] for b in by) or ("all",) for position, row in rows.iterrows()
        }
        counts = {keys[position]: int(n) for position, n in rows["n"].items()}
        secret = suppressed_groups(counts, k)
        for position, key in keys.items():
            hidden[position] = key in secret
    return hidden
