"""Which cells of a breakdown must be hidden so no group below the minimum can be recovered.

A breakdown is shown with its margins: the total, and in a crossed breakdown the total of
every role and of every unit. Margins are cells too: their key has ``ALL`` in the dimensions
they sum over, so ``("ordforer", ALL)`` is all mayors and ``(ALL, ALL)`` everyone.

Primary suppression hides every cell resting on fewer than ``k`` respondents. That is not
enough: a shown margin minus the shown cells of its line gives the hidden ones. So along
every line we keep hiding the smallest visible cell until the hidden cells together rest on
at least ``k`` respondents, and when a margin itself is hidden, every cell of its line goes
too (else the margin would be their sum, and it is hidden because it is small or because
it is needed to protect a neighbour). Lines are checked along each dimension in turn until
nothing changes.

Lines are only the proposal. An attacker reasons over every figure of the table at once
(a line's hidden cell can follow from another line's margin once that line is solved), so
the pattern then goes past the auditor (``scoring.audit``), which hides more until no group
under the minimum can be worked out from what is shown, exactly or within one respondent.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import TypeVar

import numpy as np
import pandas as pd

ALL = "*"
"""The value of a group column in a margin row: "all values of this dimension"."""

V = TypeVar("V", bound=Hashable)
"""A group value (a role code, a unit); a cell's key has one per dimension, and a
margin's key has ``ALL`` in the dimensions it sums over."""

T = TypeVar("T")


def with_margins(counts: Mapping[tuple[V, ...], int]) -> dict[tuple[V | str, ...], int]:
    """The cells and every margin of a breakdown, by summing the finest cells."""
    dims = len(next(iter(counts))) if counts else 0
    totals: dict[tuple[V | str, ...], int] = {}
    for group, n in counts.items():
        for kept in levels(range(dims)):
            key = tuple(value if dim in kept else ALL for dim, value in enumerate(group))
            totals[key] = totals.get(key, 0) + n
    return totals


def suppressed_groups(counts: Mapping[tuple[V, ...], int], k: int) -> set[tuple[V | str, ...]]:
    """The cells and margins (keys with ``ALL``) whose figures must not be shown.

    ``counts`` holds the finest cells. A cell listed with 0 counts as present (a group that
    was invited but did not answer): hiding it must not be undone by subtraction either."""
    cells = with_margins(counts)
    hidden = {group for group, n in cells.items() if n < k}
    while True:
        _hide_along_lines(cells, hidden, k)
        more = _audited(counts, cells, hidden, k)
        if not more:
            return hidden
        hidden |= more


def _hide_along_lines(
    cells: Mapping[tuple[V | str, ...], int], hidden: set[tuple[V | str, ...]], k: int
) -> None:
    dims = len(next(iter(cells))) if cells else 0
    changed = True
    while changed:
        changed = False
        for dim in range(dims):
            lines: dict[tuple[V | str, ...], list[tuple[V | str, ...]]] = {}
            for group in cells:
                if group[dim] != ALL:
                    lines.setdefault(group[:dim] + (ALL,) + group[dim + 1 :], []).append(group)
            for margin, members in lines.items():
                shown = [g for g in members if g not in hidden]
                if margin in hidden:
                    hidden.update(shown)
                    changed = changed or bool(shown)
                    continue
                if len(shown) == len(members):
                    continue
                if sum(cells[g] for g in members if g in hidden) < k and shown:
                    hidden.add(min(shown, key=lambda g: (cells[g], str(g))))
                    changed = True


def _audited(
    counts: Mapping[tuple[V, ...], int],
    cells: Mapping[tuple[V | str, ...], int],
    hidden: set[tuple[V | str, ...]],
    k: int,
) -> set[tuple[V | str, ...]]:
    """What the auditor hides on top of the lines' proposal: the shown figures are sums
    of finest cells, wanted in the order of their size (so the smallest go first)."""
    if all(n == 0 or n >= k for n in counts.values()):
        return set()  # no group under the minimum to find (the auditor's own first check)
    from survey.scoring.audit import protect  # SciPy loads only when there is work for it

    shown = sorted((g for g in cells if g not in hidden), key=lambda g: (-cells[g], str(g)))
    within: dict[tuple[V | str, ...], list[tuple[V, ...]]] = {}
    dims = range(len(next(iter(counts)))) if counts else range(0)
    for cell in counts:
        for kept in levels(dims):
            key = tuple(value if dim in kept else ALL for dim, value in enumerate(cell))
            within.setdefault(key, []).append(cell)
    return {shown[j] for j in protect(counts, [], [within[g] for g in shown], k)}


