"""The gate between live answers and released figures (``scoring.changes``): a new snapshot
takes a change only where no group of fewer than k changed respondents can be worked out
against what was released before; judged here by hand-made cases and by the brute-force
oracle over sequences of arrivals and releases."""

from __future__ import annotations

from collections import Counter
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.scoring.changes import admitted
from survey.scoring.suppression import ALL, suppressed_groups
from tests.scoring.oracle import leaks

K = 3


class Versions:
    """Respondents' versions: (response, revision) -> group values."""

    def __init__(self) -> None:
        self.groups: dict[tuple[int, int], dict[str, str] | None] = {}

    def add(self, response: int, revision: int = 1, **groups: str) -> tuple[int, int]:
        self.groups[(response, revision)] = dict(groups)
        return response, revision

    def __call__(self, response: int, revision: int) -> dict[str, str] | None:
        return self.groups[(response, revision)]


def people(versions: Versions, start: int, n: int, **groups: str) -> dict[int, int]:
    return dict(versions.add(r, **groups) for r in range(start, start + n))


def test_everything_enters_while_nothing_was_released():
    versions = Versions()
    live = people(versions, 1, 4, role="A")
    assert admitted({}, live, [], versions, K) == live


def test_one_new_answer_in_a_released_group_waits_until_k_have_come():
    versions = Versions()
    base = people(versions, 1, 5, role="A") | people(versions, 10, 5, role="B")
    released = [(base, [{}, {"role": "A"}, {"role": "B"}])]
    one_more = base | people(versions, 20, 1, role="A")
    assert admitted(base, one_more, released, versions, K) == base
    two_more = one_more | people(versions, 21, 1, role="A")
    assert admitted(base, two_more, released, versions, K) == base
    three_more = two_more | people(versions, 22, 1, role="A")
    assert admitted(base, three_more, released, versions, K) == three_more


def test_only_the_changes_that_would_give_someone_away_wait():
    versions = Versions()
    base = people(versions, 1, 5, role="A") | people(versions, 10, 5, role="B")
    released = [(base, [{}, {"role": "A"}, {"role": "B"}])]
    new_a = people(versions, 20, 1, role="A")
    new_b = people(versions, 30, 3, role="B")
    chosen = admitted(base, base | new_a | new_b, released, versions, K)
    assert chosen == base | new_b  # the total changed by 3 and B by 3: both fine


def test_a_change_worked_out_by_subtraction_waits():
    """Unit X changed by 4 and A in X by 3: both at least k, as the issue's rule asks, yet
    X minus A-in-X is the one B in X who arrived, and their answers are the difference."""
    versions = Versions()
    base = (
        people(versions, 1, 5, role="A", unit="X")
        | people(versions, 10, 2, role="B", unit="X")
        | people(versions, 20, 6, role="A", unit="Y")
    )
    groups = [{}, {"unit": "X"}, {"unit": "Y"}, {"unit": "X", "role": "A"}]
    released = [(base, groups)]
    new_ax = people(versions, 40, 3, role="A", unit="X")
    new_bx = people(versions, 50, 1, role="B", unit="X")
    live = base | new_ax | new_bx
    changes = Counter(
        tuple(versions(r, rev).get(d) for d in ("unit", "role"))
        for r, rev in live.items()
        if r not in base
    )
    per_group = {"X": changes[("X", "A")] + changes[("X", "B")], "X·A": changes[("X", "A")]}
    assert all(n == 0 or n >= K for n in per_group.values())  # the per-group rule passes
    assert admitted(base, live, released, versions, K) == base | new_ax


def test_a_changed_answer_counts_like_a_new_one():
    versions = Versions()
    base = people(versions, 1, 5, role="A") | people(versions, 10, 5, role="B")
    released = [(base, [{}, {"role": "A"}, {"role": "B"}])]
    versions.add(3, 2, role="A")  # response 3 changed its answers: revision 2
    live = base | {3: 2}
    assert admitted(base, live, released, versions, K) == base
    for response in (4, 5):
        versions.add(response, 2, role="A")
    live = base | {3: 2, 4: 2, 5: 2}
    assert admitted(base, live, released, versions, K) == live


def test_a_withdrawn_response_stays_until_others_change():
    versions = Versions()
    base = people(versions, 1, 5, role="A") | people(versions, 10, 5, role="B")
    released = [(base, [{}, {"role": "A"}, {"role": "B"}])]
    live = {r: v for r, v in base.items() if r != 2}  # reopened: no longer sent in
    assert admitted(base, live, released, versions, K) == base


