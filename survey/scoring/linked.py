"""One table's suppression together with every figure already released from its snapshot.

Each table is suppressed on its own (``scoring.suppression``), and that is enough for
someone who reads one table. But a round offers several breakdowns (by default each
dimension alone and role × unit), and the same snapshot's figures reach people through
many tables: a report by unit, another by role × unit, a unit leader's page, `survey
scores`. A unit shown in the report by unit (8
answers) and hidden in the crossed report to protect a small cell is, together with the
crossed report's other cells, a group of two. The auditor must see them together. So
the groups whose counts of a measure have left the system (the release ledger, for the
snapshot being reported on) are *released*: fixed, never to be taken back. A table's
shown groups are *proposed*. Both are sums of the finest cells of the whole round (every
dimension any of them splits by), and ``audit.protect`` hides proposed ones until
nothing under the minimum can be worked out from all of them, exactly or within one
respondent.

**Cheap when nothing is new.** A table that shows no group not yet released from its
snapshot adds nothing; one whose measure was released from this snapshot only for groups
the table itself shows, and from no earlier snapshot, adds nothing to what its own
suppression audited: neither is audited again (reading the same report again). Tables
with the same counts, released groups and proposal share one decision (items everyone
answered). Every table still counts each measure of the ledger once per report, to find
its pool (below). A table that adds a group after earlier snapshots released figures is
always audited with their paths: that the same groups were released from every earlier
snapshot is not enough (a review found the gate's audit of the changes leaves bounds
from withdrawals that only the paths show).

**Growing as it goes.** Tables of one report are released together, so each table's
shown groups join the released ones before the next table of the same measure is
decided.

**Figures already out.** A proposed group already released is shown again (hiding it
would protect nobody) and counts as released; for an item, already released means for
that item (its distribution), not only for its pool. If the released figures alone give a group
away, which only releases made before this check existed can do, nothing new of that
measure is shown.

**One count, one ledger.** Measures with the same count in every cell are one set of
unknowns to an attacker (every item everyone answered, the index over them, a choice
question's n, the number of answers on an anonymous round's cover), so their released
groups are pooled: a unit's index on its leader's page and the round's q5 total in a
report by unit subtract as well as two q5 figures would (found by review). Pools are
found by the counts' hash; two different counts sharing one would only audit more.

**Means alone.** The summary by role in a report by unit shows each role's mean and
not its count or distribution; beside the role's count printed elsewhere it is the sum
of its answers. It is decided after the report's tables, with them, as a table of its
own (``hidden``'s ``summed``, ``_audited``): by counts, then checked with the points
the other figures print and its means read as sums. The ledger keeps its groups apart
(``MEAN_ONLY``), and later audits of an item read them as their count and sum
(``audit.Points.summed``), not as printed distributions: a report by role would
otherwise take the roles' distributions for figures already out and print them
unaudited.

**Reasons are bounds.** A hidden cell that says why states an inequality on its group's
count ("færre enn 5 svar": at most 4; "skjult for å beskytte en liten gruppe": at least
5). Reasons released before (``stated``, ``stated_before``; pooled like the groups) are
read by every audit here as inequalities (``audit.audit``'s ``limits``), so a new table's
figures cannot pin a group together with them; and a table's own reasons are given only
where the auditor, with everything released and the table's figures, finds nothing
(``told``), after which they are released for the tables after it.

**Numbers invited are bounds.** In an invited round the rates print each group's number
invited, and no measure's count of a group can exceed it where respondents stated their
invitations' groups: a report by unit that showed q5's total 7 beside Kommune A's 5 of 5
hid Kommune B's 2 of 3 to no avail. So every audit here reads every number invited a
page can show (``invitations``, ``audit.Headcounts`` over the paths where they are now),
with the auditor's policy for groups where everyone answered; the cells are split by every
dimension of the invitation list (``finest.released_before``), since a number invited of
a group the tables do not split by bounds their figures too (Kommune B's rådmenn, 2 of 2,
beside a total of 3 gave away the other groups' one). A table is then audited even where
nothing was released before: its own suppression read no number invited.

**Counts per point.** A shown group of an item prints its distribution too, which for a
small group pins each point's count (``scoring.printed``), and counts alone miss what
those add up to across reports: a report by role shows one answer of 6 among the mayors,
a report by unit one in Kommune A, and Kommune A's one mayor answered 6, though each
report passed alone (tests/confidentiality/test_points_across_reports.py). So an item's
audits here read ``points`` too, each path's counts per scale point, and give them to
``audit``'s ``points`` machinery: every released and proposed group's counts per point
are read as known *exactly*, a conservative simplification (what is printed is whole
percent, which pins them only for groups of up to about a hundred; reading more than an
attacker can only hide more). A group is small by its count, under the minimum, not by
its count at a point. Pooled groups (below) released for another measure with the same
counts showed their count, not this item's distribution: they are read by count only
(``audit.Points.unprinted``), and such a group proposed again for this item is new (its
distribution is), audited like any other: a crossed report that hid the units for q5
and showed them for q1 (same counts, other answers) must not let a report by unit show
q5's units unaudited (found by review). With earlier snapshots, a path's
counts per point are its members' answers in the snapshot being reported on, and every
figure, an earlier snapshot's too, is read with them: what an earlier snapshot printed of
answers changed since is not read (docs/confidentiality.md, "Not built yet").
A choice question's counts per option are read the same way (``points`` per option; a
multiple choice's per pattern of ticks, each option a union of patterns printed exactly,
``Reading``): the report by role and the one by unit each showed one "ja", and together
Kommune A's lone mayor's (tests/confidentiality/test_choice_options.py).

**Bounded.** A system linking more than ``MAX_ATOMS`` atoms is not audited; the table's
new groups are hidden instead (see ``MAX_ATOMS``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from survey.scoring.suppression import ALL, STATED, stated_bounds

if TYPE_CHECKING:
    from survey.scoring.audit import Headcounts, Judged, Points

MEAN_ONLY = "mean:"
"""Before a measure in what the ledger lists as released (``storage.releases.released_at``):
its groups showed their mean only, without count and distribution."""

Group = Mapping[str, str]
"""A released group: dimension -> value; the empty mapping is the total."""

Cell = tuple[str, ...]
"""A finest cell: one value per dimension of ``Released.names``."""

Path = tuple[Cell | None, ...]
"""Where one respondent was counted in a measure at each snapshot figures were released
from, earliest first and the snapshot being reported on last (None: not counted then)."""

Counts = Mapping[Path, int]
"""A measure's respondents per path: with no earlier snapshot, per finest cell."""

