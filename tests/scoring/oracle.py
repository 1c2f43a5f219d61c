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

import numpy as np

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
    cells = sorted(known, key=repr)
    column = {c: i for i, c in enumerate(cells)}
    # one row per table, one column per cell: a set's count in every table is a row sum
    rows = [[t[c] for c in cells] for t in _consistent(cells, released, upper)]
    tables = np.array(rows, dtype=np.int64).reshape(len(rows), len(cells))
    for f, low, high in stated:
        sums = tables[:, [column[c] for c in f]].sum(axis=1)
        tables = tables[(low <= sums) & (sums <= high)]
    found = []
    for size in range(1, len(cells) + 1):
        for chosen in combinations(cells, size):
            count = sum(counts[c] for c in chosen)
            if not 0 < count < k:
                continue
            seen = tables[:, [column[c] for c in chosen]].sum(axis=1)
            low, high = int(seen.min()), int(seen.max())
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
    bounds = [(low, high) for _, _, low, high in stated]
    # one row per table, one column per (cell, point): a count is a row sum
    found_tables = _point_tables(len(variables), members, bounds)
    tables = np.array(found_tables, dtype=np.int64).reshape(len(found_tables), len(variables))
    targets = [[p] for p in range(points)] + [list(u) for u in unions]
    found = []
    for size in range(1, len(cells) + 1):
        for chosen in combinations(cells, size):
            count = sum(sum(counts[c]) for c in chosen)
            if not 0 < count < k:
                continue
            where = {c: [variables.index((c, p)) for p in range(points)] for c in chosen}
            seen = tables[:, [i for c in chosen for i in where[c]]].sum(axis=1)
            low, high = int(seen.min()), int(seen.max())
            if low > count - 1 or high < count + 1:
                found.append((frozenset(chosen), None, count, low, high))
            for p, union in enumerate(targets):
                at = sum(counts[c][q] for c in chosen for q in union)
                seen = tables[:, [where[c][q] for c in chosen for q in union]].sum(axis=1)
                if at > 0 and seen.min() > at - 1:
                    found.append((frozenset(chosen), p, at, int(seen.min()), int(seen.max())))
    return found


def _point_tables(
    size: int, members: list[list[int]], bounds: list[tuple[float, float]]
) -> list[list[int]]:
    """Every assignment of whole counts to ``size`` variables whose sums over each of
    ``members`` lie within its bounds, by depth-first search. A branch is cut where a
    sum can no longer reach its lower bound (what the variables still to place can add
    to it is at most what each has room for under its sums' upper bounds), and the ways
    to fill the variables from one on are found once per partial sums of the sums they
    are in: neither changes what is found, only how often it is searched for."""
    within = [[r for r, m in enumerate(members) if v in m] for v in range(size)]
    capped = [[r for r in rows if bounds[r][1] < math.inf] for rows in within]
    later = [[[u for u in m if u > v] for m in members] for v in range(size)]
    open_ = [[r for r, m in enumerate(members) if any(u >= v for u in m)] for v in range(size)]
    total = [0] * len(members)
    known: dict[tuple[int, tuple[int, ...]], list[tuple[int, ...]]] = {}

    def room(v: int) -> float:
        """How much more the variable may hold: a variable no finite bound holds is 0."""
        return min([bounds[r][1] - total[r] for r in capped[v]] or [0])

    def reachable(v: int) -> bool:
        rooms = [room(u) if u > v else 0 for u in range(size)]
        return all(
            total[r] + sum(rooms[u] for u in later[v][r]) >= low
            for r, (low, _) in enumerate(bounds)
            if total[r] < low
        )

    def fill(v: int) -> list[tuple[int, ...]]:
        """The ways to fill variables v, v + 1, ... given the sums so far."""
        if v == size:
            return [()]
        key = (v, tuple(total[r] for r in open_[v]))
        if key not in known:
            ways = []
            for value in range(int(room(v)) + 1):
                for r in within[v]:
                    total[r] += value
                if reachable(v):
                    ways.extend((value, *rest) for rest in fill(v + 1))
                for r in within[v]:
                    total[r] -= value
            known[key] = ways
        return known[key]

    return [list(way) for way in fill(0)]
