"""Tables of several releases from one snapshot, audited together (``scoring.linked``).

The judge is the independent enumeration of ``tests/scoring/oracle.py``: a hypothesis
property draws small two-way rounds and sequences of tables as the product releases them
(the round by role, by unit, by role × unit, one unit's report by role), each suppressed
on its own as before and then by ``Released``, and checks that everything shown, taken
together, pins no group under the minimum within one respondent.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.scoring.linked import Released
from survey.scoring.suppression import ALL, suppressed_groups, with_margins
from tests.scoring.oracle import leaks, point_leaks

Cell = tuple[str, str]  # (role, unit)
NAMES = ("role", "unit")


def released(counts: dict[Cell, int], before: dict | None = None, calls: list | None = None):
    def counted(measure: str) -> dict[tuple[Cell], int]:
        if calls is not None:
            calls.append(measure)
        return {(cell,): n for cell, n in counts.items()}  # paths through one snapshot

    return Released(NAMES, before or {}, counted)


def release(
    ledger: Released, counts: dict[Cell, int], by: tuple[str, ...], k: int, unit: str | None
) -> list[list[Cell]]:
    """One table of ``counts`` by ``by`` (within ``unit``), suppressed on its own, then with
    what ``ledger`` holds; the cells of each figure it shows."""
    within = {"unit": unit} if unit else {}
    ledger.within = within
    table: dict[tuple[str, ...], int] = {}
    for cell, n in counts.items():
        if unit is None or cell[1] == unit:
            key = tuple(cell[NAMES.index(name)] for name in by)
            table[key] = table.get(key, 0) + n
    hidden = suppressed_groups(table, k)
    keys = list(with_margins(table))
    groups = [{n: v for n, v in zip(by, key, strict=True) if v != ALL} for key in keys]
    more = ledger.hidden("item:q", groups, [key not in hidden for key in keys], k)
    return [
        [c for c in counts if all(c[NAMES.index(n)] == v for n, v in {**within, **g}.items())]
        for j, (key, g) in enumerate(zip(keys, groups, strict=True))
        if key not in hidden and j not in more
    ]


def test_a_unit_total_beside_the_round_total_is_hidden_when_the_other_unit_is_small():
    counts = {("o", "A"): 1, ("r", "A"): 1, ("o", "B"): 2, ("r", "B"): 2}
    ledger = released(counts)
    first = release(ledger, counts, ("unit",), 3, None)
    assert first == [list(counts)]  # the round's total alone: A (2) and B, to protect it
    second = release(ledger, counts, ("role",), 3, "B")
    assert second == []  # B's own total would be the round's minus A's two
    assert leaks(counts, first, 3) == []


def test_a_table_of_groups_already_released_needs_no_audit(monkeypatch):
    import survey.scoring.linked as linked

    audits: list[int] = []
    protected = linked._protected
    monkeypatch.setattr(linked, "_protected", lambda *a: audits.append(1) or protected(*a))
    counts = {("o", "A"): 4, ("r", "A"): 4, ("o", "B"): 1, ("r", "B"): 5}
    ledger = released(counts)
    first = release(ledger, counts, ("unit",), 3, None)
    again = release(ledger.fresh(), counts, ("unit",), 3, None)
    assert first == again and first
    assert audits == []  # the first table had nothing before it, the second only itself


def test_measures_with_the_same_counts_are_audited_together():
    """Everyone answered q5 and q6: q6's total minus q5's figure for unit B is unit A."""
    counts = {("o", "A"): 1, ("r", "A"): 1, ("o", "B"): 2, ("r", "B"): 2}
    ledger = Released(
        NAMES, {"item:q5": [{"unit": "B"}]}, lambda m: {(c,): n for c, n in counts.items()}
    )
    assert ledger.hidden("item:q6", [{}], [True], 3) == {0}
    other = {**counts, ("o", "A"): 2}  # q6 has its own counts: not the same unknowns
    ledger = Released(
        NAMES,
        {"item:q5": [{"unit": "B"}]},
        lambda m: {(c,): n for c, n in (counts if m == "item:q5" else other).items()},
    )
    assert ledger.hidden("item:q6", [{}], [True], 3) == set()


def test_measures_are_told_apart_by_their_counts_not_by_a_hash_of_them(monkeypatch):
    """Keys of pools, cells and decisions are the counts themselves: where a hash of two
    measures' counts collided (here every hash does), the second was pooled with the first
    and audited with its counts."""
    import survey.scoring.linked as linked

    monkeypatch.setattr(linked, "hash", lambda value: 0, raising=False)
    counts = {("o", "A"): 1, ("r", "A"): 1, ("o", "B"): 2, ("r", "B"): 2}
    other = {**counts, ("o", "A"): 2}
    ledger = Released(
        NAMES,
        {"item:q5": [{"unit": "B"}]},
        lambda m: {(c,): n for c, n in (counts if m == "item:q5" else other).items()},
    )
    assert ledger.hidden("item:q6", [{}], [True], 3) == set()
    assert ledger.hidden("item:q5", [{}], [True], 3) == {0}


def test_a_group_already_released_is_shown_again():
    counts = {("o", "A"): 1, ("r", "A"): 1, ("o", "B"): 2, ("r", "B"): 2}
    ledger = released(counts, before={"item:q": [{"unit": "B"}]})
    shown = release(ledger, counts, ("role",), 3, "B")
    assert [("o", "B"), ("r", "B")] in shown  # B's total is out already: hiding it helps no one


def test_released_figures_that_already_give_a_group_away_stop_every_new_one():
    counts = {("o", "A"): 1, ("r", "A"): 1, ("o", "B"): 2, ("r", "B"): 2}
    ledger = released(counts, before={"item:q": [{}, {"unit": "B"}]})  # A = all − B
    shown = release(ledger, counts, ("role",), 3, None)
    assert shown == [list(counts)]  # the total, out already; not the roles (3 and 3)


cells = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 8])
tables = st.sampled_from([("role",), ("unit",), ("role", "unit"), ()])


@st.composite
def rounds(draw: st.DrawFn) -> dict[Cell, int]:
    roles = draw(st.integers(2, 3))
    units = draw(st.integers(2, 3))
    return {(r, u): draw(cells) for r in "ors"[:roles] for u in "ABC"[:units]}


@settings(max_examples=80, deadline=None)
@given(
    rounds(),
    st.integers(3, 5),
    st.lists(st.tuples(tables, st.sampled_from([None, "A", "B"])), min_size=2, max_size=4),
)
def test_no_sequence_of_tables_leaks_a_group_under_the_minimum(counts, k, sequence):
    ledger = released(counts)
    shown: list[list[Cell]] = []
    for by, unit in sequence:
        by = ("role",) if unit else by  # a unit's report is by role within the unit
        shown += release(ledger, counts, by, k, unit)
    assert leaks(counts, shown, k) == []


ROLES, UNITS = ("A", "B"), ("X", "Y")
CELLS = [(r, u) for r in ROLES for u in UNITS]
BREAKDOWNS = [(), ("role",), ("unit",), ("role", "unit")]


def _table(members: dict[int, int], cell_of: dict[int, Cell], by, k) -> tuple[list, list]:
    """A table by ``by`` of the respondents in ``members``, suppressed on its own."""
    keyed: dict[tuple[str, ...], int] = {}
    for role, unit in CELLS:
        keyed.setdefault(tuple({"role": role, "unit": unit}[d] for d in by), 0)
    for response in members:
        role, unit = cell_of[response]
        key = tuple({"role": role, "unit": unit}[d] for d in by)
        keyed[key] += 1
    hidden = suppressed_groups(keyed, k)
    keys = list(with_margins(keyed))
    groups = [{d: v for d, v in zip(by, key, strict=True) if v != ALL} for key in keys]
    return groups, [key not in hidden for key in keys]


@settings(max_examples=60, deadline=None)
@given(
    start=st.lists(st.sampled_from(CELLS), min_size=0, max_size=7),
    steps=st.lists(
        st.tuples(st.lists(st.sampled_from(CELLS), max_size=4), st.sampled_from(BREAKDOWNS)),
        min_size=1,
        max_size=3,
    ),
    first_by=st.sampled_from(BREAKDOWNS),
)
def test_no_sequence_of_snapshots_and_tables_leaks_a_group_under_the_minimum(
    start, steps, first_by
):
    """Arrivals between releases, the gate choosing each snapshot, each release a table by
    some breakdown suppressed on its own and then with everything released before, from
    this snapshot and earlier ones: the judge, over cells × the snapshot people entered,
    finds no group under the minimum pinned, exactly or within ±1."""
    from survey.scoring.changes import admitted

    k = 3
    cell_of: dict[int, Cell] = {}
    live: dict[int, int] = {}

    def arrive(cells: list[Cell]) -> None:
        for cell in cells:
            response = len(cell_of) + 1
            cell_of[response] = cell
            live[response] = 1

    def view(response: int, revision: int, kind: str) -> tuple:
        role, unit = cell_of[response]
        return {"role": role, "unit": unit}, 0

    arrive(start)
    snapshots: list[dict[int, int]] = []
    released: list[tuple[int, dict[str, str]]] = []  # (snapshot position, group)
    for cells, by in [([], first_by), *steps]:
        arrive(cells)
        base = snapshots[-1] if snapshots else {}
        gate = [
            (snapshots[p], {"items": [g for q, g in released if q == p]})
            for p in sorted({p for p, _ in released})
        ]
        chosen = admitted(base, dict(live), gate, view, k)
        if chosen != base or not snapshots:
            snapshots.append(chosen)
        now = len(snapshots) - 1
        paths: Counter = Counter(
            tuple(cell_of[r] if r in members else None for members in snapshots)
            for r in snapshots[now]
        )
        for r in {r for members in snapshots[:-1] for r in members} - set(snapshots[now]):
            paths[tuple(cell_of[r] if r in m else None for m in snapshots)] += 1
        ledger = Released(
            NAMES,
            {"item:q": [g for p, g in released if p == now]},
            lambda measure, paths=paths: paths,
            before={"item:q": [(p, g) for p, g in released if p < now]},
            position=now,
        )
        groups, shown = _table(snapshots[now], cell_of, by, k)
        more = ledger.hidden("item:q", groups, shown, k)
        released += [
            (now, g)
            for j, (g, s) in enumerate(zip(groups, shown, strict=True))
            if s and j not in more
        ]

    entered = {r: min(p for p, m in enumerate(snapshots) if r in m) for r in snapshots[-1]}
    entered |= {
        r: min(p for p, m in enumerate(snapshots) if r in m)
        for m in snapshots
        for r in m
        if r not in entered
    }
    cells = [(*cell, p) for cell in CELLS for p in range(len(snapshots))]
    people = Counter((*cell_of[r], p) for r, p in entered.items())
    counts = {cell: people.get(cell, 0) for cell in cells}
    figures = [
        [
            (role, unit, p)
            for role, unit, p in cells
            if p <= at and all({"role": role, "unit": unit}[d] == v for d, v in group.items())
        ]
        for at, group in released
    ]
    assert leaks(counts, figures, k) == []


def test_measures_equal_now_are_pooled_whatever_they_were_before():
    """q5 and q6 differed at an earlier snapshot (three "vet ikke" changed since) and are
    equal now: today's q5 figure for unit B and q6's total are one count now, and their
    difference is unit A (found by review)."""
    now = {("o", "A"): 1, ("r", "A"): 1, ("o", "B"): 2, ("r", "B"): 2}
    same = {(cell, cell): n for cell, n in now.items()}
    changed = {(None, ("o", "B")): 2, (("o", "B"), ("o", "B")): 0} | {
        (cell, cell): n for cell, n in now.items() if cell != ("o", "B")
    }
    paths = {"item:q5": same, "item:q6": {p: n for p, n in changed.items() if n}}
    ledger = Released(NAMES, {"item:q5": [{"unit": "B"}]}, lambda m: paths[m], position=1)
    assert ledger.hidden("item:q6", [{}], [True], 3) == {0}


LONE_MAYOR_POINTS = {  # (role, unit): counts at points 1..6 of q5; Kommune A's one mayor: 6
    ("ordforer", "A"): (0, 0, 0, 0, 0, 1),
    ("ordforer", "B"): (0, 5, 0, 0, 0, 0),
    ("radmann", "A"): (0, 5, 0, 0, 0, 0),
    ("radmann", "B"): (0, 6, 0, 0, 0, 0),
}


def _point_ledger(earlier: dict) -> Released:
    counts = {(cell,): sum(v) for cell, v in LONE_MAYOR_POINTS.items()}
    points = {(cell,): v for cell, v in LONE_MAYOR_POINTS.items()}
    return Released(NAMES, earlier, lambda m: counts, points=lambda m: points)


def _point_rows(groups: list[dict[str, str]]) -> list:
    """Each group's count and its counts per point, exactly, as rows for the oracle."""
    rows = []
    for g in groups:
        cells = [
            c
            for c in LONE_MAYOR_POINTS
            if all(dict(zip(NAMES, c, strict=True))[n] == v for n, v in g.items())
        ]
        rows.append((cells, None, *[sum(sum(LONE_MAYOR_POINTS[c]) for c in cells)] * 2))
        for p in range(6):
            at = sum(LONE_MAYOR_POINTS[c][p] for c in cells)
            rows.append((cells, [p], at, at))
    return rows