def levels(dims: Iterable[T]) -> list[tuple[T, ...]]:
    """Every subset of the breakdown's dimensions, finest first: the cells, then each
    margin, then the total."""
    every = tuple(dims)
    return [kept for size in range(len(every), -1, -1) for kept in combinations(every, size)]


def mark_suppressed(table: pd.DataFrame, by: Sequence[str], per: str, k: int) -> pd.Series:
    """For a table of group × ``per`` rows (margins included, ``ALL`` in their group
    columns) with an ``n`` column: which rows to hide. Each ``per`` value (an item, an
    index, a question) is its own breakdown."""
    hidden = pd.Series(False, index=table.index)
    decided: dict[tuple[tuple[Hashable, int], ...], set[tuple[Hashable, ...]]] = {}
    for _, rows in table.groupby(per, observed=True, sort=False):
        keys = list(zip(*(rows[b] for b in by), strict=True)) if by else [()] * len(rows)
        counts = {key: int(n) for key, n in zip(keys, rows["n"], strict=True) if ALL not in key}
        same = tuple(counts.items())  # items everyone answered share one decision
        secret = decided.get(same)
        if secret is None:
            secret = decided[same] = suppressed_groups(counts, k)
        hidden.loc[rows.index] = np.array([key in secret for key in keys], dtype=bool)
    return hidden


SMALL = "small"
"""A hidden cell's reason: its own group is under the minimum (primary suppression)."""
COMPLEMENT = "complement"
"""A hidden cell's reason: its group is large enough, but hidden to protect a small one."""
HIDDEN = "hidden"
"""No reason given: telling the reasons apart would say more than the figures may."""

GIVE_REASONS = False
"""Whether a hidden cell may say why (``mark_reasons``). Off: a reason is an inequality on
its group's count (at most k − 1, at least k), and while one report's reasons are checked
against its own figures (``hidden_reasons``), the auditor of a later release by another
breakdown does not yet read earlier reasons as inequalities, so the two together could
narrow a small group that each alone protects (docs/confidentiality.md). Until it does,
every hidden cell says only "skjult"; the checks that decide where a reason would be safe
stay, tested, for the day the auditor reads them."""

MAX_PAIRS = 100  # unions of two small cells checked per table, smallest first


def hidden_reasons(
    counts: Mapping[tuple[V, ...], int], hidden: Iterable[tuple[V | str, ...]], k: int
) -> dict[tuple[V | str, ...], str]:
    """Why each hidden cell or margin of a breakdown is hidden, as far as saying so is safe.

    A reason is a figure too: "fewer than k" says the group's count is at most k - 1,
    "hidden to protect a small group" that it is at least k, and an attacker adds these
    inequalities to the shown figures. (k = 5: a margin of 7 split into a hidden 2 and a
    hidden 5; labelled, the 5 is at least 5, so the 2 is at most 2, pinned to its true
    value.) So the reasons are given only when, with them, every group under the minimum
    in the table can still be bounded no closer than one respondent either side (the
    auditor's rule, ``scoring.audit``); else every hidden cell of the table is ``HIDDEN``,
    which tells nothing beyond that it is hidden."""
    cells = with_margins(counts)
    kinds = {group: (SMALL if cells[group] < k else COMPLEMENT) for group in hidden}
    if not kinds or _labels_protect(counts, cells, kinds, k):
        return kinds
    return dict.fromkeys(kinds, HIDDEN)