PathPoints = Mapping[Path, Sequence[int]]
"""An item's counts per scale point per path (at the snapshot being reported on); a
choice's per option, or per pattern of ticks (``scoring.choices.choice_points``)."""

Reading = tuple[Sequence[Sequence[float]], Sequence[Sequence[float]]]
"""What a shown group of a measure prints of its counts per point, as weights over the
points, each row exactly; and unions of points audited beside each point
(``audit.Points.targets``): a multiple choice's options over its patterns of ticks."""

Positioned = tuple[int, Group]
"""A group released from the snapshot at that position of the paths."""


Limits = list[tuple[list[Path], float, float]]
"""Stated bounds over paths: (the paths, lowest, highest)."""


def _frozen(group: Group) -> frozenset[tuple[str, str]]:
    return frozenset(group.items())


def _in_order(groups: Iterable[frozenset[tuple[str, str]]]) -> list[frozenset[tuple[str, str]]]:
    """Groups in an order that does not hang on their hashes. A set's order differs from
    one process to the next, and the figures' order is the programs' rows': their optima,
    and so the cells hidden, follow it. The same report made twice must hide the same
    cells (an employee survey's report by unit hid 1 033 cells in one process and 1 036
    in another)."""
    return sorted(groups, key=sorted)


def _bounds_in_order(
    bounds: Iterable[tuple[frozenset[tuple[str, str]], str, float]],
) -> list[tuple[frozenset[tuple[str, str]], str, float]]:
    """Reasons in an order that does not hang on their hashes (``_in_order``)."""
    return sorted(bounds, key=lambda bound: (sorted(bound[0]), bound[1], bound[2]))


Bound = tuple[Group, str, float]
"""A reason released for a group (``suppression.STATED``): the group, the ledger's
statistic ("fewer than k", "at least k") and the k it was stated with."""