def test_a_released_groups_counts_per_point_are_audited_with_a_new_table():
    """By role, then by unit: each alone pins nothing, together the lone mayor's 6."""
    by_role = [{}, {"role": "ordforer"}, {"role": "radmann"}]
    by_unit = [{}, {"unit": "A"}, {"unit": "B"}]
    ledger = _point_ledger({"item:q5": by_role})
    hidden = ledger.hidden("item:q5", by_unit, [True] * 3, 5)
    shown = [g for j, g in enumerate(by_unit) if j not in hidden]
    counts = {cell: list(v) for cell, v in LONE_MAYOR_POINTS.items()}
    assert point_leaks(counts, _point_rows(by_role + by_unit), 5) != []  # the attack
    assert point_leaks(counts, _point_rows(by_role + shown), 5) == []
    assert {1, 2} <= hidden


def test_a_group_released_for_another_item_is_new_for_this_items_points():
    """The units were released for q1 (same counts): q5's units are still audited."""
    ledger = _point_ledger(
        {"item:q5": [{}, {"role": "ordforer"}, {"role": "radmann"}], "item:q1": [{"unit": "A"}]}
    )
    assert {1, 2} <= ledger.hidden("item:q5", [{}, {"unit": "A"}, {"unit": "B"}], [True] * 3, 5)


