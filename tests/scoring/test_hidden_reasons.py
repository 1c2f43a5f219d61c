"""Why a cell is hidden, told only where telling it keeps every small group protected.

"færre enn 5 svar" says a group's count is at most 4, "skjult for å beskytte en liten
gruppe" that it is at least 5: inequalities an attacker adds to the shown figures. The
oracle here enumerates every integer table consistent with the shown figures and the
stated reasons, sharing no code with ``hidden_reasons``."""

from __future__ import annotations

from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.scoring.suppression import (
    ALL,
    COMPLEMENT,
    HIDDEN,
    SMALL,
    hidden_reasons,
    suppressed_groups,
)


def reasons(counts: dict, k: int) -> dict:
    return hidden_reasons(counts, suppressed_groups(counts, k), k)


def test_a_group_hidden_to_protect_a_small_one_is_not_called_small():
    """Nine employees were labelled "færre enn 5 svar" (issue 16)."""
    counts = {("Skolen",): 9, ("NAV",): 2, ("Sykehjemmet",): 20}
    assert reasons(counts, 5) == {("NAV",): SMALL, ("Skolen",): COMPLEMENT}


def test_no_reasons_where_they_would_pin_a_small_group():
    # 7 = 2 + 5: told that the 5 is at least 5, the 2 is at most 2, its true value
    assert reasons({("a",): 2, ("b",): 5, ("c",): 30}, 5) == {("a",): HIDDEN, ("b",): HIDDEN}
    # "fewer than 5" of a group of 4 says it has at most 4: one more is ruled out
    assert set(reasons({("a",): 4, ("b",): 7, ("c",): 30}, 5).values()) == {HIDDEN}


def test_only_small_groups_hidden_are_called_small():
    counts = {("a",): 1, ("b",): 2, ("c",): 2, ("d",): 30}  # 5 hidden together
    assert reasons(counts, 5) == {("a",): SMALL, ("b",): SMALL, ("c",): SMALL}


def attacker_bounds(counts: dict, stated: dict, k: int) -> dict:
    """Every integer table of a one-way breakdown consistent with its shown cells, its
    total if shown, and the stated reasons: the smallest and largest count of every
    hidden cell and of every union of hidden cells."""
    cells = list(counts)
    hidden = [c for c in cells if c in stated]
    total = sum(counts.values())
    top = total if (ALL,) not in stated else 3 * k
    ranges = [range(top + 1) if c in stated else [counts[c]] for c in cells]
    found: dict[frozenset, tuple[int, int]] = {}
    for values in product(*ranges):
        table = dict(zip(cells, values, strict=True))
        if (ALL,) not in stated and sum(values) != total:
            continue
        everything = {**table, (ALL,): sum(values)}
        if any(
            (why == SMALL and everything[g] >= k) or (why == COMPLEMENT and everything[g] < k)
            for g, why in stated.items()
        ):
            continue
        for size in range(1, len(hidden) + 1):
            for union in product(*[[None, c] for c in hidden]):
                group = frozenset(c for c in union if c)
                if len(group) != size:
                    continue
                n = sum(table[c] for c in group)
                low, high = found.get(group, (n, n))
                found[group] = (min(low, n), max(high, n))
    return found


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 7), min_size=2, max_size=4), st.sampled_from([3, 4, 5]))
def test_stated_reasons_leave_every_small_group_one_respondent_either_side(sizes, k):
    counts = {(f"g{i}",): n for i, n in enumerate(sizes)}
    stated = {g: why for g, why in reasons(counts, k).items() if why != HIDDEN}
    if not stated or (ALL,) in stated:
        return  # nothing told, or the oracle's tables would be unbounded
    assert all(why == (SMALL if counts[g[0:1]] < k else COMPLEMENT) for g, why in stated.items())
    for group, (low, high) in attacker_bounds(counts, stated, k).items():
        n = sum(counts[c] for c in group)
        if 0 < n < k:
            assert low <= n - 1 and high >= n + 1, (counts, stated, sorted(group), low, high)
