"""Reasons for hidden cells as the auditor reads them: inequalities on their groups' counts.

"færre enn k svar" says a group's count is at most k - 1, "skjult for å beskytte en liten
gruppe" that it is at least k. Released once, a reason is read with every later release,
like a figure. The judge is the independent enumeration of ``tests/scoring/oracle.py``,
which reads a reason as the words say (``oracle.reason``)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import survey.scoring.linked as linked
from survey.scoring.audit import audit
from survey.scoring.linked import Released
from survey.scoring.suppression import (
    ALL,
    COMPLEMENT,
    SMALL,
    STATED,
    reason_of,
    stated_bounds,
    suppressed_groups,
    with_margins,
)
from tests.scoring.oracle import leaks, reason

Cell = tuple[str, str]  # (role, unit)
NAMES = ("role", "unit")


def test_a_stated_bound_is_read_with_the_figures():
    """A margin of 7 split into a hidden 2 and a hidden 5: told the 5 is at least 5, the 2
    is at most 2, its true value. Without the statement nothing is pinned."""
    counts = {"a": 2, "b": 5, "c": 30}
    figures = [["a", "b", "c"], ["c"]]
    assert audit(counts, figures, 5) is None
    found = audit(counts, figures, 5, limits=[(["b"], 5, math.inf)])
    assert found is not None and found.cells == {"a"} and found.upper == 2
    assert audit(counts, figures, 5, limits=[(["a"], 0, 4)]) is None  # "fewer than 5": room


def test_a_bound_the_counts_no_longer_meet_is_out_of_date_and_left_out():
    counts = {"a": 2, "b": 5, "c": 30}
    assert audit(counts, [["a", "b", "c"], ["c"]], 5, limits=[(["b"], 0, 4)]) is None


def test_a_group_only_stated_to_be_at_least_k_has_no_largest_count():
    """No figure bounds it from above: the programs are unbounded, which is no finding."""
    counts = {"a": 2, "b": 6}
    assert audit(counts, [], 5, limits=[(["b"], 5, math.inf), (["a"], 0, 4)]) is None


def test_a_reason_is_read_as_an_inequality_in_one_place():
    assert stated_bounds(STATED[SMALL], 5) == (0, 4)
    assert stated_bounds(STATED[COMPLEMENT], 5) == (5, math.inf)
    with pytest.raises(ValueError):
        stated_bounds("n", 5)


LEDGER_CASE = {  # (role, unit): respondents; k = 5
    ("o", "A"): 1,
    ("r", "A"): 2,
    ("o", "B"): 2,
    ("r", "B"): 3,
    ("o", "C"): 6,
    ("r", "C"): 1,
}


def ledger_case() -> Released:
    """Kommune C's total (7) is out; A was said to have fewer than 5, B and the round at
    least 5 (A 3, B 5, the round 15): nothing pins A, which could be 0 to 3 (B 5 to 8)."""
    return Released(
        NAMES,
        {"item:q": [{"unit": "C"}]},
        counted(LEDGER_CASE),
        stated={
            "item:q": [
                ({"unit": "A"}, STATED[SMALL], 5.0),
                ({"unit": "B"}, STATED[COMPLEMENT], 5.0),
                ({}, STATED[COMPLEMENT], 5.0),
            ]
        },
    )


@pytest.mark.parametrize("reads_reasons", [True, False])
def test_an_earlier_reason_and_a_new_total_do_not_pin_a_group(monkeypatch, reads_reasons):
    """The report by role would show the round's total, 15: then A + B = 15 − 7 = 8, and B
    "at least 5" leaves A at most 3, its true value. The auditor reads the earlier reasons
    as inequalities and hides the total (and the rådmenn, its complement); with that
    reading switched off (earlier reasons left out of every audit: ``Released._limits``)
    the total is shown, and the independent judge finds A pinned."""
    if not reads_reasons:
        monkeypatch.setattr(linked.Released, "_limits", lambda self, now, path: [])
    ledger = ledger_case()
    shown, _ = release(ledger, LEDGER_CASE, ("role",), 5, None)

    before = [[("o", "C"), ("r", "C")]]
    said = [
        reason([("o", "A"), ("r", "A")], True, 5),
        reason([("o", "B"), ("r", "B")], False, 5),
        reason(list(LEDGER_CASE), False, 5),
    ]
    assert leaks(LEDGER_CASE, before, 5, limits=said) == []  # safe before the new table
    found = leaks(LEDGER_CASE, before + shown, 5, limits=said)
    if reads_reasons:
        assert list(LEDGER_CASE) not in shown and found == []
    else:
        assert list(LEDGER_CASE) in shown  # the total
        assert (frozenset({("o", "A"), ("r", "A")}), 3, 0, 3) in found


def counted(counts: dict[Cell, int]):
    return lambda measure: {(cell,): n for cell, n in counts.items()}  # one snapshot


def release(
    ledger: Released, counts: dict[Cell, int], by: tuple[str, ...], k: int, unit: str | None
) -> tuple[list[list[Cell]], list]:
    """One table by ``by`` (within ``unit``) as a report releases it: suppressed on its
    own, then with what ``ledger`` holds; its reasons where ``Released.told`` allows them.
    The cells of each figure shown, and each reason given as the judge reads it."""
    within = {"unit": unit} if unit else {}
    ledger.within = within
    table: dict[tuple[str, ...], int] = {}
    for cell, n in counts.items():
        if unit is None or cell[1] == unit:
            key = tuple(cell[NAMES.index(name)] for name in by)
            table[key] = table.get(key, 0) + n
    hidden = suppressed_groups(table, k)
    sizes = with_margins(table)
    keys = list(sizes)
    groups = [{n: v for n, v in zip(by, key, strict=True) if v != ALL} for key in keys]
    more = ledger.hidden("item:q", groups, [key not in hidden for key in keys], k)

    def cells(group: dict[str, str]) -> list[Cell]:
        spec = {**within, **group}
        return [c for c in counts if all(c[NAMES.index(n)] == v for n, v in spec.items())]

    out = [j for j, key in enumerate(keys) if key in hidden or j in more]
    shown = [cells(groups[j]) for j in range(len(keys)) if j not in out]
    reasons = [reason_of(sizes[keys[j]], k) for j in out]
    said = []
    if out and ledger.told("item:q", [groups[j] for j in out], reasons, k):
        said = [
            reason(cells(groups[j]), why == SMALL, k) for j, why in zip(out, reasons, strict=True)
        ]
    return shown, said


cells = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 8])
tables = st.sampled_from([("role",), ("unit",), ("role", "unit"), ()])


@st.composite
def rounds(draw: st.DrawFn) -> dict[Cell, int]:
    roles = draw(st.integers(2, 3))
    units = draw(st.integers(2, 3))
    return {(r, u): draw(cells) for r in "ors"[:roles] for u in "ABC"[:units]}


@settings(max_examples=60, deadline=None)
@given(
    rounds(),
    st.integers(3, 5),
    st.lists(st.tuples(tables, st.sampled_from([None, "A", "B"])), min_size=2, max_size=4),
)
def test_no_sequence_of_tables_with_reasons_leaks_a_group_under_the_minimum(counts, k, sequence):
    """Reports one after another (the round by role, by unit, by role × unit, one unit's
    own report by role), each with the reasons ``Released.told`` lets it give: every
    figure and every reason shown, taken together, pins no group under the minimum."""
    ledger = Released(NAMES, {}, counted(counts))
    shown: list[list[Cell]] = []
    said: list = []
    for by, unit in sequence:
        figures, reasons = release(ledger, counts, ("role",) if unit else by, k, unit)
        shown += figures
        said += reasons
    assert leaks(counts, shown, k, limits=said) == []