PATTERNS = ["", "skifte", "skifte+okt_frikjop"]  # a multiple choice's patterns of ticks
OPTIONS = [[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]]  # skifte, okt_frikjop: unions of patterns
LONE_TICKER = {  # Kommune A's one mayor ticked both options, nobody else any
    ("ordforer", "A"): (0, 0, 1),
    ("ordforer", "B"): (5, 0, 0),
    ("radmann", "A"): (5, 0, 0),
    ("radmann", "B"): (6, 0, 0),
}


def test_a_multiple_choices_options_are_audited_across_tables():
    """By role, then by unit, of a multiple choice: each table prints every group's
    count per option (not per pattern), and together they show that Kommune A's one
    mayor ticked "skifte". The ledger reads each released group's options as printed
    (``linked.Reading``), beside each pattern, and the second table hides more."""
    counts = {(cell,): sum(v) for cell, v in LONE_TICKER.items()}
    points = {(cell,): v for cell, v in LONE_TICKER.items()}
    by_role = [{}, {"role": "ordforer"}, {"role": "radmann"}]
    by_unit = [{}, {"unit": "A"}, {"unit": "B"}]
    ledger = Released(
        NAMES,
        {"choice:q3": by_role},
        lambda m: counts,
        points=lambda m: points,
        reading=lambda m: (OPTIONS, OPTIONS),
    )
    hidden = ledger.hidden("choice:q3", by_unit, [True] * 3, 5)
    shown = [g for j, g in enumerate(by_unit) if j not in hidden]

    def rows(groups: list[dict[str, str]]) -> list:
        found = []
        for g in groups:
            cells = [
                c
                for c in LONE_TICKER
                if all(dict(zip(NAMES, c, strict=True))[n] == v for n, v in g.items())
            ]
            n = sum(sum(LONE_TICKER[c]) for c in cells)
            found.append((cells, None, n, n))
            for option in OPTIONS:
                union = [p for p, w in enumerate(option) if w]
                at = sum(LONE_TICKER[c][p] for c in cells for p in union)
                found.append((cells, union, at, at))
        return found

    unions = [[p for p, w in enumerate(option) if w] for option in OPTIONS]
    ticked = {cell: list(v) for cell, v in LONE_TICKER.items()}
    assert point_leaks(ticked, rows(by_role + by_unit), 5, unions) != []  # the attack
    assert point_leaks(ticked, rows(by_role + shown), 5, unions) == []
    assert {1, 2} <= hidden