PositionedBound = tuple[int, Group, str, float]
"""A reason released from the snapshot at that position of the paths."""


@dataclass(frozen=True)
class Invitations:
    """What the invitation list tells of the tables' groups: each finest cell's number
    invited (``cells``, over ``Released.names``) and every group whose number invited a
    page can show, with that number (``shown``; ``scoring.rates.invited_groups``)."""

    cells: Mapping[Cell, int]
    shown: Sequence[tuple[Group, int]]


@dataclass
class Released:
    """The figures released before, per measure: from the snapshot being reported on
    (``earlier``: measure -> groups) and from earlier snapshots (``before``: measure ->
    (position, group)); the reasons given for hidden groups, inequalities on their counts
    (``stated`` from this snapshot, ``stated_before`` from earlier ones); the way to count
    any measure per path over ``names`` (``counts``, called at most once per measure);
    ``within``, the group a report is limited to (one unit's): every row of its tables
    lies in it; ``points``, an item's counts per scale point per path at the snapshot
    being reported on ({} for other measures; None: not counted), read as each figure's
    exact counts per point (the module's docstring); ``summed``, per measure, the groups
    of this snapshot whose mean was released without its distribution (the summary by
    another breakdown than the tables'), read as their count and sum (``audit.Points``)."""

    names: tuple[str, ...]
    earlier: Mapping[str, Sequence[Group]]
    counts: Callable[[str], Counts]
    within: Group = field(default_factory=dict)
    before: Mapping[str, Sequence[Positioned]] = field(default_factory=dict)
    position: int = 0  # the position of the snapshot being reported on in every path
    stated: Mapping[str, Sequence[Bound]] = field(default_factory=dict)
    stated_before: Mapping[str, Sequence[PositionedBound]] = field(default_factory=dict)
    points: Callable[[str], PathPoints] | None = None
    reading: Callable[[str], Reading | None] | None = None  # None: each point, exactly
    summed: Mapping[str, Sequence[Group]] = field(default_factory=dict)
    invitations: Invitations | None = None  # an invited round's numbers invited
    _counted: dict[str, tuple[Counts, int, int]] = field(default_factory=dict)
    _pools: dict[int, set[frozenset[tuple[str, str]]]] = field(default_factory=dict)
    _bounds: dict[int, set[tuple[frozenset[tuple[str, str]], str, float]]] = field(
        default_factory=dict
    )
    _pooled_before: dict[int, list[Positioned]] = field(default_factory=dict)
    _bounds_before: dict[int, list[PositionedBound]] = field(default_factory=dict)
    _cells: dict[int, _Cells] = field(default_factory=dict)
    _heads: dict[tuple[Path, ...], Headcounts[Path]] = field(default_factory=dict)
    _decided: dict[tuple[object, ...], frozenset[int] | bool] = field(default_factory=dict)
    _judged: Judged = field(default_factory=dict)  # components by their counts, all measures
    _points: dict[str, tuple[PathPoints, int, Reading | None]] = field(default_factory=dict)
    _numbers: dict[Hashable, int] = field(default_factory=dict)  # ``_number``'s
    _own: dict[str, set[frozenset[tuple[str, str]]]] = field(default_factory=dict)
    _sums: dict[str, set[frozenset[tuple[str, str]]]] = field(default_factory=dict)

    def fresh(self) -> Released:
        """The same ledger with nothing of this report in it yet: a report built twice
        (made, then handed out) is decided the same way both times."""
        return Released(
            self.names,
            self.earlier,
            self.counts,
            self.within,
            self.before,
            self.position,
            self.stated,
            self.stated_before,
            self.points,
            self.reading,
            self.summed,
            self.invitations,
        )

    def more_hidden(
        self,
        table: pd.DataFrame,
        by: Sequence[str],
        per: str,
        k: int,
        measure: Callable[[object], str],
        summed: bool = False,
    ) -> pd.Series:
        """Which rows of a suppressed table (group columns ``by`` with ``ALL`` in margins,
        one measure per ``per`` value, a ``suppressed`` column) to hide as well
        (``summed``: a table of means without their distributions, ``hidden``)."""
        more = pd.Series(False, index=table.index)
        for value, rows in table.groupby(per, observed=True, sort=False):
            keys = zip(*(rows[name] for name in by), strict=True) if by else [()] * len(rows)
            groups = [
                {name: str(v) for name, v in zip(by, key, strict=True) if v != ALL} for key in keys
            ]
            shown = (~rows["suppressed"].astype(bool)).tolist()
            for j in self.hidden(measure(value), groups, shown, k, summed):
                more[rows.index[j]] = True
        return more

    def hidden(
        self,
        measure: str,
        groups: Sequence[Group],
        shown: Sequence[bool],
        k: int,
        summed: bool = False,
    ) -> set[int]:
        """Which of a table's ``groups`` (of one measure, relative to ``within``; ``shown``
        by the table's own suppression) must be hidden as well. The shown ones that stay
        are released from here on, for the tables after it. ``summed``: the table prints
        each group's mean and not its distribution (the summary by another breakdown):
        a group whose mean or distribution is out already is nothing new; the others are
        decided as ``_audited`` says, and later tables read them as their count and sum."""
        now, path = self._pool(measure)
        released, history = self._pools[now], self._pooled_before[path]
        rows = [
            (j, {**self.within, **g})
            for j, (g, s) in enumerate(zip(groups, shown, strict=True))
            if s
        ]
        own = self._printed(measure)
        known = own | self._summed(measure) if summed else own
        mine = self._summed(measure) if summed else own  # where the shown ones go
        new = [(j, g) for j, g in rows if _frozen(g) not in known]
        limits = self._limits(now, path)
        alone = (
            released <= {_frozen(g) for _, g in rows}
            and not history
            and not limits
            and self.invitations is None  # the table's own suppression read no headcount
        )
        if not new or alone:
            released.update(_frozen(g) for _, g in new)
            mine.update(_frozen(g) for _, g in new)
            return set()
        fixed = [*history, *((self.position, dict(g)) for g in _in_order(released))]
        wanted: list[Positioned] = [(self.position, g) for _, g in new]
        hide = self._audited(measure, fixed, limits, wanted, k, summed)
        released.update(_frozen(g) for i, (_, g) in enumerate(new) if i not in hide)
        mine.update(_frozen(g) for i, (_, g) in enumerate(new) if i not in hide)
        return {new[i][0] for i in hide}

    def _printed(self, measure: str) -> set[frozenset[tuple[str, str]]]:
        """The groups of this snapshot whose figures of this very measure are released:
        with a distribution (an item's), the others of its pool showed their count and
        not this distribution, so showing one of them here again is new (its points)."""
        if measure not in self._own:
            now, _ = self._pool(measure)
            if self._per_point(measure)[0]:
                self._own[measure] = {_frozen(g) for g in self.earlier.get(measure, ())}
            else:
                self._own[measure] = self._pools[now]  # the pool's set itself: no points
        return self._own[measure]

    def _summed(self, measure: str) -> set[frozenset[tuple[str, str]]]:
        """The groups of this snapshot whose mean of this very measure is released without
        its distribution, and not its distribution (``summed``; tables of means decided
        here join them)."""
        if measure not in self._sums:
            own = self._printed(measure)
            self._sums[measure] = {_frozen(g) for g in self.summed.get(measure, ())} - own
        return self._sums[measure]

    def _read(
        self, measure: str, fixed: Sequence[Positioned], kept: Sequence[int]
    ) -> tuple[frozenset[int], frozenset[int]]:
        """How each of ``fixed`` is read, as indices into those ``kept``: which showed
        their count only (released for another measure of the pool, ``audit.Points``'s
        ``unprinted``) and which their count and mean (``summed``)."""
        unprinted = self._unprinted(measure, fixed)
        sums = self._summed(measure) if unprinted else set()
        summed = {
            i for i in unprinted if fixed[i][0] == self.position and _frozen(fixed[i][1]) in sums
        }
        return (
            frozenset(n for n, i in enumerate(kept) if i in unprinted and i not in summed),
            frozenset(n for n, i in enumerate(kept) if i in summed),
        )

    def _dated(self, fixed: Sequence[Positioned], kept: Sequence[int]) -> frozenset[int]:
        """Which of ``fixed`` were released from an earlier snapshot, as indices into those
        ``kept`` (``audit.Points.dated``)."""
        return frozenset(n for n, i in enumerate(kept) if fixed[i][0] != self.position)

    def _unprinted(self, measure: str, fixed: Sequence[Positioned]) -> frozenset[int]:
        """Which of ``fixed`` showed their count but not this measure's distribution:
        released for another measure of the pool (the module's docstring)."""
        if not self._per_point(measure)[0]:
            return frozenset()
        own = self._printed(measure)
        mine = {(p, _frozen(g)) for p, g in self.before.get(measure, ())}
        return frozenset(
            i
            for i, (p, g) in enumerate(fixed)
            if not (p == self.position and _frozen(g) in own) and (p, _frozen(g)) not in mine
        )

    def told(self, measure: str, groups: Sequence[Group], reasons: Sequence[str], k: int) -> bool:
        """Whether the reasons of a table's hidden ``groups`` (of one measure, relative to
        ``within``; ``suppression.SMALL`` or ``COMPLEMENT``) may be given: whether, read
        as inequalities with every figure and reason released before and the table's own
        shown figures (``hidden`` has put them among the released), they let no group
        under the minimum be bounded within one respondent. If so they are released from
        here on, for the tables after it."""
        now, path = self._pool(measure)
        bounds = {
            (_frozen({**self.within, **g}), STATED[why], float(k))
            for g, why in zip(groups, reasons, strict=True)
        }
        if not bounds or bounds <= self._bounds[now]:
            return True  # said before: nothing new
        fixed = [
            *self._pooled_before[path],
            *((self.position, dict(g)) for g in _in_order(self._pools[now])),
        ]
        limits = [
            *self._limits(now, path),
            *self._positioned(_bounds_in_order(bounds - self._bounds[now])),
        ]
        counts, signature, _ = self._count(measure)
        cells_of = self._cells_of(measure)
        fixed_cells = [c for c in (cells_of(*f) for f in fixed) if c]
        limit_cells = [(cells_of(p, g), low, high) for p, g, low, high in _read(limits)]
        points, per_point, reading = self._per_point(measure)
        kept = [i for i, c in enumerate(cells_of(*f) for f in fixed) if c]
        silent, sums = self._read(measure, fixed, kept)
        dated = self._dated(fixed, kept)
        key = (signature, per_point, _key(fixed_cells, limit_cells, silent, sums, dated), "told")
        if key not in self._decided:
            read = _exactly(points, silent, reading, sums, dated)
            heads = self._headcounts(cells_of)
            self._decided[key] = _quiet(
                counts, fixed_cells, limit_cells, k, read, heads, self._judged
            )
        if self._decided[key]:
            self._bounds[now] |= bounds
        return bool(self._decided[key])

    def _positioned(
        self, bounds: Iterable[tuple[frozenset[tuple[str, str]], str, float]]
    ) -> list[PositionedBound]:
        return [(self.position, dict(g), statistic, k) for g, statistic, k in bounds]

    def _limits(self, now: int, path: int) -> list[PositionedBound]:
        """Every reason released for the pool: from earlier snapshots, then this one."""
        return [*self._bounds_before[path], *self._positioned(_bounds_in_order(self._bounds[now]))]

    def _pool(self, measure: str) -> tuple[int, int]:
        """The measures whose released groups (and reasons) this one's are audited with:
        every measure with the same count in every cell (every item everyone answered, the
        number of respondents): an attacker who knows the counts are the same subtracts
        one measure's figure from another's. Groups of this snapshot pool by the counts
        now (two items equal now are one count now, whatever they were before); groups of
        earlier snapshots by the counts along the whole path. Returns both keys."""
        _, path, now = self._count(measure)
        if now not in self._pools:
            self._pools[now] = {
                _frozen(g)
                for other, groups in [*self.earlier.items(), *self.summed.items()]
                if self._count(other)[2] == now
                for g in groups
            }
            self._bounds[now] = {
                (_frozen(g), statistic, float(k))
                for other, bounds in self.stated.items()
                if self._count(other)[2] == now
                for g, statistic, k in bounds
            }
        if path not in self._pooled_before:
            self._pooled_before[path] = [
                positioned
                for other, groups in self.before.items()
                if self._count(other)[1] == path
                for positioned in groups
            ]
            self._bounds_before[path] = [
                bound
                for other, bounds in self.stated_before.items()
                if self._count(other)[1] == path
                for bound in bounds
            ]
        return now, path

    def _number(self, value: Hashable) -> int:
        """A number for the value, the same for an equal value and for no other (from 1:
        0 is a measure without counts per point): keys of decisions, pools and cells.
        A hash alone would do nearly always; where two measures' counts collided, the
        second would be audited with the first's counts and decided as the first was."""
        return self._numbers.setdefault(value, len(self._numbers) + 1)

    def _count(self, measure: str) -> tuple[Counts, int, int]:
        """The measure's counts per path, and numbers for them and for the counts now
        (``_number``)."""
        if measure not in self._counted:
            counts = self.counts(measure)
            now: dict[Cell, int] = {}
            for path, n in counts.items():
                if (cell := path[self.position]) is not None:
                    now[cell] = now.get(cell, 0) + n
            self._counted[measure] = (
                counts,
                self._number(("paths", frozenset(counts.items()))),
                self._number(("now", frozenset(now.items()))),
            )
        return self._counted[measure]

    def _per_point(self, measure: str) -> tuple[PathPoints, int, Reading | None]:
        """The measure's counts per point per path ({} for a measure without points, or a
        ledger that does not count them), a number for them with what is printed of them
        (``_number``; 0 for none) and what a shown group prints of them (None: each point)."""
        if measure not in self._points:
            found = self.points(measure) if self.points is not None else {}
            reading = self.reading(measure) if self.reading is not None and found else None
            printed = None if reading is None else tuple(tuple(map(tuple, r)) for r in reading)
            signature = self._number(("points", frozenset(found.items()), printed)) if found else 0
            self._points[measure] = (found, signature, reading)
        return self._points[measure]

    def _cells_of(self, measure: str) -> _Cells:
        counts, signature, _ = self._count(measure)
        if signature not in self._cells:
            self._cells[signature] = _Cells(self.names, counts)
        return self._cells[signature]

    def _audited(
        self,
        measure: str,
        fixed: list[Positioned],
        limits: list[PositionedBound],
        wanted: list[Positioned],
        k: int,
        summed: bool = False,
    ) -> frozenset[int]:
        """Which of ``wanted`` to hide, with ``fixed`` and the ``limits``. ``summed``: a
        table of means, decided by counts (cheap, and shared by every item with the same
        counts), then checked once with the counts per point the other figures print and
        its own means read as sums (``audit.Points.summed``): where that finds a group,
        every one of its means is hidden (a mean and its count give the group's sum, and
        a unit whose answers all lie at one end of the scale gives its members' too)."""
        counts, signature, _ = self._count(measure)
        cells_of = self._cells_of(measure)
        fixed_cells = [c for c in (cells_of(*f) for f in fixed) if c]
        limit_cells = [(cells_of(p, g), low, high) for p, g, low, high in _read(limits)]
        wanted_cells = [cells_of(*w) for w in wanted]
        points, per_point, reading = self._per_point(measure)
        kept = [i for i, c in enumerate(cells_of(*f) for f in fixed) if c]
        silent, sums = self._read(measure, fixed, kept)
        dated = self._dated(fixed, kept)
        if summed:
            hide = self._audited_counts(
                counts, signature, fixed_cells, limit_cells, wanted_cells, k, cells_of
            )
            shown = [w for j, w in enumerate(wanted_cells) if j not in hide]
            if not points or not shown:
                return hide
            means = sums | frozenset(range(len(fixed_cells), len(fixed_cells) + len(shown)))
            every = [*fixed_cells, *shown]
            key: tuple[object, ...] = (
                signature,
                per_point,
                _key(every, limit_cells, silent, means, dated),
                "summed",
            )
            if key not in self._decided:
                read = _exactly(points, silent, reading, means, dated)
                heads = self._headcounts(cells_of)
                self._decided[key] = _quiet(
                    counts, every, limit_cells, k, read, heads, self._judged
                )
            return hide if self._decided[key] else frozenset(range(len(wanted)))
        wanting = tuple(map(tuple, wanted_cells))
        key = (signature, per_point, _key(fixed_cells, limit_cells, silent, sums, dated), wanting)
        if key not in self._decided:
            read = _exactly(points, silent, reading, sums, dated)
            heads = self._headcounts(cells_of)
            self._decided[key] = _protected(
                counts, fixed_cells, limit_cells, wanted_cells, k, read, heads, self._judged
            )
        found = self._decided[key]
        assert isinstance(found, frozenset)
        return found

    def _audited_counts(
        self,
        counts: Counts,
        signature: int,
        fixed_cells: list[list[Path]],
        limit_cells: Limits,
        wanted_cells: list[list[Path]],
        k: int,
        cells_of: _Cells,
    ) -> frozenset[int]:
        """Which of ``wanted`` to hide by their counts alone (no points)."""
        key = (signature, 0, _key(fixed_cells, limit_cells), tuple(map(tuple, wanted_cells)))
        if key not in self._decided:
            heads = self._headcounts(cells_of)
            self._decided[key] = _protected(
                counts, fixed_cells, limit_cells, wanted_cells, k, None, heads, self._judged
            )
        found = self._decided[key]
        assert isinstance(found, frozenset)
        return found

    def _headcounts(self, cells_of: _Cells) -> Headcounts[Path] | None:
        """The numbers invited as ``audit`` reads them, over this measure's paths: each
        shown group's paths are those whose current cell lies in it, and a path's list
        cell is its current one (a number invited bounds who answered now)."""
        from survey.scoring.audit import Headcounts  # SciPy: only for work

        if self.invitations is None:
            return None
        paths = tuple(cells_of.paths)  # the same for most measures: shared
        if paths not in self._heads:
            at = self.position
            numbers = self.invitations.shown
            covered = cells_of.each(at, [g for g, _ in numbers])
            shown = [(c, n) for c, (_, n) in zip(covered, numbers, strict=True) if c]
            self._heads[paths] = Headcounts(
                shown, self.invitations.cells, key=lambda path: path[at]
            )
        return self._heads[paths]