def test_a_residual_roles_changes_count_for_nothing():
    versions = Versions()
    base = people(versions, 1, 5, role="A")
    released = [(base, [{}, {"role": "A"}])]
    versions.groups[(9, 1)] = None  # "annet": in no released figure
    assert admitted(base, base | {9: 1}, released, versions, K) == base | {9: 1}


def test_every_earlier_release_is_checked_not_only_the_last():
    """Released by unit from the first snapshot and only as a total from the second:
    against the second, one more in X hides in the total; against the first, it is X's
    difference."""
    versions = Versions()
    first = people(versions, 1, 5, unit="X") | people(versions, 10, 5, unit="Y")
    second = first | people(versions, 20, 3, unit="Y")
    releases = [(first, [{}, {"unit": "X"}, {"unit": "Y"}]), (second, [{}])]
    live = second | people(versions, 30, 1, unit="X") | people(versions, 31, 2, unit="Y")
    assert admitted(second, live, releases[1:], versions, K) == live  # total: +3
    assert admitted(second, live, releases, versions, K) == second


ROLES, UNITS = ("A", "B"), ("X", "Y")
CELLS = [(r, u) for r in ROLES for u in UNITS]
BREAKDOWNS = [(), ("role",), ("unit",), ("role", "unit")]


def _released_groups(counts: Counter, by: tuple[str, ...]) -> list[dict[str, str]]:
    """The groups of one report broken down ``by``, after the engine's suppression."""
    if not by:
        return [{}] if sum(counts.values()) >= K else []
    values = {"role": ROLES, "unit": UNITS}
    keyed: dict[tuple[str, ...], int] = {key: 0 for key in product(*(values[d] for d in by))}
    for (role, unit), n in counts.items():
        keyed[tuple({"role": role, "unit": unit}[d] for d in by)] += n
    hidden = suppressed_groups(keyed, K)
    return [
        {d: v for d, v in zip(by, group, strict=True) if v != ALL}
        for group in {*keyed, *_margins(keyed)}
        if group not in hidden
    ]


def _margins(keyed: Counter) -> set[tuple]:
    dims = len(next(iter(keyed)))
    found = set()
    for key in keyed:
        for mask in range(1, 2**dims):
            found.add(tuple(ALL if mask >> i & 1 else v for i, v in enumerate(key)))
    return found


@settings(max_examples=40, deadline=None)
@given(
    start=st.lists(st.sampled_from(CELLS), min_size=0, max_size=6),
    steps=st.lists(
        st.tuples(st.lists(st.sampled_from(CELLS), max_size=3), st.sampled_from(BREAKDOWNS)),
        min_size=1,
        max_size=2,
    ),
    first_by=st.sampled_from(BREAKDOWNS),
)
def test_no_sequence_of_snapshots_gives_away_a_small_group(start, steps, first_by):
    """Arrivals between releases, each release a report by some breakdown from the
    snapshot the gate admits: over everything released, no set of fewer than k people
    (a cell and the snapshot they first entered) is pinned within ±1, by the oracle."""
    versions = Versions()
    live: dict[int, int] = {}
    arrival: dict[int, int] = {}  # response -> the snapshot it first entered

    def arrive(cells: list) -> None:
        for role, unit in cells:
            response = len(versions.groups) + 1
            live.update([versions.add(response, role=role, unit=unit)])

    arrive(start)
    snapshots: list[dict[int, int]] = []
    releases: list[tuple[dict[int, int], list[dict[str, str]]]] = []
    base: dict[int, int] = {}
    for cells, by in [([], first_by), *steps]:
        arrive(cells)
        chosen = admitted(base, dict(live), releases, versions, K)
        if chosen != base or not snapshots:
            snapshots.append(chosen)
            for response in chosen:
                arrival.setdefault(response, len(snapshots) - 1)
        base = snapshots[-1]
        counts = Counter(tuple(versions(r, v).values()) for r, v in base.items())
        groups = _released_groups(counts, by)
        if releases and releases[-1][0] is base:
            releases[-1][1].extend(groups)
        else:
            releases.append((base, groups))

    people_per = Counter((*versions(r, 1).values(), arrival[r]) for r in arrival)
    cells = {(*cell, s) for cell in CELLS for s in range(len(snapshots))}
    counts = {cell: people_per.get(cell, 0) for cell in cells}
    figures = []
    for members, groups in releases:
        at = snapshots.index(members)
        for group in groups:
            figures.append(
                [
                    (role, unit, s)
                    for role, unit, s in cells
                    if s <= at
                    and all({"role": role, "unit": unit}[d] == v for d, v in group.items())
                ]
            )
    assert leaks(counts, figures, K) == []
