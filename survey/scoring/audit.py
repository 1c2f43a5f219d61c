"""The auditor: could anyone work out a group under the minimum from the released figures?

Suppression along lines (``suppression.suppressed_groups``) proposes which figures to hide,
one line of a table at a time. That is fast and usually right, but it reasons per line, and
an attacker reasons over everything released at once: in a crossed table a line whose only
hidden cell is a margin's complement follows from its own margin, and then the other
dimension's margin gives a group of two. So every pattern goes past this auditor, which
sees the released figures as one linear system.

**The model.** Each figure is the count of a set of *cells* (the finest groups the round
can be broken down into: role × unit × pulje …): respondents, or the answers to one item.
Cells that lie in exactly the same released figures are indistinguishable to an
attacker and are merged into *atoms*: every figure is a sum of atoms, and the sets an
attacker can isolate are unions of atoms (cells known to have a headcount stay atoms of
their own: bounds tell them apart). A
group is *sensitive* when it holds between 1 and ``k - 1`` respondents.

**Exact test.** A group S can be worked out exactly when its indicator vector lies in the
span of the released figures (the row space). Rather than list every union of atoms, one
small mixed-integer program asks whether any such S exists: binary ``w`` (S's atoms),
free ``λ`` (the combination of figures) with ``w = Aᵀλ`` and ``1 ≤ count(S) ≤ k - 1``.
HiGHS answers it for a national round in well under a second, and its answer names the
figures used, which is where the suppressor hides the next one.

**Interval test.** Being outside the row space is not enough: counts cannot be negative
or exceed a known headcount, and a released 0 pins every group inside it. For each small
atom (and for unions of small atoms, up to ``MAX_UNIONS`` per component) a linear program
finds the smallest and largest count consistent with everything released (HiGHS). The
group is protected when an attacker cannot rule out one respondent fewer or one more
(where one more is possible at all): the protection interval is ±1 respondent, the
smallest step that still leaves each member deniable. Every table a program finds is
consistent with the release, so it is kept as evidence: a group already seen one higher
and one lower needs no program of its own, which spares most of them in a national round.
Hiding a figure only loosens the system, so ``protect`` carries the evidence from each
audit to the next (``Evidence``), and each program is a warm HiGHS model whose objective
alone changes (``scoring.programs``).
The programs' bounds are rounded inward (counts are whole); for a two-way table they are
the integer bounds, for more dimensions they may be looser than an integer attacker's.

**Stated bounds.** A hidden cell that says why it is hidden states an inequality: "færre
enn 5 svar" that its group's count is at most 4, "skjult for å beskytte en liten gruppe"
that it is at least 5 (``suppression.stated_bounds``). Released once, such a bound is read
with every later release, like a figure: ``limits`` are (cells, lowest, highest). They
split atoms and link components like figures, and the interval test's programs honour
them (inequality rows beside the equalities). The exact test does not read them, and
need not: it asks what lies in the span of the equalities, which holds whatever bounds
apply, and a count that bounds pin to one value (or within one respondent) has lower and
upper bounds that say so, which is the interval test. (Reading a bound as an equality
there would find every stated group, exactly, by its own statement.)

**Headcounts.** A response-rate table shows each group's number invited beside its
answered count, hidden or not, and no more can have answered than were invited: every such
number is a bound (0 ≤ answered ≤ invited) on its group, and so on the groups beside it.
Unit A (5 of 5 invited answered) and B (2 of 3) hidden beside a shown total of 7 give B at
least 7 − 5 = 2, its true count. ``Headcounts`` are read as stated bounds by the interval
test, with one exception, a policy (docs/confidentiality.md): a union whose count *is*
its headcount ("everyone there answered") is participation, not an answer, and treating
it as a disclosure hid every figure of a round where everyone answered. Such a union's
count is a finding only where the figures and stated bounds alone pin it too (judged
that way first: it is the cheap side), so the headcounts add findings and never remove
one: what they newly find are groups pinned *below* their headcount by another group's.
Atoms where nobody answered do not change a union's standing ("at least this many of
them answered" is less than "all of these answered", which the policy lets pass). Its
counts at each point are answers, whoever took part: they are judged with the headcounts
(found by review). Where every small atom is at its headcount and no points are read,
the counts are judged without the headcounts entirely: that finds all the policy finds
and a little more (a fully answered group pinned from above by a reason, whose "one
more" the headcount rules out anyway), and it is cheap (with the tables reading the
numbers invited, a national report by role, its cells one mayor each split by the
headcounts' rows, took 32 s the other way and 1.2 s this way; docs/confidentiality.md).
The audited cells may be paths through snapshots: ``Headcounts.key`` gives the
invitation list's cell of each (where it is now). Not yet read: that a list's cell
whose own number invited no page shows is capped by it all the same (``_invited``).

**Scale points.** A shown group of an item also shows its distribution over the scale:
each point's share, printed in whole percent, and the mean, standard deviation and
favourable shares beside them (``scoring.printed``). Read with the group's count, each is
a bound on the group's counts per point: exact for groups of up to about a hundred
answers, an interval above. A group's count can be free while its count at one point is
pinned: "helt enig" 5 of 8 mayors, 5 of Kommune A's 10 and 3 of Kommune B's 13 leaves at
least 2 to Kommune A's two mayors, both of them (found by review). So with ``points``
(each cell's counts per point, and what a figure prints of its own), the interval test
runs once more over a program whose unknowns are each atom's counts per point: every
shown figure's count (equalities) and printed distribution (inequalities), the stated
bounds on counts. A union of small atoms is then found when its count is pinned within
±1, or when its count at a point is shown to be at least what it is (one fewer there is
ruled out: some of the group are known to have answered it). A point count shown to be
0 is no finding, a policy: a released 0 says "nobody here answered it" of every group
inside, and hiding it would hide the total. A released 100 % is read the same way, also a
policy: where each atom of a union that has answers lies in a shown group whose printed
shares put all its answers at one point (0 % at every other, which for a group under 200
answers is none: ``_unanimous``), the union's count there is its count, so that point is
not audited for it and its count is (``_PointAttacker._said``). Since a count at a point
can never exceed the count, this removes findings only for a union at its headcount,
whose count is participation (the policy above): a unit leader shown as 1 of 1 answered
beside a unit shown all "heltid" has their answer given by the two together, as every
other member of the unit has theirs by the 100 % alone (docs/confidentiality.md,
"Unanimity"). The repair is the count's: hiding a group's figure hides its distribution
with it.

**Suppression.** ``protect`` takes the figures already released (which can never be taken
back) and those proposed, in the order they are wanted, and hides proposed figures until
neither test finds anything: each time the cheapest proposed figure that the finding rests
on (the fewest respondents, so small cells go before totals), for every finding of an audit
that rests on no figure an earlier repair of that audit hid. A finding that rests only on
figures already released cannot be repaired by hiding more; it is reported as ``Disclosed``.
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, hstack, vstack

from survey.scoring.printed import shown_counts
from survey.scoring.programs import LinearProgram

Cell = Hashable
"""A finest group (and, for releases over time, the interval its respondents arrived in)."""

C = TypeVar("C", bound=Hashable)

Limit = tuple[Iterable[C], float, float]
"""A stated bound: the count of these cells lies between the two values (either may be
infinite), as a released reason says (``suppression.stated_bounds``)."""


@dataclass(frozen=True)
class Headcounts(Generic[C]):
    """The groups whose number invited is shown beside their answered count (``shown``:
    the group's cells and that number), each a bound on its group's count from above, as
    an attacker reads it (see the module's docstring); and how many were invited in each
    cell of the invitation list (``invited``), which tells a union at its headcount.
    ``key`` gives the invitation list's cell an audited cell lies in: the cell itself
    (None) where the audit's cells are the list's, the current cell of a path through
    snapshots (``scoring.linked``). Only what holds of the counts is read: a group (or a
    list's cell) with more counted than invited, where respondents stated other groups
    than their invitations', says nothing true of them and is left out."""

    shown: Sequence[tuple[Iterable[C], int]]
    invited: Mapping[Any, int]  # keyed as ``key`` gives (Any: a Mapping's key is invariant)
    key: Callable[[C], Hashable] | None = None

    @classmethod
    def of_cells(cls, invited: Mapping[C, int], shown: Iterable[Iterable[C]]) -> Headcounts[C]:
        """Headcounts where the audit's cells are the invitation list's: each shown group's
        number invited is its cells'."""
        groups = [list(group) for group in shown]
        return cls([(g, sum(invited.get(c, 0) for c in g)) for g in groups], invited)


@dataclass(frozen=True)
class Points(Generic[C]):
    """Each cell's counts per scale point (``counts``), and what a shown figure prints of
    its own distribution (``rows``: given the figure's true counts per point, the bounds
    an attacker reads from what is printed, ``scoring.printed.distribution_rows``).
    ``unprinted``: figures (indices, as ``Finding.using``'s) whose count was released
    without this distribution (another item's with the same counts, ``scoring.linked``).
    ``summed``: figures that printed their mean and not their distribution (the summary
    by another breakdown than the tables'): read as their count and the sum of their
    answers, both exactly, for an attacker may know the count from another page."""

    counts: Mapping[C, Sequence[int]]
    rows: Callable[[Sequence[int]], Sequence[tuple[Sequence[float], float, float]]]
    unprinted: frozenset[int] = frozenset()
    targets: Sequence[Sequence[float]] = ()
    """Unions of points (weights per point) whose count a small group must not have pinned
    either, beside each point's: a multiple choice's points are the patterns of ticks its
    respondents made, and each option is every pattern that holds it."""
    summed: frozenset[int] = frozenset()
    dated: frozenset[int] = frozenset()
    """Figures released from an earlier snapshot: their cells' counts per point are their
    members' answers now, not what was printed then, so none of them is read as printing
    all its answers at one point (``_unanimous``)."""


MAX_UNIONS = 200
"""Unions of small atoms checked by the interval test per component, smallest unions
first; beyond that only single atoms are (the exact test still covers every union)."""

MAX_EXAMINED = 20_000
"""Steps spent looking for those unions, so a table of many small cells stays quick."""

_EPS = 1e-6

_TRADES = 8
"""Tables of traded answers tried before the programs explore (``_PointAttacker._trade``)."""


@dataclass(frozen=True)
class Finding:
    """A group under the minimum that the released figures give away: its cells, its true
    count, and the bounds an attacker can derive (equal when worked out exactly). ``using``
    are the figures (indices into what was audited) the attack rests on."""

    cells: frozenset[Cell]
    count: int
    lower: int
    upper: int
    using: frozenset[int]
    point: int | None = None  # the scale point whose count this is (None: the group's count)

    @property
    def exact(self) -> bool:
        return self.lower == self.upper


class TooLarge(Exception):
    """The figures link more atoms into one system than the caller allows to audit."""


class Disclosed(Exception):
    """Figures already released give a group away; hiding more cannot undo that."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(f"released figures isolate {finding.count} respondent(s)")
        self.finding = finding


class Evidence:
    """Tables consistent with a release, kept from one audit to the next by ``protect``.
    Hiding a figure only takes a constraint away, so a table found before is still
    consistent after it: its atoms merge (cells told apart by the hidden figure alone) or
    drop out (cells no figure holds any longer). So a table is kept per cell (each atom's
    value on one of its cells) and summed into whatever atoms the next audit has; one
    that no longer meets every constraint (an attacker reading the numbers invited, where
    it came from one that did not) is not used. Without it each round of repair explored
    the same system afresh: three quarters of the programs an employee survey's report
    by unit asked."""

    def __init__(self) -> None:
        self._cells: dict[Cell, int] = {}  # each cell a table was kept on, numbered
        self._tables: dict[tuple[str, int], list[tuple[np.ndarray, np.ndarray]]] = {}

    def seed(
        self, component: list[_Atom], kind: str, width: int, program: LinearProgram
    ) -> list[np.ndarray]:
        """The tables kept so far that hold over this component's atoms (each atom's
        ``width`` values in a row, as the attacker's unknowns are)."""
        atom_of = np.full(len(self._cells), -1)
        for j, atom in enumerate(component):
            for cell in atom.cells:
                if cell in self._cells:
                    atom_of[self._cells[cell]] = j
        seeded = []
        for cells, values in self._tables.get((kind, width), []):
            into = atom_of[cells]
            table = np.zeros((len(component), width))
            np.add.at(table, into[into >= 0], values[into >= 0])
            if program.holds(table.reshape(-1)):
                seeded.append(table.reshape(-1))
        return seeded

    def keep(self, component: list[_Atom], kind: str, width: int, tables: list[np.ndarray]) -> None:
        first = [min(atom.cells, key=repr) for atom in component]
        cells = np.array([self._cells.setdefault(c, len(self._cells)) for c in first])
        kept = self._tables.setdefault((kind, width), [])
        kept += [(cells, table.reshape(len(component), width)) for table in tables]


Judged = dict[tuple[object, ...], Any]
"""What the counts alone say, kept by the caller across the audits of one report: the
atoms the figures make (``_laid_out``), and each component's findings by the exact and
the interval tests (``_by_counts``)."""


def _by_counts(
    judged: Judged | None,
    component: list[_Atom],
    k: int,
    limits: Mapping[int, tuple[float, float]],
    headcounts: frozenset[int],
    every: bool,
    judge: Callable[[], list[Finding]],
) -> list[Finding]:
    """``judge``'s findings for the component, or those found before for the same program:
    every item that everyone answered has the same counts in every cell, so its tables
    link the same atoms in the same figures and only the answers at each point differ.
    A national report asked the same count programs for each of its fourteen measures,
    a third of its audit. The key is all that either test reads of a component (its
    atoms' cells, figures, counts, headcounts and lists, the stated bounds' room, the rows
    a union at its headcount is judged without, and whether the audit has any such rows:
    a review found a component without rows of its own kept the bounds found where
    another component had them). Whether a union is pinned is a fact of that program, so
    the findings hold wherever it recurs (their bounds and the figures they rest on are
    those the first audit found)."""
    if judged is None:
        return judge()
    figures = frozenset(f for atom in component for f in atom.figures)
    key = (
        k,
        every,
        bool(headcounts),  # any at all: the policy for a union at its headcount applies
        tuple((a.cells, a.figures, a.count, a.upper, a.invited) for a in component),
        tuple(sorted((f, room) for f, room in limits.items() if f in figures)),
        headcounts & figures,
    )
    if key not in judged:
        judged[key] = judge()
    found: list[Finding] = judged[key]
    return found


@dataclass(frozen=True)
class _Atom:
    cells: frozenset[Cell]
    figures: tuple[int, ...]
    count: int
    upper: float
    invited: frozenset[tuple[Hashable, int]] | None = None  # its list's cells, their headcounts
    points: tuple[int, ...] = ()  # the atom's counts per scale point


def audit(
    counts: Mapping[C, int],
    figures: Sequence[Iterable[C]],
    k: int,
    *,
    limits: Sequence[Limit[C]] = (),
    upper: Mapping[C, int] | None = None,
    max_atoms: int | None = None,
    headcounts: Headcounts[C] | None = None,
    points: Points[C] | None = None,
    evidence: Evidence | None = None,
    judged: Judged | None = None,
) -> Finding | None:
    """The first group under ``k`` that ``figures`` (each a set of cells, released with the
    sum of their ``counts``) and the stated bounds ``limits`` give away, exactly or within
    ±1, or None. ``upper`` holds what an attacker knows bounds a cell (its headcount);
    other cells are unbounded. A stated bound the counts do not meet is out of date (its
    group has changed since) and says nothing true about them: it is left out.
    ``headcounts`` are numbers invited shown beside the figures: bounds like ``limits``,
    except for a union whose count is its headcount (the module's docstring). Raises
    ``TooLarge`` if a linked system has more than ``max_atoms`` atoms to reason over (no
    limit when None). Finding.using indexes ``figures``, then ``limits``, then the
    headcounts' groups after them. With ``points``, a shown figure's printed distribution
    is read too, and a group's counts per point audited (the module's docstring).
    ``evidence``: tables from earlier audits of the same counts, with more figures shown
    (``Evidence``); the tables this audit finds are added to it. ``judged``: what the
    counts alone said in the audits of the same report so far, kept by the caller and
    added to (``Judged``): a measure with the same counts, figures and bounds is not
    judged by its counts again."""
    found = _findings(
        counts,
        figures,
        k,
        limits=limits,
        upper=upper,
        max_atoms=max_atoms,
        headcounts=headcounts,
        points=points,
        evidence=evidence,
        judged=judged,
    )
    return found[0] if found else None


def _findings(
    counts: Mapping[C, int],
    figures: Sequence[Iterable[C]],
    k: int,
    *,
    limits: Sequence[Limit[C]],
    upper: Mapping[C, int] | None,
    max_atoms: int | None,
    headcounts: Headcounts[C] | None,
    points: Points[C] | None,
    evidence: Evidence | None,
    every: bool = False,
    judged: Judged | None = None,
) -> list[Finding]:
    """``audit``'s findings: the first, or with ``every`` one per group it finds pinned
    in every linked system (for ``protect``: the exact test's one per system, the
    interval tests' every union of small atoms none of whose atoms was found before)."""
    if all(n == 0 or n >= k for n in counts.values()):
        return []  # no atom, and so no union of atoms, holds 1 to k - 1 respondents
    shown_small, slack, bounding, atoms = _laid_out(
        judged, counts, figures, k, limits, upper, headcounts, points is None
    )
    if shown_small:
        return shown_small if every else shown_small[:1]
    if points is not None:
        atoms = _answering(atoms, points)
    printed, unanimous = _printed(atoms, len(figures), points)
    unsettled, settled_by = _settled(atoms, slack, printed)
    components = _components(unsettled)
    if max_atoms is not None and any(len(c) > max_atoms for c in components):
        raise TooLarge(f"more than {max_atoms} atoms in one linked system")
    findings: list[Finding] = []
    for component in components:

        def by_counts(component: list[_Atom] = component) -> list[Finding]:
            exact = _exact(component, k, slack)
            return [exact] if exact else _interval(component, k, slack, bounding, evidence, every)

        found = _by_counts(judged, component, k, slack, bounding, every, by_counts)
        if not found and printed:
            targets = points.targets if points is not None else ()
            found = _per_point(
                component, k, slack, printed, targets, bounding, evidence, every, unanimous
            )
        for finding in found:  # a figure that held shown atoms rests on their figures too
            more = {settled_by[f] for f in finding.using if f in settled_by}
            findings.append(replace(finding, using=finding.using.union(*more)))
        if findings and not every:
            return findings
    return findings


Layout = tuple[list[Finding], dict[int, tuple[float, float]], frozenset[int], list[_Atom]]
"""Figures shown under the minimum; the stated bounds' and headcount rows' room around
the truth; the headcount rows; the atoms, without their answers."""


def _laid_out(
    judged: Judged | None,
    counts: Mapping[C, int],
    figures: Sequence[Iterable[C]],
    k: int,
    limits: Sequence[Limit[C]],
    upper: Mapping[C, int] | None,
    headcounts: Headcounts[C] | None,
    counted_only: bool,
) -> Layout:
    """``_layout``, or the one laid out before for the same counts, figures, bounds and
    numbers invited (``judged``): every item everyone answered has the same, and laying
    them out again was a tenth of a national report's audit. The layout is only read, and
    the numbers invited are one object per set of cells, never changed once made
    (``linked.Released``'s): they are known by identity."""
    if judged is None:
        return _layout(counts, figures, k, limits, upper, headcounts, counted_only)
    sets = tuple(frozenset(f) for f in figures)  # read once: a figure may be an iterator
    bounds = tuple((frozenset(stated), low, high) for stated, low, high in limits)
    key = (
        "layout",
        k,
        counted_only,
        frozenset(counts.items()),
        sets,
        bounds,
        None if upper is None else frozenset(upper.items()),
        _Same(headcounts),
    )
    if key not in judged:
        judged[key] = _layout(counts, sets, k, bounds, upper, headcounts, counted_only)
    laid_out: Layout = judged[key]
    return laid_out


class _Same:
    """An object as part of a key by its identity (the numbers invited: unhashable, and
    one object for every measure counted in the same cells), kept alive by the key."""

    __slots__ = ("of",)

    def __init__(self, of: object) -> None:
        self.of = of

    def __hash__(self) -> int:
        return id(self.of)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.of is self.of


def _layout(
    counts: Mapping[C, int],
    figures: Sequence[Iterable[C]],
    k: int,
    limits: Sequence[Limit[C]],
    upper: Mapping[C, int] | None,
    headcounts: Headcounts[C] | None,
    counted_only: bool,
) -> Layout:
    """What ``_findings`` reads of the counts, before any answers: the figures shown under
    ``k`` (found at once), and else the atoms the figures, stated bounds and headcount
    rows split the cells into. ``counted_only``: no answers at each point are audited."""
    cell_sets = [frozenset(f) for f in figures]
    shown_small = [
        Finding(cells, count, count, count, frozenset({index}))
        for index, cells in enumerate(cell_sets)
        if 0 < (count := _total(counts, cells)) < k
    ]
    slack: dict[int, tuple[float, float]] = {}  # a limit's room below and above the truth
    if shown_small:
        return shown_small, slack, frozenset(), []
    for index, (stated, low, high) in enumerate(limits, start=len(cell_sets)):
        cell_sets.append(frozenset(stated))
        count = _total(counts, cell_sets[-1])
        if low <= count <= high:
            slack[index] = (count - low, high - count)
        else:
            cell_sets[-1] = frozenset()  # out of date: no row at all
    bounding = _headcount_rows(counts, cell_sets, len(figures), headcounts, slack)
    atoms = _atoms(counts, cell_sets, upper, headcounts)
    if (
        bounding
        and counted_only  # answers at each point are judged with the headcounts
        and all(a.count >= k or _at_headcount(atoms, (j,)) for j, a in enumerate(atoms))
    ):
        # every union under k is then at its headcount: judged without the headcounts
        # entirely, over the atoms their rows no longer split (the module's docstring)
        del cell_sets[min(bounding) :]
        for f in bounding:
            del slack[f]
        bounding = frozenset()
        atoms = _atoms(counts, cell_sets, upper, None)
    return shown_small, slack, bounding, atoms


def _answering(atoms: list[_Atom], points: Points[Any]) -> list[_Atom]:
    """The atoms with their counts per point."""
    return [
        _Atom(a.cells, a.figures, a.count, a.upper, a.invited, _point_counts(points, a.cells))
        for a in atoms
    ]


PointRow = tuple[np.ndarray, float, float]
"""A printed bound on a figure's counts per point: weights per point, and the room the
printed figure leaves below and above the truth."""


def _printed(
    atoms: list[_Atom], n_figures: int, points: Points[C] | None
) -> tuple[dict[int, list[PointRow]], dict[int, int]]:
    """Each shown figure's printed distribution, as room around its true counts per point
    (so a known atom left out of the figure needs no subtracting, as for stated bounds);
    and the figures whose printed shares put all their answers at one point, with that
    point (``_unanimous``)."""
    if points is None:
        return {}, {}
    held = [
        (j, f)
        for j, atom in enumerate(atoms)
        for f in atom.figures
        if f < n_figures and f not in points.unprinted
    ]
    if not held:
        return {}, {}
    atom_of, figure_of = np.array(held, dtype=int).T
    shown, place = np.unique(figure_of, return_inverse=True)
    sums = np.zeros((len(shown), len(atoms[0].points)))
    np.add.at(sums, place, np.array([a.points for a in atoms], dtype=float)[atom_of])
    totals = dict(zip(shown.tolist(), sums, strict=True))  # each figure's counts per point
    printed: dict[int, list[PointRow]] = {}
    for figure, vector in totals.items():
        rows = []
        read = _summed if figure in points.summed else points.rows
        for weights, low, high in read([round(v) for v in vector]):
            w = np.asarray(weights, dtype=float)
            truth = float(w @ vector)
            rows.append((w, truth - low, high - truth))
        printed[figure] = rows
    unanimous = {
        figure: point
        for figure, vector in totals.items()
        if figure not in points.summed | points.dated
        and (point := _unanimous(vector, printed[figure])) is not None
    }
    return printed, unanimous


def _unanimous(vector: np.ndarray, rows: list[PointRow]) -> int | None:
    """The one point a figure's answers all lie at (``vector``: its counts per point), where
    its printed shares say so: 0 % at every other point, which for a group under 200
    answers is none. A released 100 %, read as the module's docstring says ("Scale
    points"), like a released 0. Only rows of a single point are read: a multiple
    choice's option covering several patterns of ticks says none of them alone, so a
    unit all ticking "a" alone, where others ticked "a" and "b", is not read as such."""
    answered = np.flatnonzero(vector)
    if len(answered) != 1 or shown_counts(round(float(vector.sum())), 0)[1] > 0:
        return None  # a 0 % of 200 answers or more can be one: as printed, whatever is read
    none_at = {
        int(np.argmax(w))
        for w, _, above in rows
        if np.count_nonzero(w) == 1 and w.max() == 1 and above < 1
    }
    point = int(answered[0])
    return point if none_at >= set(range(len(vector))) - {point} else None


def _summed(vector: Sequence[int]) -> list[tuple[Sequence[float], float, float]]:
    """What a mean printed without its distribution says, with the count (an equality of
    its own): the sum of the answers, as the weight of each point above the lowest (the
    lowest point's weight of 0 keeps ``_pinned`` from taking it for each point's row)."""
    weights = tuple(float(p) for p in range(len(vector)))
    value = float(sum(w * v for w, v in zip(weights, vector, strict=True)))
    return [(weights, value, value)]


def _pinned(rows: list[PointRow]) -> bool:
    """Whether a figure's printed distribution gives each point's count exactly."""
    exact = [w for w, below, above in rows if below < 0.5 and above < 0.5]
    return bool(rows) and bool(np.all(sum(exact, start=np.zeros(len(rows[0][0]))) >= 1))


def _headcount_rows(
    counts: Mapping[C, int],
    cell_sets: list[frozenset[C]],
    n_figures: int,
    headcounts: Headcounts[C] | None,
    slack: dict[int, tuple[float, float]],
) -> frozenset[int]:
    """Append each shown headcount's group to ``cell_sets`` as a stated bound (0 to the
    number invited, as room around the truth in ``slack``), and return their indices: the
    rows a union at its headcount is judged without. Only the group's cells that some
    figure or stated bound covers are kept (the others could all be 0, so the bound on the
    rest is the whole group's number invited). A group that is then empty, a figure, or
    seen before adds nothing (a figure's value pins it already) and is left out, so it
    neither splits atoms nor links systems; so is one its counts exceed (not true of them)."""
    if headcounts is None:
        return frozenset()
    known = frozenset().union(*cell_sets)
    figured = set(cell_sets[:n_figures])
    tightest: dict[frozenset[C], int] = {}
    for group, invited in headcounts.shown:
        everyone = frozenset(group)
        cells = everyone & known
        if cells and cells not in figured and _total(counts, everyone) <= invited:
            tightest[cells] = min(tightest.get(cells, invited), invited)
    rows = []
    for cells, invited in tightest.items():
        count = _total(counts, cells)
        slack[len(cell_sets)] = (float(count), float(invited - count))
        rows.append(len(cell_sets))
        cell_sets.append(cells)
    return frozenset(rows)


def _settled(
    atoms: list[_Atom],
    limits: Mapping[int, tuple[float, float]],
    printed: Mapping[int, list[PointRow]] | None = None,
) -> tuple[list[_Atom], dict[int, frozenset[int]]]:
    """The atoms whose count is not shown as a figure of its own, and for each figure the
    figures that showed the atoms left out of it. A shown atom is a known constant: left
    out, it no longer links the rest into one large system (a table with a few hidden
    cells falls apart into small pieces), and what it adds to a figure is simply
    subtracted, which is what the figures over the remaining atoms amount to. (A stated
    bound is kept as room around the truth, so what a known atom adds needs no
    subtracting; a bound shows no atom's count.) Where distributions are ``printed``, an
    atom is known only if its figure's printed shares give each point's count exactly (a
    large group's are intervals: its counts per point stay unknowns)."""
    size: dict[int, int] = {}
    for atom in atoms:
        for figure in atom.figures:
            size[figure] = size.get(figure, 0) + 1
    unsettled: list[_Atom] = []
    settled_by: dict[int, frozenset[int]] = {}
    for atom in atoms:
        own = [
            f
            for f in atom.figures
            if size[f] == 1 and f not in limits and (not printed or _pinned(printed.get(f, [])))
        ]
        if not own:
            unsettled.append(atom)
            continue
        for figure in atom.figures:
            settled_by[figure] = settled_by.get(figure, frozenset()) | {own[0]}
    return unsettled, settled_by


def protect(
    counts: Mapping[C, int],
    released: Sequence[Iterable[C]],
    proposed: Sequence[Iterable[C]],
    k: int,
    *,
    limits: Sequence[Limit[C]] = (),
    upper: Mapping[C, int] | None = None,
    max_atoms: int | None = None,
    headcounts: Headcounts[C] | None = None,
    points: Points[C] | None = None,
    judged: Judged | None = None,
) -> set[int]:
    """Which of ``proposed`` (indices) to hide, on top of ``released`` and the bounds
    stated before (``limits``) and the numbers invited shown (``headcounts``), so that
    ``audit`` finds nothing (with ``points``, in the groups' counts per point too: hiding
    a figure hides its printed distribution). Each round of repair hides, for each
    finding in turn, the proposed figure with the fewest respondents among those it
    rests on, unless an earlier repair of the round hid one of them (a report by unit
    whose ten units of five each held a leader who answered gave ten staffs at least
    four: one round, not ten, each auditing the whole system again). A finding passed
    over waits for the next round's audit, which may no longer find it; one repaired in
    the same round as another is still found as it was, its attack resting on no figure
    hidden before it, but the figures hidden can differ from one repair per audit (an
    audit after a repair may find another finding first), in either direction. Raises
    ``Disclosed`` when a finding rests on released figures and bounds only. ``judged``:
    what the counts alone said in the report's audits so far (``Judged``)."""
    fixed = [frozenset(f) for f in released]
    wanted = [frozenset(f) for f in proposed]
    evidence = Evidence()
    hidden = {j for j, cells in enumerate(wanted) if 0 < _total(counts, cells) < k}
    while True:
        shown = [j for j in range(len(wanted)) if j not in hidden]
        figures = [*fixed, *(wanted[j] for j in shown)]
        findings = _findings(
            counts,
            figures,
            k,
            limits=limits,
            upper=upper,
            max_atoms=max_atoms,
            headcounts=headcounts,
            points=points,
            evidence=evidence,
            every=True,
            judged=judged,
        )
        if not findings:
            return hidden
        repaired: set[int] = set()  # hidden in this round
        for finding in findings:
            mine = [shown[i - len(fixed)] for i in finding.using if len(fixed) <= i < len(figures)]
            if not mine:
                raise Disclosed(finding)
            if repaired.isdisjoint(mine):  # no repair of this round hid what it rests on
                repaired.add(min(mine, key=lambda j: (_total(counts, wanted[j]), j)))
        hidden |= repaired


def _total(counts: Mapping[C, int], cells: Iterable[C]) -> int:
    return sum(map(counts.get, cells, itertools.repeat(0)))


def _atoms(
    counts: Mapping[C, int],
    figures: Sequence[frozenset[C]],
    upper: Mapping[C, int] | None,
    headcounts: Headcounts[C] | None = None,
) -> list[_Atom]:
    """Cells grouped by the figures they lie in. Cells in no figure are left out: nothing
    released says anything about them. With ``upper``, cells stay apart: two cells in
    the same figures are told apart by their bounds (4 of 4 invited answered and 6 of 6,
    shown together as 10, pins both). ``headcounts`` give each atom the invitation list's
    cells it lies in, with their numbers invited, which tells a union at its headcount."""
    listed = _listed(counts, headcounts)
    member: dict[C, list[int]] = {}
    for index, cells in enumerate(figures):
        for cell in cells:
            member.setdefault(cell, []).append(index)
    grouped: dict[Hashable, list[C]] = {}
    for cell, found in member.items():
        grouped.setdefault(tuple(found) if upper is None else (cell,), []).append(cell)
    # in an order that does not hang on the cells' hashes (a set's order, which differs
    # from one process to the next): the programs' optima, the tables kept and so the
    # cells hidden follow the atoms' order, and two machines must hide the same cells
    order = sorted(grouped, key=lambda key: (member[grouped[key][0]], repr(key)))
    return [
        _Atom(
            frozenset(cells),
            tuple(member[cells[0]]),
            sum(counts.get(cell, 0) for cell in cells),
            np.inf if upper is None else float(sum(upper.get(cell, np.inf) for cell in cells)),
            listed(cells),
        )
        for cells in (grouped[key] for key in order)
    ]


def _listed(
    counts: Mapping[C, int], headcounts: Headcounts[C] | None
) -> Callable[[Iterable[C]], frozenset[tuple[Hashable, int]] | None]:
    """The invitation list's cells some cells lie in, each with its number invited (None:
    not known, where there are no headcounts or a list's cell has more counted than
    invited)."""
    if headcounts is None:
        return lambda _: None
    key = headcounts.key or (lambda cell: cell)
    held: dict[Hashable, int] = {}
    for cell, n in counts.items():
        held[key(cell)] = held.get(key(cell), 0) + n
    invited = headcounts.invited

    def listed(cells: Iterable[C]) -> frozenset[tuple[Hashable, int]] | None:
        keys = {key(cell) for cell in cells}
        if any(held.get(k, 0) > invited.get(k, 0) for k in keys):
            return None
        return frozenset((k, invited.get(k, 0)) for k in keys)

    return listed


def _point_counts(points: Points[C], cells: Iterable[C]) -> tuple[int, ...]:
    size = len(next(iter(points.counts.values()), ()))
    vectors = [points.counts[cell] for cell in cells if cell in points.counts]
    if len(vectors) == 1:  # most atoms, once the numbers invited split them
        return tuple(map(int, vectors[0]))
    return tuple(int(sum(column)) for column in zip(*vectors, strict=True)) or (0,) * size


def _components(atoms: list[_Atom]) -> list[list[_Atom]]:
    """Atoms linked through shared figures: separate components cannot inform each other."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for atom in atoms:
        first = root(atom.figures[0])
        for other in atom.figures[1:]:
            parent[root(other)] = first
    grouped: dict[int, list[_Atom]] = {}
    for atom in atoms:
        grouped.setdefault(root(atom.figures[0]), []).append(atom)
    return list(grouped.values())


def _system(
    component: list[_Atom], keep: Callable[[int], bool] = lambda _: True
) -> tuple[list[int], csr_array]:
    """The component's figures (those ``keep`` takes) and their figures × atoms 0/1 matrix.
    ``keep`` is asked once per figure, not once per atom in it: asked per atom, building
    these was a tenth of a national report's audit (a thousand atoms in ten figures)."""
    lengths = [len(atom.figures) for atom in component]
    held = np.fromiter(
        itertools.chain.from_iterable(atom.figures for atom in component), int, sum(lengths)
    )
    rows = [f for f in np.unique(held).tolist() if keep(f)]
    place = np.full(int(held.max(initial=-1)) + 1, -1)
    place[rows] = np.arange(len(rows))
    row_of = place[held]
    kept = row_of >= 0
    atom_of = np.repeat(np.arange(len(component)), lengths)
    matrix = csr_array(
        (np.ones(int(kept.sum())), (row_of[kept], atom_of[kept])),
        shape=(len(rows), len(component)),
    )
    return rows, matrix


def _exact(
    component: list[_Atom], k: int, limits: Mapping[int, tuple[float, float]]
) -> Finding | None:
    """A union of atoms holding 1 to k - 1 respondents that lies in the row space of the
    figures (the stated bounds are the interval test's: see the module's docstring).
    Atoms in the same figures (told apart only by bounds) have the same value in every
    combination of figures, so a union in the row space holds all of them or none: they
    are one unknown here. With the tables reading the numbers invited, whose rows split a
    national report's cells into 500 atoms of one mayor each in ten figures, the program
    over each atom took 100 ms, and most of an audit."""
    small = [j for j, atom in enumerate(component) if atom.count < k]
    if not any(component[j].count > 0 for j in small):
        return None
    together: dict[tuple[int, ...], list[_Atom]] = {}
    for atom in component:
        together.setdefault(tuple(f for f in atom.figures if f not in limits), []).append(atom)
    merged = [
        _Atom(
            frozenset().union(*(a.cells for a in atoms)),
            figures,
            _sum(atoms, range(len(atoms))),
            np.inf,
        )
        for figures, atoms in together.items()
    ]
    small = [  # a group holding an atom of k or more is in no union under k
        j for j, atoms in enumerate(together.values()) if all(a.count < k for a in atoms)
    ]
    rows, matrix = _system(merged, lambda f: f not in limits)
    if not rows:
        return None  # bounds only: nothing is in the span of no figure
    n_rows, n_small = len(rows), len(small)
    # variables: λ per figure (free), then w per small atom (binary); Aᵀλ - w = 0 per atom
    chosen = csr_array(
        (np.full(n_small, -1.0), (small, range(n_small))), shape=(len(merged), n_small)
    )
    equal = hstack([matrix.T, chosen], format="csr")
    size = np.hstack([np.zeros(n_rows), [merged[j].count for j in small]])
    result = milp(
        c=np.zeros(n_rows + n_small),
        integrality=np.hstack([np.zeros(n_rows), np.ones(n_small)]),
        bounds=Bounds(
            np.hstack([np.full(n_rows, -np.inf), np.zeros(n_small)]),
            np.hstack([np.full(n_rows, np.inf), np.ones(n_small)]),
        ),
        constraints=[LinearConstraint(equal, 0, 0), LinearConstraint(size, 1, k - 1)],
    )
    if result.status == 2:  # infeasible: no such union
        return None
    if result.x is None:
        raise RuntimeError(f"the exact disclosure test did not finish: {result.message}")
    weights, members = result.x[:n_rows], result.x[n_rows:]
    atoms = [merged[j] for j, w in zip(small, members, strict=True) if w > 0.5]
    count = sum(atom.count for atom in atoms)
    used = frozenset(f for f, weight in zip(rows, weights, strict=True) if abs(weight) > _EPS)
    return Finding(frozenset().union(*(a.cells for a in atoms)), count, count, count, used)


def _interval(
    component: list[_Atom],
    k: int,
    limits: Mapping[int, tuple[float, float]],
    headcounts: frozenset[int] = frozenset(),
    evidence: Evidence | None = None,
    every: bool = False,
) -> list[Finding]:
    """A union of small atoms whose count an attacker can bound within ±1 respondent (with
    ``every``: each such union, ``_pinned_unions``). A union at its headcount ("everyone
    there answered") is judged without the ``headcounts`` rows, as it was before they were
    read (the module's docstring)."""
    small = [j for j, atom in enumerate(component) if atom.count < k]
    if not any(component[j].count > 0 for j in small):
        return []
    attacker = _Attacker(component, limits, evidence=evidence)
    attacker.explore(_not_full(component, small, headcounts))

    def plain() -> _Attacker:
        judge = _Attacker(component, limits, ignored=headcounts, evidence=evidence)
        judge.explore(small)
        return judge

    judged = plain if headcounts else None
    return _pinned_unions(component, k, small, attacker, judged, _full, every)


AttackerT = TypeVar("AttackerT", "_Attacker", "_PointAttacker")


def _pinned_unions(
    component: list[_Atom],
    k: int,
    small: list[int],
    attacker: AttackerT,
    plain: Callable[[], AttackerT] | None,
    full: Callable[[tuple[int, ...], Callable[[], AttackerT], AttackerT], Finding | None],
    every: bool = False,
) -> list[Finding]:
    """The first union of small atoms (each alone, then ``_unions``) that ``attacker``
    pins (``every``: each one, passing over unions that hold an atom found before, which
    that one's repair may well mend), where a union at its headcount is judged by
    ``full`` with an attacker that does not read the headcounts as well (``plain`` makes
    it, explored, the first time ``full`` asks for it). Unions the attacker's tables
    already show free (``free``) are passed over at once: asked one by one, the 700
    unions of a national report's mayors took most of its audit. The tables both found
    are handed on for the next audit, whatever the outcome."""
    candidates = [(j,) for j in small if component[j].count > 0]
    made: list[AttackerT] = []

    def judge() -> AttackerT:
        if not made and plain is not None:
            made.append(plain())
        return made[0]

    unions = candidates + _unions(component, small, k)
    free = attacker.free(unions)
    policy = (
        _at_headcount_each(component, unions) if plain is not None else np.zeros(len(unions), bool)
    )
    if (policy & ~free).any():  # the policy's: its count as ``full`` judges it
        asked = list(itertools.compress(unions, policy))
        answers = attacker.free(asked, count=False)
        count = attacker.free(asked, points=False)
        if (answers & ~count).any():
            count[answers & ~count] = judge().free(
                list(itertools.compress(asked, answers & ~count)), points=False
            )
        free[policy] = answers & count
    findings: list[Finding] = []
    found_atoms: set[int] = set()
    try:
        for union in itertools.compress(unions, ~free):
            if found_atoms.intersection(union):
                continue
            if plain is not None and _at_headcount(component, union):
                found = full(union, judge, attacker)
            else:
                found = attacker.pins(union)
            if found:
                findings.append(found)
                if not every:
                    break
                found_atoms.update(union)
        return findings
    finally:
        attacker.keep()
        for reading in made:
            reading.keep()


def _not_full(component: list[_Atom], small: list[int], headcounts: frozenset[int]) -> list[int]:
    """The small atoms not at their headcount: those the attacker reading the headcounts
    explores (a union holding only full atoms is judged by ``_full``; with everyone
    answering, exploring them all took dozens of programs per table, none of any use)."""
    if not headcounts:
        return small
    return [j for j in small if not _at_headcount(component, (j,))]


def _full(
    union: tuple[int, ...], plain: Callable[[], _Attacker], attacker: _Attacker
) -> Finding | None:
    """A union at its headcount, judged without the headcounts (``plain``) where they
    pin it too (``attacker``): the policy. Where the tables the attacker found already
    show the union one lower and (where one more is possible: its atoms where nobody
    answered may have been invited) one higher, it does not pin it; in a round where
    some did not answer that spares building the plain attacker at all. (One lower
    alone is not enough: a fully answered group beside an empty one can be pinned from
    above, found by review.) Otherwise the plain judgement goes first: it is cheap (where
    everyone answered, the headcounts hold every count still, so the attacker's own
    tables certify nothing and each union took a program of its own: with the tables
    reading them, 26 s rather than 2.6 s for a national report by unit after the other
    breakdowns), and where it finds nothing, neither does the policy."""
    if attacker.free([union])[0]:
        return None
    found = plain().pins(union)
    return found if found and attacker.pins(union) else None


def _unions(component: list[_Atom], small: list[int], k: int) -> list[tuple[int, ...]]:
    """Unions of two or more small atoms holding 1 to k - 1 respondents, smallest unions
    first, at most ``MAX_UNIONS`` of them and after at most ``MAX_EXAMINED`` steps. Unions
    may take in empty atoms ("these three and that empty group" is still a group of three
    whose count must not be pinned). Atoms are taken in order of their count, so a union
    stops growing as soon as the next atom would bring it to k."""
    order = sorted(small, key=lambda j: component[j].count)
    count = [component[j].count for j in order]
    level: list[tuple[tuple[int, ...], int]] = [((p,), count[p]) for p in range(len(order))]
    found: list[tuple[int, ...]] = []
    examined = 0
    while level:  # a level (unions of one size) is taken whole or not at all
        grown: list[tuple[tuple[int, ...], int]] = []
        accepted = 0
        for union, total in level:
            for p in range(union[-1] + 1, len(order)):
                examined += 1
                if examined > MAX_EXAMINED:
                    return found
                if total + count[p] >= k:
                    break
                grown.append((union + (p,), total + count[p]))
                accepted += total + count[p] > 0
                if len(found) + accepted > MAX_UNIONS:
                    return found  # (a national report's 500 mayors: 120 000 pairs)
        found += [tuple(order[p] for p in union) for union, total in grown if total > 0]
        level = grown
    return found


def _sum(component: list[_Atom], union: Iterable[int]) -> int:
    return sum(component[j].count for j in union)


def _at_headcount(component: list[_Atom], union: Iterable[int]) -> bool:
    """Whether everyone invited answered where the union has respondents: its count is
    the headcount of its atoms that count anyone (atoms where nobody did add nobody: "at
    least its count answered" is the same fact with them). The policy's unions."""
    holding = [j for j in union if component[j].count > 0]
    return _sum(component, holding) == _invited(component, holding)


def _at_headcount_each(component: list[_Atom], unions: Sequence[tuple[int, ...]]) -> np.ndarray:
    """``_at_headcount`` of each union at once (hundreds of unions a table)."""
    holding = [tuple(j for j in union if component[j].count > 0) for union in unions]
    member = _membership(holding, len(component))
    counts = member @ np.array([atom.count for atom in component], dtype=float)
    at: np.ndarray = counts == _invited_each(component)(member)
    return at


def _most_each(
    capacity: Callable[[csr_array], np.ndarray], atoms: Sequence[int], n: int
) -> np.ndarray:
    """``capacity`` (``_capacity``) of each atom alone, of a component of ``n`` atoms."""
    return capacity(_membership([(j,) for j in atoms], n))


def _membership(unions: Sequence[tuple[int, ...]], atoms: int) -> csr_array:
    """Each union's atoms, as a unions × atoms 0/1 matrix."""
    rows = np.repeat(np.arange(len(unions)), [len(u) for u in unions])
    columns = np.fromiter(itertools.chain.from_iterable(unions), dtype=int, count=len(rows))
    return csr_array((np.ones(len(rows)), (rows, columns)), shape=(len(unions), atoms))


def _capacity(component: list[_Atom], ignored: frozenset[int]) -> Callable[[csr_array], np.ndarray]:
    """The most each union can count, the unions given as a unions × atoms membership
    matrix (``_membership``): its atoms' bounds summed, and where the attacker reads the
    headcounts (none ``ignored``) no more than were invited where it lies (one more than
    that is no possibility to rule out)."""
    uppers = np.array([atom.upper for atom in component], dtype=float)
    if ignored:
        return lambda member: member @ uppers
    invited = _invited_each(component)
    return lambda member: np.minimum(member @ uppers, invited(member))


def _invited_each(component: list[_Atom]) -> Callable[[csr_array], np.ndarray]:
    """``_invited`` of each union at once, the unions given as a unions × atoms membership
    matrix: everyone invited in the list's cells the union lies in, each cell counted
    once, infinite where not known. One union at a time it took a tenth of a national
    report's audit."""
    cells: dict[tuple[Hashable, int], int] = {}
    rows: list[int] = []
    columns: list[int] = []
    unknown = np.zeros(len(component))
    for j, atom in enumerate(component):
        if atom.invited is None:
            unknown[j] = 1.0
            continue
        for cell in atom.invited:
            rows.append(j)
            columns.append(cells.setdefault(cell, len(cells)))
    listing = csr_array(
        (np.ones(len(rows)), (rows, columns)), shape=(len(component), max(len(cells), 1))
    )
    invited = np.zeros(listing.shape[1])
    invited[: len(cells)] = [n for _, n in cells]

    def invited_in(member: csr_array) -> np.ndarray:
        lies_in = csr_array(member @ listing)
        lies_in.data[:] = 1.0  # each list's cell once
        headcount: np.ndarray = lies_in @ invited
        headcount[member @ unknown > 0] = np.inf
        return headcount

    return invited_in


def _free(
    member: csr_array,
    most: Callable[[csr_array], np.ndarray],
    count: np.ndarray,
    seen: np.ndarray,
) -> np.ndarray:
    """Whether each union (``member``: unions × atoms) has its count (``count``) seen one
    lower in some table (``seen``: unions × tables) and one higher, or one more is no
    possibility (``most``: ``_capacity``), as ``pins`` asks it."""
    below = np.any(seen <= count[:, None] - 1 + _EPS, axis=1)
    ceiling = most(member)
    higher = np.any(seen >= count[:, None] + 1 - _EPS, axis=1)
    free: np.ndarray = below & (higher | (count + 1 > ceiling))
    return free


def _invited(component: list[_Atom], union: Iterable[int]) -> float:
    """The union's headcount: everyone invited in the list's cells it lies in (infinite
    where not known). Its count equals it only where the union holds all of those cells'
    respondents and everyone there answered."""
    listed: set[tuple[Hashable, int]] = set()
    for j in union:
        held = component[j].invited
        if held is None:
            return np.inf
        listed |= held
    return float(sum(n for _, n in listed))


class _Tables(list[np.ndarray]):
    """The tables an attacker has found (each a point of its program), and the same as
    rows of one array, so that a union's value in every one of them is one product."""

    def __init__(self, width: int, tables: Iterable[np.ndarray] = ()) -> None:
        super().__init__(tables)
        self._stack = np.zeros((0, width))

    def stack(self) -> np.ndarray:
        if len(self._stack) != len(self):
            self._stack = np.vstack([self._stack, *self[len(self._stack) :]])
        return self._stack


class _Attacker:
    """The attacker's linear program over one component: every released figure's value
    (equalities), every stated bound (inequalities: the truth plus the room the statement
    leaves above, minus the room below), counts between 0 and the headcount. Every table
    it finds is a table consistent with the release, so each one is kept: a union whose
    count is already one higher (or lower) in a table found earlier needs no program of
    its own, which spares most of them."""

    def __init__(
        self,
        component: list[_Atom],
        limits: Mapping[int, tuple[float, float]] | None = None,
        ignored: frozenset[int] = frozenset(),
        evidence: Evidence | None = None,
    ) -> None:
        """``ignored`` are bounds among ``limits`` this attacker does not read (the
        headcounts, for a union at its headcount: nor does it then know that no more than
        the headcount is possible). ``evidence``: tables found before, and where to keep
        the ones it finds."""
        limits = limits or {}
        self.component = component
        self.ignored = ignored
        self.capacity = _capacity(component, ignored)
        self.rows, matrix = _system(component, lambda f: f not in limits)
        self.counts = np.array([atom.count for atom in component], dtype=float)
        bounded, stated = _system(component, lambda f: f in limits and f not in ignored)
        truth = stated @ self.counts
        below = np.array([limits[f][0] for f in bounded], dtype=float)
        above = np.array([limits[f][1] for f in bounded], dtype=float)
        at_most, at_least = np.flatnonzero(np.isfinite(above)), np.flatnonzero(np.isfinite(below))
        self.ub_rows = [bounded[i] for i in (*at_most, *at_least)]
        self.program = LinearProgram(  # count ≤ truth + room above; -count ≤ -(truth - below)
            len(component),
            equal=matrix,
            equal_to=matrix @ self.counts,
            at_most=vstack([stated[at_most], -stated[at_least]], format="csr"),
            bound=np.hstack([(truth + above)[at_most], -(truth - below)[at_least]]),
            upper=np.array([atom.upper for atom in component], dtype=float),
        )
        self.evidence = evidence
        seeded = [] if evidence is None else evidence.seed(component, "counts", 1, self.program)
        self.tables = _Tables(len(component), seeded)
        self.seeded = len(self.tables)

    def keep(self) -> None:
        """Hand the tables found to the evidence, for the next audit."""
        if self.evidence is not None:
            self.evidence.keep(self.component, "counts", 1, self.tables[self.seeded :])

    def explore(self, small: list[int]) -> None:
        """Tables that push many small groups down at once (and then up): minimise a
        randomly weighted sum of the groups not yet seen one lower, keep the table, and
        repeat with those still not seen, until a program moves none. Each program
        certifies a batch; only the groups left need programs of their own. The weights
        come from a fixed seed, so an audit is repeatable."""
        random = np.random.default_rng(len(self.component))
        for sign in (1.0, -1.0):
            waiting = [j for j in small if self.counts[j] > 0]
            if sign < 0:  # none more than their headcount allows
                most = _most_each(self.capacity, waiting, len(self.component))
                waiting = [j for j, m in zip(waiting, most, strict=True) if self.counts[j] < m]
            if self.tables:  # those seen one lower (higher) in a table already are seen
                seen = sign * (self.counts - self.tables.stack()) >= 1 - _EPS
                waiting = [j for j in waiting if not seen[:, j].any()]
            while waiting:
                objective = np.zeros(len(self.component))
                objective[waiting] = sign * random.uniform(1.0, 2.0, len(waiting))
                step = np.full(len(self.component), -sign * np.inf)  # each moves one at most
                step[waiting] = self.counts[waiting]
                solved = self.program.minimise(
                    objective,
                    lower=step - 1 if sign > 0 else None,
                    upper=step + 1 if sign < 0 else None,
                )
                if solved is None:
                    break  # unbounded (a group only stated to be at least k): no table
                table = solved.x
                self.tables.append(table)
                moved = sign * (self.counts[waiting] - table[waiting]) >= 1 - _EPS
                if not moved.any():
                    break
                waiting = [j for j, m in zip(waiting, moved, strict=True) if not m]

    def free(
        self,
        unions: Sequence[tuple[int, ...]],
        *,
        count: bool = True,
        points: bool = True,
    ) -> np.ndarray:
        """For each union, whether the tables found so far show its count one lower and
        (where one more is possible) one higher: ``pins`` would find nothing. (``count``
        and ``points``: as ``_PointAttacker.free``'s; counts are all there is here.)"""
        member = _membership(unions, len(self.component))
        seen = member @ self.tables.stack().T  # each union's count in each table
        if not count:
            return np.ones(len(unions), dtype=bool)
        return _free(member, self.capacity, member @ self.counts, seen)

    def pins(self, union: tuple[int, ...]) -> Finding | None:
        """The union as a finding if an attacker can rule out one respondent fewer, or one
        more where one more is possible at all (the headcount allows it)."""
        count = _sum(self.component, union)
        most = float(self.capacity(_membership([union], len(self.component)))[0])
        ends = []
        used: set[int] = set()
        for sign, want in ((1.0, count - 1), (-1.0, count + 1)):
            if sign < 0 and want > most:
                ends.append(float(count))
                continue
            seen = self.tables.stack()[:, list(union)].sum(axis=1)
            if np.any(sign * (seen - want) <= _EPS):
                ends.append(want)
                continue
            end, table, binding = self._extreme(union, sign)
            if table is not None:
                self.tables.append(table)
            ends.append(end)
            used |= binding
        low = int(np.ceil(ends[0] - _EPS))
        high = count + 1 if np.isinf(ends[1]) else int(np.floor(ends[1] + _EPS))
        if low <= count - 1 and (high >= count + 1 or count + 1 > most):
            return None
        if not used:  # bounds alone bind: every figure touching the union is to blame
            used = {f for j in union for f in self.component[j].figures}
        atoms = [self.component[j] for j in union]
        cells = frozenset().union(*(a.cells for a in atoms))
        return Finding(cells, count, low, high, frozenset(used))

    def _extreme(
        self, union: tuple[int, ...], sign: float
    ) -> tuple[float, np.ndarray | None, set[int]]:
        """The smallest (sign 1) or largest (sign -1) count of the union, a table that has
        it, and the figures that bind it (no table where there is no largest)."""
        objective = np.zeros(len(self.component))
        objective[list(union)] = sign
        solved = self._solve(objective)
        if solved is None:
            return np.inf, None, set()
        value, table, binding = solved
        return sign * value, table, binding

    def _solve(self, objective: np.ndarray) -> tuple[float, np.ndarray, set[int]] | None:
        """The program's optimum, a table that has it and the figures that bind it; None
        where it has none (unbounded: atoms that only a lower bound holds)."""
        solved = self.program.minimise(objective)
        if solved is None:
            return None
        binding = {self.rows[i] for i in solved.equal} | {self.ub_rows[i] for i in solved.at_most}
        return solved.value, solved.x, binding


def _per_point(
    component: list[_Atom],
    k: int,
    limits: Mapping[int, tuple[float, float]],
    printed: Mapping[int, list[PointRow]],
    targets: Sequence[Sequence[float]] = (),
    headcounts: frozenset[int] = frozenset(),
    evidence: Evidence | None = None,
    every: bool = False,
    unanimous: Mapping[int, int] | None = None,
) -> list[Finding]:
    """A union of small atoms whose count an attacker bounds within ±1, or whose count at a
    point (or at one of the unions of points ``targets``) they show to be at least what it
    is, from the figures, the stated bounds and the printed distributions together (the
    module's docstring); with ``every``, each such union (``_pinned_unions``). Unions as
    the interval test takes them, and a union at its headcount judged without the
    ``headcounts`` rows, as the interval test judges it. ``unanimous``: the figures
    whose printed shares put all their answers at one point, with that point
    (``_unanimous``)."""
    small = [j for j, atom in enumerate(component) if atom.count < k]
    if not any(component[j].count > 0 for j in small):
        return []
    if not any(f in printed for a in component for f in a.figures):
        return []
    said = _said_at(component, unanimous or {})
    attacker = _PointAttacker(component, limits, printed, targets, said=said, evidence=evidence)
    attacker.explore(small)

    def plain() -> _PointAttacker:  # asked about counts only (``_full_points``)
        judge = attacker.without(headcounts)
        judge.explore(small, points=False)
        return judge

    judged = plain if headcounts else None
    return _pinned_unions(component, k, small, attacker, judged, _full_points, every)


def _full_points(
    union: tuple[int, ...], plain: Callable[[], _PointAttacker], attacker: _PointAttacker
) -> Finding | None:
    """A union at its headcount: its count as ``_full`` judges it (the policy), its counts
    at each point with the headcounts, for its answers at each point are answers,
    whoever took part (found by review)."""
    found = None
    if not attacker.free([union], points=False)[0]:
        found = plain().pins(union, points=False)
        if found and not attacker.pins(union, points=False):
            found = None
    return found or attacker.pins(union, count=False)


def _said_at(component: list[_Atom], unanimous: Mapping[int, int]) -> list[frozenset[int]]:
    """For each atom, the points a shown figure holding it puts all its answers at
    (``_unanimous``): there the atom's count is its count, whoever is asking."""
    return [frozenset(unanimous[f] for f in atom.figures if f in unanimous) for atom in component]


def _spread(incidence: csr_array, places: np.ndarray, weights: np.ndarray) -> csr_array:
    """Rows over figures' atoms (``incidence``: figures × atoms), each given as its
    figure's place and its weights per point (a row of ``weights``), as one matrix over the
    atoms' counts per point (atom j's at columns j·size to j·size + size - 1): every atom
    of the figure weighs its points alike. Built in one go: row by row it was most of a
    national report's attackers' set-up (hundreds of headcount rows each)."""
    size = weights.shape[1]
    n = incidence.shape[1] * size
    if not len(places):
        return csr_array((0, n))
    starts, ends = incidence.indptr[places], incidence.indptr[places + 1]
    lengths = ends - starts
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    atoms = incidence.indices[offsets + np.arange(lengths.sum())]
    columns = _blocks(atoms, size)
    data = np.repeat(weights, lengths, axis=0).reshape(-1)
    row_of = np.repeat(np.arange(len(places)), lengths * size)
    return csr_array((data, (row_of, columns)), shape=(len(places), n))


def _blocks(atoms: Sequence[int] | np.ndarray, size: int) -> np.ndarray:
    """The atoms' unknowns (each atom's counts at its points), atom by atom."""
    return (np.asarray(atoms, dtype=int)[:, None] * size + np.arange(size)).reshape(-1)


class _PointAttacker:
    """The attacker's linear program over one component's counts per point: unknowns are
    each atom's count at each point; each shown figure's count is an equality over all
    points of its atoms, each printed bound (``printed``) and stated bound an inequality;
    counts are at least 0, and an atom's total at most its headcount. Tables found are
    kept, as ``_Attacker`` keeps them: a target already seen one lower needs no program."""

    def __init__(
        self,
        component: list[_Atom],
        limits: Mapping[int, tuple[float, float]],
        printed: Mapping[int, list[PointRow]],
        targets: Sequence[Sequence[float]] = (),
        ignored: frozenset[int] = frozenset(),
        said: Sequence[frozenset[int]] = (),
        evidence: Evidence | None = None,
    ) -> None:
        """``ignored``: bounds among ``limits`` not read; ``said``: each atom's points where
        a shown figure holding it says its count is its count (``_said_at``); ``evidence``
        (``_Attacker``'s)."""
        self.component = component
        self.ignored = ignored
        self.capacity = _capacity(component, ignored)
        self.printed = frozenset(printed)
        self.size = len(component[0].points)
        self.unions = [np.asarray(t, dtype=float) for t in targets]
        size = self.size
        per_atom = np.array([a.points for a in component], dtype=float)
        self.truth = per_atom.reshape(-1)
        figures = sorted({f for a in component for f in a.figures})
        place = {f: i for i, f in enumerate(figures)}
        _, incidence = _system(component)  # figures (in this order) × atoms
        at_figure = incidence @ per_atom  # each figure's true counts per point
        read = [f for f in figures if f not in ignored]
        self.equal_of: list[int] = [f for f in read if f not in limits]
        stated = [f for f in read if f in limits]
        blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]] = []

        def both_ways(of: list[int], weights: np.ndarray, room: np.ndarray) -> None:
            """Rows over the figures ``of`` (one each, with its weights per point): the
            weighted count at most the truth plus the room above, then at least the truth
            less the room below (``room``: below, above), each only where finite."""
            places = np.array([place[f] for f in of], dtype=int)
            truth = np.einsum("ij,ij->i", weights, at_figure[places])
            for sign, side in ((1.0, 1), (-1.0, 0)):
                finite = np.isfinite(room[:, side])
                bound = sign * truth[finite] + room[finite, side]
                kept = list(itertools.compress(of, finite))
                blocks.append((places[finite], sign * weights[finite], bound, kept))

        if stated:
            room = np.array([limits[f] for f in stated], dtype=float)
            both_ways(stated, np.ones((len(stated), size)), room)
        for f in self.equal_of:
            if rows := printed.get(f, []):
                weights = np.array([w for w, _, _ in rows], dtype=float)
                both_ways([f] * len(rows), weights, np.array([r[1:] for r in rows], dtype=float))
        upper_b = [float(b) for block in blocks for b in block[2]]
        self.upper_of: list[int] = [f for block in blocks for f in block[3]]
        upper_rows = (
            np.concatenate([block[0] for block in blocks]) if blocks else np.zeros(0, dtype=int),
            np.vstack([block[1] for block in blocks]) if blocks else np.zeros((0, size)),
        )
        n = len(self.truth)
        bounded = [j for j, atom in enumerate(component) if np.isfinite(atom.upper)]
        headcount = csr_array(  # an atom's total at most its headcount
            (
                np.ones(len(bounded) * size),
                (np.repeat(np.arange(len(bounded)), size), _blocks(bounded, size)),
            ),
            shape=(len(bounded), n),
        )
        upper_b += [component[j].upper for j in bounded]
        self.upper_of += [-1] * len(bounded)
        shown = np.array([place[f] for f in self.equal_of], dtype=int)
        equal = _spread(incidence, shown, np.ones((len(shown), size))) if len(shown) else None
        at_most = csr_array(vstack([_spread(incidence, *upper_rows), headcount]))
        self.program = LinearProgram(
            n,
            equal=equal,
            equal_to=None if equal is None else equal @ self.truth,
            at_most=at_most if at_most.shape[0] else None,
            bound=np.array(upper_b),
        )
        self.said_at = list(said) or [frozenset()] * len(component)
        self.evidence = evidence
        seeded = [] if evidence is None else evidence.seed(component, "points", size, self.program)
        self.tables = _Tables(len(self.truth), seeded)
        self.seeded = len(self.tables)

    def keep(self) -> None:
        """Hand the tables found to the evidence, for the next audit."""
        if self.evidence is not None:
            self.evidence.keep(self.component, "points", self.size, self.tables[self.seeded :])

    def without(self, ignored: frozenset[int]) -> _PointAttacker:
        """This attacker not reading the bounds ``ignored`` as well (the numbers invited,
        for ``_full_points``): its program less their rows, with every table found so far
        (each meets fewer constraints all the more) and those kept as evidence that meet
        them. Built afresh, it was a fifth of a national report's audit, every item's."""
        plain = copy.copy(self)
        read = np.array([f not in ignored for f in self.upper_of], dtype=bool)
        plain.ignored = self.ignored | ignored
        plain.capacity = _capacity(self.component, plain.ignored)
        plain.upper_of = list(itertools.compress(self.upper_of, read))
        plain.program = self.program.keeping(read)
        seeded = (
            []
            if self.evidence is None
            else self.evidence.seed(self.component, "points", self.size, plain.program)
        )
        plain.tables = _Tables(len(self.truth), [*self.tables, *seeded])
        plain.seeded = len(plain.tables)
        return plain

    def _targets(self, union: tuple[int, ...]) -> list[tuple[int | None, np.ndarray, int]]:
        """What must not be pinned of a union: its count (point None) and its count at each
        point it has answers at, as weights over the unknowns and the true value."""
        size = self.size
        whole = np.zeros(len(self.truth))
        for j in union:
            whole[j * size : (j + 1) * size] = 1.0
        found: list[tuple[int | None, np.ndarray, int]] = [
            (None, whole, _sum(self.component, union))
        ]
        said = self._said(union)
        for p in range(size):
            at = sum(self.component[j].points[p] for j in union)
            if at > 0 and p not in said:
                weights = np.zeros(len(self.truth))
                weights[[j * size + p for j in union]] = 1.0
                found.append((p, weights, at))
        for t, over in enumerate(self.unions, start=size):  # numbered after the points
            at = round(sum(float(over @ np.asarray(self.component[j].points)) for j in union))
            if at > 0 and t not in said:
                weights = np.zeros(len(self.truth))
                for j in union:
                    weights[j * size : (j + 1) * size] = over
                found.append((t, weights, at))
        return found

    def _said(self, union: tuple[int, ...]) -> set[int]:
        """The points (and unions of points, numbered after them) at which this union's
        count is its count because shown figures say so of each of its atoms with answers
        (``said_at``): auditing them would audit the union's count again, judged without
        the policy a union at its headcount has (the module's docstring, "Scale points")."""
        said = self._said_each(_membership([union], len(self.component)))[0]
        return set(np.flatnonzero(said).tolist())

    def _said_each(self, member: csr_array) -> np.ndarray:
        """``_said`` of each union (a row of ``member``, ``_membership``), as a unions ×
        targets matrix (the points, then the unions of points): said where each of the
        union's atoms with answers has it said, and the union has such an atom."""
        said_at, answering = self._said_by_atom
        answers = member @ answering  # each union's atoms with answers
        said = member @ said_at >= answers[:, None]
        return np.asarray(said & (answers[:, None] > 0), dtype=bool)

    @functools.cached_property
    def _said_by_atom(self) -> tuple[np.ndarray, np.ndarray]:
        """Each atom's targets said (``said_at``, and the unions of points that weigh
        exactly 1 at one of them), 0 for an atom without answers; and which atoms have
        answers."""
        answering = np.array([atom.count > 0 for atom in self.component], dtype=float)
        at_point = np.zeros((len(self.component), self.size))
        for j, points in enumerate(self.said_at):
            at_point[j, list(points)] = 1.0
        unions = np.array([u == 1 for u in self.unions], dtype=float).reshape(-1, self.size)
        over = np.hstack([np.eye(self.size), unions.T])  # points × targets
        return (at_point @ over > 0) * answering[:, None], answering

    def explore(self, small: list[int], *, points: bool = True) -> None:
        """Tables moving many small atoms a step at once, as ``_Attacker.explore`` does for
        counts (a fixed seed: repeatable): with ``points``, each count at a point one lower
        (first by trading answers, ``_trade``), or else each atom's count one lower; and
        each atom's count one higher. Without the push up every small atom took a program
        of its own to be seen one higher: 230 of them, 7 s, for the national report by unit
        after the other breakdowns. The programs hold each small atom's count within one of
        the truth, so an optimum spreads its moves over many atoms: unheld, it piled the
        rise on the heaviest weighted atom of each figure, four atoms a program, 126
        programs for a national report by role's cells of one mayor each."""
        size = self.size
        random = np.random.default_rng(len(self.component))
        counts = self.truth.reshape(-1, size).sum(axis=1)
        moving = [j for j in small if counts[j] > 0]
        if not moving:
            return
        made: list[LinearProgram] = []

        totals = self._totals(moving)

        def held() -> LinearProgram:  # built where tables without programs did not do
            if not made:
                made.append(
                    self.program.with_rows(
                        csr_array(vstack([totals, -totals], format="csr")),
                        np.hstack([counts[moving] + 1, -(counts[moving] - 1)]),
                    )
                )
            return made[0]

        self._move(moving, random)
        if points:
            unknowns = _blocks(moving, size)
            answered = unknowns[self.truth[unknowns] > 0]  # each count at a point there is
            self._trade(small, answered, random)
            lowered = csr_array(
                (np.ones(len(answered)), (np.arange(len(answered)), answered)),
                shape=(len(answered), len(self.truth)),
            )
        else:
            lowered = totals
        self._push(held, lowered, 1.0, random)
        most = _most_each(self.capacity, moving, len(self.component))
        self._push(held, totals[np.flatnonzero(counts[moving] < most)], -1.0, random)

    def _totals(self, atoms: list[int]) -> csr_array:
        """Each atom's count as a row over the unknowns (its counts at each point)."""
        size = self.size
        rows = np.repeat(np.arange(len(atoms)), size)
        ones = np.ones(len(rows))
        return csr_array((ones, (rows, _blocks(atoms, size))), shape=(len(atoms), len(self.truth)))

    def _push(
        self,
        program: Callable[[], LinearProgram],
        waiting: csr_array,
        sign: float,
        random: np.random.Generator,
    ) -> None:
        """Tables showing each target (a row of ``waiting``: a sum of unknowns) one lower
        (sign 1) or higher (sign -1) than the truth, where the tables found so far do not:
        minimise a randomly weighted sum of those still waiting, keep the table, repeat
        until a program moves none."""
        if not waiting.shape[0]:
            return
        truth = waiting @ self.truth
        seen = waiting @ self.tables.stack().T  # each target's value in each table
        moved = sign * (truth[:, None] - seen) >= 1 - _EPS
        left = np.flatnonzero(~moved.any(axis=1))
        while len(left):
            objective = sign * (random.uniform(1.0, 2.0, len(left)) @ waiting[left])
            solved = program().minimise(objective)
            if solved is None:
                break  # unbounded (a group only stated to be at least k): no table
            self.tables.append(solved.x)
            now = sign * (truth[left] - waiting[left] @ solved.x) >= 1 - _EPS
            if not now.any():
                break
            left = left[~now]

    def _move(self, moving: list[int], random: np.random.Generator) -> None:
        """Tables where one answer moves from one small atom to another in the same
        figures and stated bounds (those this attacker reads), at the same point: every
        figure, bound and printed distribution stays as it is, so each table is consistent
        with the release without a program (checked all the same), and shows half of them
        one lower and half one higher. For an attacker that does not read the numbers
        invited, every mayor of a national report by role is in the same figures as the
        others: two such tables do what the programs did in dozens."""
        size = self.size
        groups: dict[tuple[int, ...], list[int]] = {}
        for j in moving:
            key = tuple(f for f in self.component[j].figures if f not in self.ignored)
            groups.setdefault(key, []).append(j)
        pairing = [members for members in groups.values() if len(members) > 1]
        truth = self.truth.reshape(-1, size)
        first = np.argmax(truth > 0, axis=1)  # each atom's lowest point with an answer
        for _ in range(_TRADES // 2 if pairing else 0):
            orders = [random.permutation(members) for members in pairing]
            a = np.concatenate([order[: len(order) // 2 * 2 : 2] for order in orders])
            b = np.concatenate([order[1::2] for order in orders])
            giving = truth.copy(), truth.copy()  # each pair one way, then the other
            giving[0][a, first[a]] -= 1  # (every atom is in one pair at most)
            giving[0][b, first[a]] += 1
            giving[1][b, first[b]] -= 1
            giving[1][a, first[b]] += 1
            for table in giving:
                flat = table.reshape(-1)
                if self.program.holds(flat):
                    self.tables.append(flat)

    def _trade(self, small: list[int], waiting: np.ndarray, random: np.random.Generator) -> None:
        """Tables where small atoms of the same count, in the same figures that print a
        distribution, trade their answers: every count and every printed distribution
        stays as it is, so each table is consistent with the release without a program
        (checked all the same). In a national report by role, whose cells are one mayor
        each once the numbers invited split them, one such table shows most mayors' answers
        one lower where the programs moved a few at a time (2 000 programs, 4 s)."""
        size = self.size
        groups: dict[tuple[int, tuple[int, ...]], list[int]] = {}
        for j in small:
            atom = self.component[j]
            if atom.count > 0:
                key = (atom.count, tuple(f for f in atom.figures if f in self.printed))
                groups.setdefault(key, []).append(j)
        trading = [members for members in groups.values() if len(members) > 1]
        truth = self.truth.reshape(-1, size)
        left = np.zeros(len(self.truth), dtype=bool)
        left[waiting] = True
        for _ in range(_TRADES):
            if not trading or not left.any():
                break
            table = truth.copy()
            for members in trading:
                table[members] = truth[random.permutation(members)]
            flat = table.reshape(-1)
            if self.program.holds(flat):
                self.tables.append(flat)
                left &= ~(self.truth - flat >= 1 - _EPS)
        self._aimed(trading, left)

    def _aimed(self, trading: list[list[int]], left: np.ndarray) -> None:
        """Traded tables aimed at the counts at a point the random trades left (``left``:
        the unknowns not yet seen one lower): each such atom trades with a member of its
        group holding fewer answers at that point, each member once a table, table after
        table while they move any. Where most of a group answered alike, random partners
        kept missing a few of them (on three in five of a national report's items), and
        each took a program from nothing (50 ms)."""
        size = self.size
        truth = self.truth.reshape(-1, size)
        for _ in range(_TRADES):
            waiting = left.reshape(-1, size)
            table = truth.copy()
            for members in trading:
                free = set(members)
                for a in members:
                    points = np.flatnonzero(waiting[a])
                    if a not in free or not len(points):
                        continue
                    fewer = truth[members, points[0]] < truth[a, points[0]]
                    partner = next(
                        (b for b, f in zip(members, fewer, strict=True) if f and b in free), None
                    )
                    if partner is not None:
                        free -= {a, partner}
                        table[[a, partner]] = truth[[partner, a]]
            flat = table.reshape(-1)
            if not (flat != self.truth).any() or not self.program.holds(flat):
                return
            self.tables.append(flat)
            left &= ~(self.truth - flat >= 1 - _EPS)

    def free(
        self,
        unions: Sequence[tuple[int, ...]],
        *,
        count: bool = True,
        points: bool = True,
    ) -> np.ndarray:
        """For each union, whether the tables found so far show (with ``count``) its count
        one lower and, where one more is possible, one higher; and (with ``points``) its
        count at each point it has answers at, and at each union of points, one lower:
        ``pins`` would find nothing of what is asked."""
        size, stack = self.size, self.tables.stack()
        atoms = len(self.component)
        member = _membership(unions, atoms)
        truth = member @ self.truth.reshape(-1, size)  # each union's counts per point
        per_atom = stack.reshape(len(stack), atoms, size).transpose(1, 0, 2).reshape(atoms, -1)
        seen = (member @ per_atom).reshape(len(unions), len(stack), size)
        free = np.ones(len(unions), dtype=bool)
        if count:
            counts = member @ np.array([atom.count for atom in self.component], dtype=float)
            free &= _free(member, self.capacity, counts, seen.sum(axis=2))
        said = self._said_each(member) if points else np.zeros((len(unions), 0), dtype=bool)
        for t, over in enumerate([*np.eye(size), *self.unions] if points else []):
            value = np.round(truth @ over)
            moved = (seen @ over <= value[:, None] - 1 + _EPS).any(axis=1)
            free &= (value <= 0) | moved | said[:, t]
        return free

    def pins(
        self, union: tuple[int, ...], *, count: bool = True, points: bool = True
    ) -> Finding | None:
        """The union's count (``count``) or a count at one of its points (``points``) as
        pinned by the attacker, if one is (the first found)."""
        cells = frozenset().union(*(self.component[j].cells for j in union))
        most = float(self.capacity(_membership([union], len(self.component)))[0])
        for point, weights, value in self._targets(union):
            if not (count if point is None else points):
                continue
            sides = [(1.0, value - 1)] + (
                [(-1.0, value + 1)] if point is None and value + 1 <= most else []
            )
            ends: dict[float, float] = {}
            used: set[int] = set()
            for sign, want in sides:
                seen = self.tables.stack() @ weights
                if np.any(sign * (seen - want) <= _EPS):
                    ends[sign] = want
                    continue
                solved = self._solve(sign * weights)
                if solved is None:
                    ends[sign] = -sign * np.inf
                    continue
                end, table, binding = solved
                self.tables.append(table)
                ends[sign] = sign * end
                used |= binding
            low = int(np.ceil(ends[1.0] - _EPS))
            high = (
                int(np.floor(ends[-1.0] + _EPS))
                if -1.0 in ends and np.isfinite(ends[-1.0])
                else value + 1
            )
            if low <= value - 1 and (high >= value + 1 or point is not None or value + 1 > most):
                continue
            if not used:
                used = {f for j in union for f in self.component[j].figures}
            return Finding(cells, value, low, max(high, value), frozenset(used), point)
        return None

    def _solve(self, objective: np.ndarray) -> tuple[float, np.ndarray, set[int]] | None:
        solved = self.program.minimise(objective)
        if solved is None:
            return None
        binding = {self.equal_of[i] for i in solved.equal}
        binding |= {self.upper_of[i] for i in solved.at_most}
        binding.discard(-1)
        return solved.value, solved.x, binding
