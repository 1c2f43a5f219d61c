"""Complementary suppression: no hidden group can be recovered from what is shown."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey.scoring.suppression import suppressed_groups


def test_small_groups_are_hidden():
    assert suppressed_groups({("a",): 4, ("b",): 9, ("c",): 12, ("d",): 30}, 5) == {("a",), ("b",)}


def test_nothing_hidden_when_every_group_is_large_enough():
    assert suppressed_groups({("a",): 5, ("b",): 9}, 5) == set()


def test_two_small_groups_together_below_k_need_a_third():
    # 1 + 2 = 3 < 5 respondents could still be recovered together: hide the next smallest
    assert suppressed_groups({("a",): 1, ("b",): 2, ("c",): 8, ("d",): 20}, 5) == {
        ("a",),
        ("b",),
        ("c",),
    }


def test_crossed_breakdown_is_protected_along_both_dimensions():
    counts = {
        ("ordforer", "Levanger"): 1,
        ("ordforer", "Verdal"): 6,
        ("ordforer", "Steinkjer"): 7,
        ("radmann", "Levanger"): 6,
        ("radmann", "Verdal"): 8,
        ("radmann", "Steinkjer"): 9,
    }
    hidden = suppressed_groups(counts, 5)
    assert ("ordforer", "Levanger") in hidden
    # within the ordforer row and within the Levanger column another cell must go too
    assert any(g[0] == "ordforer" and g != ("ordforer", "Levanger") for g in hidden)
    assert any(g[1] == "Levanger" and g != ("ordforer", "Levanger") for g in hidden)


groups = st.dictionaries(
    st.tuples(st.sampled_from("abcd"), st.sampled_from("xyz")),
    st.integers(min_value=0, max_value=12),
    min_size=1,
)


@given(groups, st.integers(min_value=2, max_value=6))
def test_no_line_reveals_fewer_than_k_respondents(counts, k):
    hidden = suppressed_groups(counts, k)
    assert all(counts[g] >= k for g in counts if counts[g] > 0 and g not in hidden)
    for dim in (0, 1):
        lines: dict = {}
        for group, n in counts.items():
            if n > 0:
                lines.setdefault(group[1 - dim], []).append(group)
        for line in lines.values():
            hidden_n = sum(counts[g] for g in line if g in hidden)
            shown = [g for g in line if g not in hidden]
            # either nothing is hidden, or what is hidden rests on k or more, or
            # everything on the line is hidden (its margin must then be hidden by the caller)
            assert hidden_n == 0 or hidden_n >= k or not shown
