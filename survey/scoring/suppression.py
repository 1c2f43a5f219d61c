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

A hidden cell may say why (``SMALL``, ``COMPLEMENT``), where the auditor, reading the
reason as the inequality it is (``stated_bounds``), finds that safe; else ``HIDDEN``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
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


Printed = Callable[[Sequence[int]], Sequence[tuple[Sequence[float], float, float]]]
"""What a shown group prints of its distribution over a scale, as bounds on its counts per
point (``scoring.printed.distribution_rows``)."""


@dataclass(frozen=True)
class Distribution:
    """What a table's shown rows print of their counts per point: the columns holding each
    row's counts (``points``), and per ``per`` value (an item, a question) what a shown
    group prints of them (``printed``) and the unions of points whose count must stay
    unpinned beside each point's (``targets``, weights per point: ``audit.Points``)."""

    points: Sequence[str]
    printed: Callable[[object], Printed]
    targets: Callable[[object], Sequence[Sequence[float]]] = lambda _: ()


def suppressed_groups(
    counts: Mapping[tuple[V, ...], int],
    k: int,
    points: Mapping[tuple[V, ...], Sequence[int]] | None = None,
    printed: Printed | None = None,
    targets: Sequence[Sequence[float]] = (),
) -> set[tuple[V | str, ...]]:
    """The cells and margins (keys with ``ALL``) whose figures must not be shown.

    ``counts`` holds the finest cells. A cell listed with 0 counts as present (a group that
    was invited but did not answer): hiding it must not be undone by subtraction either.
    With ``points`` (each cell's counts per scale point) and ``printed``, every shown
    group's printed distribution is audited too, so no small group's count at a point can
    be worked out either."""
    cells = with_margins(counts)
    hidden = {group for group, n in cells.items() if n < k}
    while True:
        _hide_along_lines(cells, hidden, k)
        more = _audited(counts, cells, hidden, k, points, printed, targets)
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
    points: Mapping[tuple[V, ...], Sequence[int]] | None = None,
    printed: Printed | None = None,
    targets: Sequence[Sequence[float]] = (),
) -> set[tuple[V | str, ...]]:
    """What the auditor hides on top of the lines' proposal: the shown figures are sums
    of finest cells, wanted in the order of their size (so the smallest go first), each
    with its printed distribution where ``points`` are given."""
    if all(n == 0 or n >= k for n in counts.values()):
        return set()  # no group under the minimum to find (the auditor's own first check)
    from survey.scoring.audit import Points, protect  # SciPy loads only when there is work

    shown = sorted((g for g in cells if g not in hidden), key=lambda g: (-cells[g], str(g)))
    within = _within(counts)
    read = None if points is None or printed is None else Points(points, printed, targets=targets)
    return {shown[j] for j in protect(counts, [], [within[g] for g in shown], k, points=read)}


def _within(counts: Mapping[tuple[V, ...], int]) -> dict[tuple[V | str, ...], list[tuple[V, ...]]]:
    """Every cell and margin of a breakdown: the finest cells it sums."""
    within: dict[tuple[V | str, ...], list[tuple[V, ...]]] = {}
    dims = range(len(next(iter(counts)))) if counts else range(0)
    for cell in counts:
        for kept in levels(dims):
            key = tuple(value if dim in kept else ALL for dim, value in enumerate(cell))
            within.setdefault(key, []).append(cell)
    return within


def levels(dims: Iterable[T]) -> list[tuple[T, ...]]:
    """Every subset of the breakdown's dimensions, finest first: the cells, then each
    margin, then the total."""
    every = tuple(dims)
    return [kept for size in range(len(every), -1, -1) for kept in combinations(every, size)]


def mark_suppressed(
    table: pd.DataFrame,
    by: Sequence[str],
    per: str,
    k: int,
    distribution: Distribution | None = None,
) -> pd.Series:
    """For a table of group × ``per`` rows (margins included, ``ALL`` in their group
    columns) with an ``n`` column: which rows to hide. Each ``per`` value (an item, an
    index, a question) is its own breakdown. With a ``distribution``, each row's counts
    per point are audited too, as its shown rows print them."""
    hidden = pd.Series(False, index=table.index)
    decided: dict[tuple[object, ...], set[tuple[Hashable, ...]]] = {}
    for value, rows in table.groupby(per, observed=True, sort=False):
        keys = list(zip(*(rows[b] for b in by), strict=True)) if by else [()] * len(rows)
        counts = {key: int(n) for key, n in zip(keys, rows["n"], strict=True) if ALL not in key}
        per_point, printed = None, None
        targets: Sequence[Sequence[float]] = ()
        if distribution is not None:
            vectors = rows[list(distribution.points)].to_numpy(dtype=int).tolist()
            per_point = {
                key: tuple(v) for key, v in zip(keys, vectors, strict=True) if ALL not in key
            }
            printed, targets = distribution.printed(value), distribution.targets(value)
        # items everyone answered alike share one decision (printed alike: the targets
        # tell a multiple choice's patterns apart)
        same: tuple[object, ...] = (
            tuple(counts.items()),
            tuple(per_point.items()) if per_point else None,
            tuple(map(tuple, targets)),
        )
        secret = decided.get(same)
        if secret is None:
            secret = decided[same] = suppressed_groups(counts, k, per_point, printed, targets)
        hidden.loc[rows.index] = np.array([key in secret for key in keys], dtype=bool)
    return hidden


