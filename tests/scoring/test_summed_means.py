"""A mean shown without its distribution (the summary by role in a report by unit) is
read by every later audit as what it says: the group's count and the sum of its answers
(``audit.Points``'s ``summed``), not as each point's count, which a printed distribution
gives.

The case is the auditor's own example of a pin at one point: "helt enig" from 5 of 8
mayors, 5 of Kommune A's 10 and 3 of Kommune B's 13 leaves at least 2 of the 5 to
Kommune A's two mayors, both of them. With the mayors' distribution printed, that pins
them; with only the mayors' mean beside the units' tables, it does not; and a mean is
read with its count, which other pages print."""

from __future__ import annotations

from survey.scoring.audit import Points, audit, protect
from survey.scoring.linked import _every_point

K = 3
POINTS = {  # (role, unit): answers per point of a six-point scale
    ("ordforer", "A"): (0, 0, 0, 0, 0, 2),
    ("annen", "A"): (1, 1, 1, 1, 1, 3),
    ("ordforer", "B"): (0, 0, 1, 1, 1, 3),
    ("annen", "B"): (2, 2, 1, 1, 1, 0),
}
UNITS = [[c for c in POINTS if c[1] == unit] for unit in ("A", "B")]
MAYORS = [c for c in POINTS if c[0] == "ordforer"]


def counts(points):
    return {cell: sum(vector) for cell, vector in points.items()}


def test_the_mayors_distribution_beside_the_units_pins_two_mayors_at_a_point():
    read = Points(POINTS, _every_point)
    found = audit(counts(POINTS), [*UNITS, MAYORS], K, points=read)
    assert found is not None and found.cells == frozenset({("ordforer", "A")})
    assert found.count == 2 and found.lower >= 2  # the point pins the count from below
    assert protect(counts(POINTS), UNITS, [MAYORS], K, points=read) == {0}


def test_the_mayors_mean_beside_the_units_pins_nobody():
    summed = Points(POINTS, _every_point, summed=frozenset({2}))
    assert audit(counts(POINTS), [*UNITS, MAYORS], K, points=summed) is None


def test_a_mean_is_read_with_its_count():
    """Kommune B is four mayors: five mayors less B's four is Kommune A's one, and the
    mayors' sum less B's printed answers is that mayor's answer. The summary prints no
    count, but the response rates and the report by role do: a mean is read with it."""
    points = {
        ("ordforer", "A"): (0, 0, 0, 1, 0, 0),
        ("annen", "A"): (1, 1, 1, 1, 0, 1),
        ("ordforer", "B"): (0, 1, 1, 1, 1, 0),
        ("annen", "C"): (1, 0, 1, 1, 1, 1),
    }
    units = [[c for c in points if c[1] == unit] for unit in ("A", "B", "C")]
    mayors = [c for c in points if c[0] == "ordforer"]
    summed = Points(points, _every_point, summed=frozenset({3}))
    found = audit(counts(points), [*units, mayors], K, points=summed)
    assert found is not None and found.cells == frozenset({("ordforer", "A")})
    assert found.lower == found.upper == 1
