"""Complementary suppression: no hidden group can be recovered from what is shown."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey.scoring.suppression import ALL, suppressed_groups, with_margins


def test_small_groups_are_hidden():
    hidden = suppressed_groups({("a",): 4, ("b",): 9, ("c",): 12, ("d",): 30}, 5)
    assert hidden == {("a",), ("b",)}


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


def test_margins_are_cells_and_a_small_total_hides_everything():
    hidden = suppressed_groups({("a",): 2, ("b",): 1}, 5)
    assert hidden == {("a",), ("b",), (ALL,)}


def test_a_hidden_margin_hides_its_whole_line():
    # Levanger has 3 respondents in all: its margin is hidden, so none of its cells may be
    # shown (they would add up to it), however large one of them is
    counts = {("ordforer", "Levanger"): 0, ("radmann", "Levanger"): 3}
    counts |= {("ordforer", "Verdal"): 9, ("radmann", "Verdal"): 8}
    hidden = suppressed_groups(counts, 5)
    assert (ALL, "Levanger") in hidden
    assert {("ordforer", "Levanger"), ("radmann", "Levanger")} <= hidden


def test_a_group_that_did_not_answer_is_hidden_like_a_small_one():
    # invited but 0 answers: showing "0 %" would say who did not answer
    hidden = suppressed_groups({("a",): 0, ("b",): 20, ("c",): 30}, 5)
    assert ("a",) in hidden and ("b",) in hidden


def lines(cells: dict, dims: int):
    """(margin, members) for every line of a table with margins."""
    found: dict = {}
    for group in cells:
        for dim in range(dims):
            if group[dim] != ALL:
                margin = group[:dim] + (ALL,) + group[dim + 1 :]
                found.setdefault(margin, []).append(group)
    return found.items()


tables = st.integers(min_value=1, max_value=3).flatmap(
    lambda dims: st.dictionaries(
        st.tuples(*[st.sampled_from("abcd")] * dims), st.integers(0, 12), min_size=1
    )
)


@given(tables, st.integers(min_value=2, max_value=6))
def test_nothing_shown_lets_fewer_than_k_respondents_be_recovered(counts, k):
    hidden = suppressed_groups(counts, k)
    cells = with_margins(counts)
    assert hidden <= set(cells)
    assert all(n >= k for g, n in cells.items() if g not in hidden)
    for margin, members in lines(cells, len(next(iter(counts)))):
        hidden_members = [g for g in members if g in hidden]
        if margin in hidden:
            assert hidden_members == members  # else the margin is the sum of the shown
        else:  # the shown margin minus the shown cells reveals only k or more together
            assert not hidden_members or sum(cells[g] for g in hidden_members) >= k