SMALL = "small"
"""A hidden cell's reason: its own group is under the minimum (primary suppression)."""
COMPLEMENT = "complement"
"""A hidden cell's reason: its group is large enough, but hidden to protect a small one."""
HIDDEN = "hidden"
"""No reason given: telling the reasons apart would say more than the figures may."""

STATED = {SMALL: "fewer than k", COMPLEMENT: "at least k"}
"""A given reason as the release ledger names it (its value is the round's k)."""


def stated_bounds(statistic: str, k: float) -> tuple[float, float]:
    """What a reason released as ``statistic`` (``STATED``) with the minimum ``k`` says of
    its group's count: "fewer than k", at most k - 1; "at least k", k or more. The one
    place a reason is read as an inequality (by the auditor, ``scoring.audit``, for every
    release after it)."""
    if statistic == STATED[SMALL]:
        return 0.0, k - 1
    if statistic == STATED[COMPLEMENT]:
        return k, math.inf
    raise ValueError(f"no reason is released as {statistic!r}")


def reason_of(count: int, k: int) -> str:
    """Why a hidden group is hidden: its own count is small, or it protects a small one."""
    return SMALL if count < k else COMPLEMENT


def hidden_reasons(
    counts: Mapping[tuple[V, ...], int], hidden: Iterable[tuple[V | str, ...]], k: int
) -> dict[tuple[V | str, ...], str]:
    """Why each hidden cell or margin of a breakdown is hidden, as far as saying so is safe,
    for a table read alone (``scoring.linked.Released.told`` decides it for a table read
    with everything released before).

    A reason is a figure too: "fewer than k" says the group's count is at most k - 1,
    "hidden to protect a small group" that it is at least k, and an attacker adds these
    inequalities to the shown figures. (k = 5: a margin of 7 split into a hidden 2 and a
    hidden 5; labelled, the 5 is at least 5, so the 2 is at most 2, pinned to its true
    value.) So the reasons are given only when the auditor (``scoring.audit``), reading the
    shown cells and the reasons as inequalities, finds no group under the minimum; else
    every hidden cell of the table is ``HIDDEN``, which tells nothing beyond that it is
    hidden."""
    cells = with_margins(counts)
    kinds = {group: reason_of(cells[group], k) for group in hidden}
    if not kinds:
        return kinds
    within = _within(counts)
    from survey.scoring.audit import audit  # SciPy loads only when there is work for it

    shown = [within[g] for g in cells if g not in kinds]
    limits = [(within[g], *stated_bounds(STATED[why], k)) for g, why in kinds.items()]
    if audit(counts, shown, k, limits=limits) is None:
        return kinds
    return dict.fromkeys(kinds, HIDDEN)


def mark_reasons(
    table: pd.DataFrame,
    by: Sequence[str],
    per: str,
    k: int,
    told: Callable[[object, list[dict[str, str]], list[str]], bool] | None = None,
) -> pd.Series:
    """For a suppressed table (``n`` still unblanked, a ``suppressed`` column): each hidden
    row's reason, None for a shown one. Whether a ``per`` value's reasons may be given is
    ``told(value, groups, reasons)`` (the groups as dimension -> value, margins without
    their summed dimensions) when given, which audits them with everything released
    before; else the table is read alone (``hidden_reasons``)."""
    reasons = pd.Series(None, index=table.index, dtype=object)
    decided: dict[tuple[object, ...], dict[tuple[Hashable, ...], str]] = {}
    for value, rows in table.groupby(per, observed=True, sort=False):
        keys = list(zip(*(rows[b] for b in by), strict=True)) if by else [()] * len(rows)
        hidden = tuple(key for key, s in zip(keys, rows["suppressed"], strict=True) if s)
        if not hidden:
            continue
        counts = {key: int(n) for key, n in zip(keys, rows["n"], strict=True) if ALL not in key}
        if told is None:
            same = (tuple(counts.items()), hidden)
            if same not in decided:
                decided[same] = hidden_reasons(counts, hidden, k)
            given = decided[same]
        else:
            cells = with_margins(counts)
            kinds = {key: reason_of(cells[key], k) for key in hidden}
            groups = [
                {name: str(v) for name, v in zip(by, key, strict=True) if v != ALL} for key in kinds
            ]
            safe = told(value, groups, list(kinds.values()))
            given = kinds if safe else dict.fromkeys(kinds, HIDDEN)
        for index, key in zip(rows.index, keys, strict=True):
            if key in given:
                reasons[index] = given[key]
    return reasons