def _read(limits: Iterable[PositionedBound]) -> list[tuple[int, Group, float, float]]:
    """Released reasons as (position, group, lowest, highest): the inequalities they are
    (``suppression.stated_bounds``, the one place that reads them)."""
    return [(p, g, *stated_bounds(statistic, k)) for p, g, statistic, k in limits]


def _key(
    fixed: Iterable[list[Path]],
    limits: Limits,
    silent: frozenset[int] = frozenset(),
    summed: frozenset[int] = frozenset(),
    dated: frozenset[int] = frozenset(),
) -> tuple[object, ...]:
    """Figures, each with how it is read (its distribution; its count only, ``silent``;
    its count and sum, ``summed``; from an earlier snapshot, ``dated``), and bounds, in an
    order that does not depend on how they were found, to key decisions made before."""
    return (
        tuple(
            sorted(
                ((tuple(f), i in silent, i in summed, i in dated) for i, f in enumerate(fixed)),
                key=repr,
            )
        ),
        tuple(sorted(((tuple(c), low, high) for c, low, high in limits), key=repr)),
    )


class _Cells:
    """The paths a group released from one snapshot covers: those counted in a cell with
    its value in each of its dimensions at that snapshot's position. A group of a
    dimension the cells do not have covers none (it says nothing about them). Paths are
    indexed by position and each dimension's value, so a national round's thousands of
    them are not scanned once per group."""

    def __init__(self, names: Sequence[str], counts: Counts) -> None:
        self.names = list(names)
        self.paths = sorted(counts, key=repr)
        self.rank = {path: i for i, path in enumerate(self.paths)}  # repr's order, kept
        self.index: dict[tuple[int, int, str], set[Path]] = {}
        self.present: dict[int, set[Path]] = {}
        for path in self.paths:
            for position, cell in enumerate(path):
                if cell is None:
                    continue
                self.present.setdefault(position, set()).add(path)
                for at, value in enumerate(cell):
                    self.index.setdefault((position, at, value), set()).add(path)

    def __call__(self, position: int, group: Group) -> list[Path]:
        if any(name not in self.names for name in group):
            return []
        present = self.present.get(position, set())
        at = [self.index.get((position, self.names.index(n), v), set()) for n, v in group.items()]
        found = present.intersection(*sorted(at, key=len))
        return sorted(found, key=self.rank.__getitem__)

    def each(self, position: int, groups: Sequence[Group]) -> list[list[Path]]:
        """What ``__call__`` gives for each group, in one pass over the paths: every
        number invited a page can show (hundreds of groups, each a lookup, took a tenth
        of a national report's audit). A path lies in each group whose every dimension's
        value is its cell's, so its groups are among its cell's subsets of values."""
        place: dict[frozenset[tuple[str, str]], list[int]] = {}
        for i, g in enumerate(groups):
            place.setdefault(_frozen(g), []).append(i)
        widest = max((len(g) for g in groups), default=0)
        found: list[list[Path]] = [[] for _ in groups]
        for path in self.paths:  # in repr's order, as ``__call__`` gives them
            cell = path[position] if position < len(path) else None
            if cell is None:
                continue
            values = list(zip(self.names, cell, strict=True))
            for size in range(widest + 1):
                for subset in itertools.combinations(values, size):
                    for i in place.get(frozenset(subset), ()):
                        found[i].append(path)
        return found


