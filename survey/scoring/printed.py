"""What a report prints of a group's distribution over a scale, read as an attacker reads
it: bounds on the group's counts per point.

A shown group of an item has, beside its count, each point's share in whole percent (the
chart's caption and segments; the segments' widths are a function of those printed shares
alone, ``report.charts``), its favourable and unfavourable shares in whole percent, and
its mean and standard deviation to one decimal. With the count known, each is a linear
bound on the counts per point: a share of 17 % of 40 answers says 6.6 to 7.4 of them,
so exactly 7; of 400 answers, 67 to 69. For groups of up to about a hundred answers the
shares alone pin every point; above that they are intervals, and the other figures
narrow them. The median is left out: it is a choice between a few ways the middle
answers can lie, not one linear bound (docs/confidentiality.md).

The auditor (``scoring.audit``) reads these rows for every shown group, so what a small
group answered at a point is audited like its count.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Row = tuple[tuple[float, ...], float, float]
"""A bound on a group's counts per point: the weighted sum (a weight per point) lies
between the two values."""

_SLACK = 1e-9


def whole_percent(count: float, n: float) -> int:
    """A share as every page prints it: ``count / n`` in whole percent (Python's rounding,
    as the report's formatting does)."""
    return round(count / n * 100)


def shown_counts(n: int, printed: int) -> tuple[int, int]:
    """The smallest and largest count of ``n`` answers that prints as ``printed`` percent
    (every count between prints the same: printing is monotone)."""
    centre = n * printed / 100
    window = range(
        max(0, math.floor(centre - n / 200) - 1), min(n, math.ceil(centre + n / 200) + 1) + 1
    )
    fits = [c for c in window if whole_percent(c, n) == printed]
    return min(fits), max(fits)


def distribution_rows(
    counts: Sequence[int],
    values: Sequence[float],
    favourable: Sequence[int] = (),
    unfavourable: Sequence[int] = (),
) -> list[Row]:
    """The bounds a shown group's printed distribution puts on its ``counts`` per point
    (``values``: each point's value; ``favourable``, ``unfavourable``: the positions of the
    points whose shares are printed together). Where the shares pin every point, the other
    figures add nothing and are left out."""
    n = sum(counts)
    if n == 0:
        return []
    size = len(counts)
    rows: list[Row] = []
    for p, count in enumerate(counts):
        low, high = shown_counts(n, whole_percent(count, n))
        rows.append((_unit(size, range(p, p + 1)), low, high))
    if all(low == high for _, low, high in rows):
        return rows
    for together in (favourable, unfavourable):
        if together:
            share = sum(counts[p] for p in together) / n * 100  # as printed: whole percent
            printed = round(share)
            rows.append(
                (_unit(size, together), _at_least(n, printed - 0.5), _at_most(n, printed + 0.5))
            )
    total = sum(v * c for v, c in zip(values, counts, strict=True))
    mean = round(total / n, 1)
    rows.append(
        (tuple(float(v) for v in values), n * (mean - 0.05) - _SLACK, n * (mean + 0.05) + _SLACK)
    )
    if n > 1:
        squares = sum(v * v * c for v, c in zip(values, counts, strict=True))
        sd = round(math.sqrt(max((squares - total * total / n) / (n - 1), 0.0)), 1)
        # the sum of squares is (n - 1)·sd² + n·mean², each known to its printed decimal
        low_mean, high_mean = mean - 0.05, mean + 0.05
        least = 0.0 if low_mean <= 0 <= high_mean else min(low_mean**2, high_mean**2)
        most = max(low_mean**2, high_mean**2)
        low_sd, high_sd = max(sd - 0.05, 0.0), sd + 0.05
        rows.append(
            (
                tuple(float(v * v) for v in values),
                (n - 1) * low_sd**2 + n * least - _SLACK,
                (n - 1) * high_sd**2 + n * most + _SLACK,
            )
        )
    return rows


def _unit(size: int, positions: Sequence[int] | range) -> tuple[float, ...]:
    chosen = set(positions)
    return tuple(1.0 if p in chosen else 0.0 for p in range(size))


def _at_least(n: int, percent: float) -> float:
    return max(0.0, n * percent / 100 - _SLACK)


def _at_most(n: int, percent: float) -> float:
    return n * percent / 100 + _SLACK
