"""An independent judge of released figures, sharing no code with the engine's auditor.

It enumerates every table of whole, non-negative counts that agrees with everything
released, and then, for every set of cells holding 1 to k - 1 respondents, takes the
smallest and largest count that set has in any of those tables. A set is given away when
an attacker can rule out one respondent fewer or one more: that is the ground truth the
auditor's linear algebra and linear programs approximate. Only for tiny tables (a few
hidden cells), which is what the property tests draw.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import combinations


def leaks(
    counts: Mapping[Hashable, int],
    figures: Sequence[Iterable[Hashable]],
    k: int,
    upper: Mapping[Hashable, int] | None = None,
) -> list[tuple[frozenset, int, int, int]]:
    """(cells, count, lowest, highest) of every set under k an attacker pins within ±1;
    ``upper`` bounds cells as a headcount shown beside them does (one more than the
    headcount is then no possibility the attacker has to rule out)."""
    released = [(frozenset(f), sum(counts[c] for c in f)) for f in figures]
    known = {c for cells, _ in released for c in cells}
    tables = _consistent(sorted(known, key=repr), released, upper or {})
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
                sum(upper[c] for c in chosen) if upper and all(c in upper for c in chosen) else None
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