MAX_ATOMS = 1_000
"""The largest linked system audited as a whole. Auditing a table together with another
breakdown's links their cells into one system, and its cost grows quickly with the atoms
in it: a scattered employee survey (5,000 respondents in 200 units, four roles and five
cohorts) read by role × cohort after role × unit makes systems of about 2,000 atoms that
took three seconds *per item*. Beyond the limit the new groups are hidden instead (the
groups already released stay shown): safe, fast, and what a secretariat sees as figures
missing from the second breakdown, which the method page explains."""


def _protected(
    counts: Counts,
    fixed: list[list[Path]],
    limits: Limits,
    wanted: list[list[Path]],
    k: int,
    points: Points[Path] | None,
    headcounts: Headcounts[Path] | None = None,
    judged: Judged | None = None,
) -> frozenset[int]:
    from survey.scoring.audit import Disclosed, TooLarge, protect  # SciPy: only for work

    try:
        hide = protect(
            counts,
            fixed,
            wanted,
            k,
            limits=limits,
            max_atoms=MAX_ATOMS,
            points=points,
            headcounts=headcounts,
            judged=judged,
        )
        return frozenset(hide)
    except (Disclosed, TooLarge):
        return frozenset(range(len(wanted)))


def _quiet(
    counts: Counts,
    fixed: list[list[Path]],
    limits: Limits,
    k: int,
    points: Points[Path] | None,
    headcounts: Headcounts[Path] | None = None,
    judged: Judged | None = None,
) -> bool:
    """Whether the figures and stated bounds give no group away (a system too large to
    audit: not known, so no)."""
    from survey.scoring.audit import TooLarge, audit  # SciPy: only for work

    try:
        found = audit(
            counts,
            fixed,
            k,
            limits=limits,
            max_atoms=MAX_ATOMS,
            points=points,
            headcounts=headcounts,
            judged=judged,
        )
        return found is None
    except TooLarge:
        return False