def _labels_protect(
    counts: Mapping[tuple[V, ...], int],
    cells: Mapping[tuple[V | str, ...], int],
    kinds: Mapping[tuple[V | str, ...], str],
    k: int,
) -> bool:
    """Whether, with the shown cells as equations and the reasons as inequalities over the
    finest cells (none negative), every small hidden group, small finest cell and union
    of two small finest cells keeps one respondent of room either side."""
    finest = list(counts)
    if any(kind == SMALL and 0 < cells[group] == k - 1 for group, kind in kinds.items()):
        return False  # "fewer than k" of a group of k - 1 pins it from above

    def row(group: tuple[Hashable, ...]) -> np.ndarray:
        return np.array(
            [all(v in (ALL, c) for v, c in zip(group, cell, strict=True)) for cell in finest],
            dtype=float,
        )

    shown = [g for g in cells if g not in kinds]
    a_eq = np.array([row(g) for g in shown]) if shown else None
    b_eq = np.array([cells[g] for g in shown], dtype=float) if shown else None
    ub = [(row(g), k - 1) if kind == SMALL else (-row(g), -k) for g, kind in kinds.items()]
    a_ub = np.array([r for r, _ in ub])
    b_ub = np.array([b for _, b in ub], dtype=float)
    small = [i for i, cell in enumerate(finest) if 0 < counts[cell] < k]
    sets = [row(g) for g, kind in kinds.items() if 0 < cells[g] < k]
    sets += [np.eye(len(finest))[i] for i in small]
    pairs = sorted(
        ((i, j) for n, i in enumerate(small) for j in small[n + 1 :]),
        key=lambda p: counts[finest[p[0]]] + counts[finest[p[1]]],
    )
    sets += [
        np.eye(len(finest))[i] + np.eye(len(finest))[j]
        for i, j in pairs[:MAX_PAIRS]
        if counts[finest[i]] + counts[finest[j]] < k
    ]
    from scipy.optimize import linprog  # SciPy loads only when there is work for it

    values = np.array([counts[cell] for cell in finest], dtype=float)
    for weights in sets:
        value = float(weights @ values)
        bounds: list[float] = []
        for sign in (1.0, -1.0):
            found = linprog(
                sign * weights, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, method="highs"
            )
            if found.status == 3:  # unbounded: only from above
                bounds.append(math.inf)
            elif found.status != 0 or found.fun is None:
                return False  # infeasible or failed: say nothing
            else:
                bounds.append(sign * float(found.fun))
        low = math.ceil(bounds[0] - 1e-6)  # whole respondents: rounded inward
        high = bounds[1] if math.isinf(bounds[1]) else math.floor(bounds[1] + 1e-6)
        if low > value - 1 or high < value + 1:
            return False
    return True


def mark_reasons(table: pd.DataFrame, by: Sequence[str], per: str, k: int) -> pd.Series:
    """For a suppressed table (``n`` still unblanked, a ``suppressed`` column): each hidden
    row's reason (``hidden_reasons``), None for a shown one. Where more is hidden than the
    table's own suppression decides (to protect a group of another table, ``scoring.linked``),
    the figures that made it necessary are not in this table: no reasons, ``HIDDEN``."""
    reasons = pd.Series(None, index=table.index, dtype=object)
    if not GIVE_REASONS:
        reasons[table["suppressed"].astype(bool)] = HIDDEN
        return reasons
    decided: dict[tuple[object, ...], dict[tuple[Hashable, ...], str]] = {}
    for _, rows in table.groupby(per, observed=True, sort=False):
        keys = list(zip(*(rows[b] for b in by), strict=True)) if by else [()] * len(rows)
        hidden = tuple(key for key, s in zip(keys, rows["suppressed"], strict=True) if s)
        if not hidden:
            continue
        counts = {key: int(n) for key, n in zip(keys, rows["n"], strict=True) if ALL not in key}
        same = (tuple(counts.items()), hidden)
        if same not in decided:
            own = suppressed_groups(counts, k)
            decided[same] = (
                hidden_reasons(counts, hidden, k)
                if own == set(hidden)
                else dict.fromkeys(hidden, HIDDEN)
            )
        for index, key in zip(rows.index, keys, strict=True):
            if key in decided[same]:
                reasons[index] = decided[same][key]
    return reasons
