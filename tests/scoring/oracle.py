"""An independent judge of released figures, sharing no code with the engine's auditor.

It enumerates every table of whole, non-negative counts that agrees with everything
released, and then, for every set of cells holding 1 to k - 1 respondents, takes the
smallest and largest count that set has in any of those tables. A set is given away when
an attacker can rule out one respondent fewer or one more: that is the ground truth the
auditor's linear algebra and linear programs approximate. Only for tiny tables (a few
hidden cells), which is what the property tests draw.

A hidden cell's stated reason is a bound, not a figure: "færre enn 5 svar" says its
group's count is at most 4, "skjult for å beskytte en liten gruppe" at least 5. Those
are ``limits`` here, (cells, lowest, highest), and a table breaking one is no table the
attacker has to consider. They are read as the words say (the engine's
``suppression.stated_bounds`` is not used).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import combinations

Limit = tuple[Iterable[Hashable], float, float]


def reason(cells: Iterable[Hashable], small: bool, k: int) -> Limit:
    """A stated reason as the words say: fewer than k, or at least k."""
    return (cells, 0, k - 1) if small else (cells, k, math.inf)


def leaks(
    counts: Mapping[Hashable, int],
    figures: Sequence[Iterable[Hashable]],
    k: int,
    upper: Mapping[Hashable, int] | None = None,
    limits: Sequence[Limit] = (),
) -> list[tuple[frozenset, int, int, int]]:
    """(cells, count, lowest, highest) of every set under k an attacker pins within ±1;
    ``upper`` bounds cells as a headcount shown beside them does (one more than the
    headcount is then no possibility the attacker has to rule out); ``limits`` are
    stated bounds every table must meet."""
    given = dict(upper or {})  # headcounts shown, as opposed to the search's ceiling
    released = [(frozenset(f), sum(counts[c] for c in f)) for f in figures]
    stated = [(frozenset(cells), low, high) for cells, low, high in limits]
    figured = {c for cells, _ in released for c in cells}
    known = figured | {c for f, _, _ in stated for c in f}
    # a cell no figure bounds is tried up to a ceiling past anything a bound can ask for,
    # or up to the least upper bound stated of a set holding it (more breaks that bound)
    ceiling = max([*counts.values(), k]) + k + 1
    upper = {
        c: min([ceiling, *(high for f, _, high in stated if c in f and high < math.inf)])
        for c in known - figured
    } | given
    tables = [
        t
        for t in _consistent(sorted(known, key=repr), released, upper)
        if all(low <= sum(t[c] for c in f) <= high for f, low, high in stated)
    ]
    found = []
    cells = sorted(known, key=repr)
    for size in range(1, len(cells) + 1):
        for chosen in combinations(cells, size):
            count = sum(counts[c] for c in chosen)
            if not 0 < count < k:
                continue
            seen = [sum(t[c] for c in chosen) for t in tables]
            low, high = min(seen), max(seen)
            most = (
                sum(given[c] for c in chosen) if given and all(c in given for c in chosen) else None
            )
            if low > count - 1 or (high < count + 1 and (most is None or count + 1 <= most)):
                found.append((frozenset(chosen), count, low, high))
    return found


def _consistent(
    cells: list[Hashable], released: list[tuple[frozenset, int]], upper: Mapping[Hashable, int]
) -> list[dict[Hashable, int]]:
    """Every assignment of whole counts to ``cells`` that gives each released figure its
    value, by depth-first search: a cell is at most the smallest figure it lies in."""
    within = {c: [i for i, (f, _) in enumerate(released) if c in f] for c in cells}
    last = {}
    for position, cell in enumerate(cells):
        for i in within[cell]:
            last[i] = position
    remaining = [value for _, value in released]
    found: list[dict[Hashable, int]] = []
    chosen: dict[Hashable, int] = {}

    def place(position: int) -> None:
        if position == len(cells):
            found.append(dict(chosen))
            return
        cell = cells[position]
        figures = within[cell]
        for value in range(min([remaining[i] for i in figures] + [upper.get(cell, 10**9)]) + 1):
            closes = [i for i in figures if last[i] == position]
            if any(remaining[i] != value for i in closes):
                continue
            for i in figures:
                remaining[i] -= value
            chosen[cell] = value
            place(position + 1)
            for i in figures:
                remaining[i] += value
        chosen.pop(cell, None)

    place(0)
    return found


Row = tuple[Iterable[Hashable], Iterable[int] | None, float, float]
"""A released figure of a distribution: the count of these cells' answers at these points
(None: at every point, the group's own count) lies between the two values (equal where
the figure is printed exactly)."""


def point_leaks(
    counts: Mapping[Hashable, Sequence[int]],
    rows: Sequence[Row],
    k: int,
    unions: Sequence[Iterable[int]] = (),
) -> list[tuple[frozenset, int | None, int, int, int]]:
    """(cells, point, count, lowest, highest) of every group under k whose answers an
    attacker learns from ``rows``: its count pinned within ±1 (point None), or its count
    at one point (an index into each cell's counts) shown to be at least what it is, so
    one fewer there is ruled out ("both of the two agreed"). A point count pinned at 0
    ("none of them answered it") is what a released 0 says of every group inside it and
    is no finding. ``counts`` are each cell's answers per point. Every table of whole,
    non-negative counts per cell and point meeting every row is enumerated. ``unions`` of
    points are judged like points (numbered after them): a multiple choice's option is
    every pattern of ticks that holds it."""
    points = len(next(iter(counts.values())))
    stated = [
        (frozenset(cells), None if at is None else frozenset(at), low, high)
        for cells, at, low, high in rows
    ]
    cells = sorted({c for f, _, _, _ in stated for c in f}, key=repr)
    variables = [(c, p) for c in cells for p in range(points)]
    members = [
        [i for i, (c, p) in enumerate(variables) if c in f and (at is None or p in at)]
        for f, at, _, _ in stated
    ]
    tables = _point_tables(len(variables), members, [(low, high) for _, _, low, high in stated])
    found = []
    for size in range(1, len(cells) + 1):
        for chosen in combinations(cells, size):
            count = sum(sum(counts[c]) for c in chosen)
            if not 0 < count < k:
                continue
            where = {c: [variables.index((c, p)) for p in range(points)] for c in chosen}
            seen = [sum(t[i] for c in chosen for i in where[c]) for t in tables]
            low, high = min(seen), max(seen)
            if low > count - 1 or high < count + 1:
                found.append((frozenset(chosen), None, count, low, high))
            targets = [[p] for p in range(points)] + [list(u) for u in unions]
            for p, union in enumerate(targets):
                at = sum(counts[c][q] for c in chosen for q in union)
                seen = [sum(t[where[c][q]] for c in chosen for q in union) for t in tables]
                if at > 0 and min(seen) > at - 1:
                    found.append((frozenset(chosen), p, at, min(seen), max(seen)))
    return found


def _point_tables(
    size: int, members: list[list[int]], bounds: list[tuple[float, float]]
) -> list[list[int]]:
    """Every assignment of whole counts to ``size`` variables whose sums over each of
    ``members`` lie within its bounds, by depth-first search."""
    within = [[r for r, m in enumerate(members) if v in m] for v in range(size)]
    last = {r: max(m) for r, m in enumerate(members) if m}
    total = [0] * len(members)
    found: list[list[int]] = []
    chosen = [0] * size

    def place(v: int) -> None:
        if v == size:
            found.append(list(chosen))
            return
        rows = within[v]
        room = min([int(bounds[r][1] - total[r]) for r in rows if bounds[r][1] < math.inf] or [0])
        for value in range(room + 1):
            if any(last[r] == v and total[r] + value < bounds[r][0] for r in rows):
                continue
            for r in rows:
                total[r] += value
            chosen[v] = value
            place(v + 1)
            for r in rows:
                total[r] -= value

    place(0)
    return found