def _exactly(
    points: PathPoints,
    silent: frozenset[int] = frozenset(),
    reading: Reading | None = None,
    summed: frozenset[int] = frozenset(),
    dated: frozenset[int] = frozenset(),
) -> Points[Path] | None:
    """What ``audit.Points`` reads of each figure: its counts per point as known exactly
    (each point, or each row of ``reading``), but for the ``silent`` ones (released for
    another measure of the pool) and the ``summed`` ones (a mean without its
    distribution); the ``dated`` ones were released from an earlier snapshot
    (``audit.Points.dated``); None where the measure has no points."""
    from survey.scoring.audit import Points  # SciPy: only for work

    if not points:
        return None
    if reading is None:
        return Points(points, _every_point, silent, summed=summed, dated=dated)
    rows, targets = reading

    def printed(vector: Sequence[int]) -> list[tuple[Sequence[float], float, float]]:
        values = [float(sum(w * v for w, v in zip(row, vector, strict=True))) for row in rows]
        return [(tuple(row), value, value) for row, value in zip(rows, values, strict=True)]

    return Points(points, printed, silent, targets, summed, dated)


def _every_point(vector: Sequence[int]) -> list[tuple[Sequence[float], float, float]]:
    """A figure's counts per point, each exactly (a weight of one on its point)."""
    size = len(vector)
    return [
        (tuple(1.0 if q == p else 0.0 for q in range(size)), float(n), float(n))
        for p, n in enumerate(vector)
    ]
