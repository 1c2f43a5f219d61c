"""The stacked bars: plain boxes whose widths always fill the bar, hidden groups without a
bar, and a class rule for every width and colour the charts use."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from survey.report import ASSETS
from survey.report.charts import PALETTES, STEPS, stacked_bars, stylesheet
from survey.report.content import Group, ItemRow
from survey.scoring.suppression import SMALL

POINTS = ["1 helt uenig", "2", "3", "4", "5", "6 helt enig"]


def row(label: str, shares: tuple[float | None, ...], n: float | None = 20.0) -> ItemRow:
    return ItemRow(Group((label,), label, False), n, 4.0, 1.0, 4.0, 0.5, 0.1, 0.0, shares)


def test_segments_fill_the_bar_whatever_the_rounding():
    thirds = row("Tre like", (1 / 3, 1 / 3, 1 / 3, 0.0, 0.0, 0.0))
    sevenths = row("Sjudeler", (1 / 7, 1 / 7, 1 / 7, 1 / 7, 1 / 7, 2 / 7))
    chart = stacked_bars([thirds, sevenths], POINTS, 5)
    for bar in chart.bars:
        assert sum(segment.steps for segment in bar.segments) == STEPS
    # empty points draw nothing; the shares are printed where they fit
    assert [s.text for s in chart.bars[0].segments] == ["33", "33", "33"]


def test_a_hidden_group_gets_a_note_and_no_bar():
    hidden = replace(row("Annet", (None,) * 6, n=None), hidden=SMALL)  # its group is small
    chart = stacked_bars([hidden], POINTS, 5)
    (bar,) = chart.bars
    assert bar.segments == () and bar.note == "færre enn 5 svar"


def test_narrow_segments_carry_no_number():
    chart = stacked_bars([row("Smal", (0.02, 0.0, 0.0, 0.0, 0.0, 0.98))], POINTS, 5)
    assert [s.text for s in chart.bars[0].segments] == [None, "98"]


def test_every_class_a_chart_uses_has_a_rule():
    rules = (ASSETS / "charts.css").read_text()
    defined = set(re.findall(r"\.([\w-]+)[{ ]", rules))
    for palette in PALETTES.values():
        assert {f"c{fill[1:]}" for fill in palette} <= defined
    assert {f"w{steps}" for steps in range(STEPS + 1)} <= defined
    assert {f"legend-{n}" for n in PALETTES} <= defined


def test_the_chart_stylesheet_is_the_one_the_code_generates():
    assert (ASSETS / "charts.css").read_text() == stylesheet(), (
        "reports/assets/charts.css is stale: run `make docs`"
    )


def test_the_bars_are_no_more_precise_than_the_printed_shares():
    """Two groups of 400 whose counts differ by one answer print the same shares (25 and
    75); their bars must look the same too. With widths in quarter percents, the bar gave
    away the exact count of each point: 100 or 101 steps."""
    exact = stacked_bars([row("A", (100 / 400, 0, 0, 0, 0, 300 / 400), n=400.0)], POINTS, 5)
    one_off = stacked_bars([row("B", (101 / 400, 0, 0, 0, 0, 299 / 400), n=400.0)], POINTS, 5)
    assert [s.text for s in exact.bars[0].segments] == ["25", "75"]
    assert [s.text for s in one_off.bars[0].segments] == ["25", "75"]
    assert exact.bars[0].segments == one_off.bars[0].segments
    assert [s.steps for s in one_off.bars[0].segments] == [100, 300]
    per_percent = STEPS // 100
    for shares in [
        (1 / 3, 1 / 3, 1 / 3, 0, 0, 0),
        (1 / 7,) * 5 + (2 / 7,),
        (0.004, 0.996, 0, 0, 0, 0),
    ]:
        (bar,) = stacked_bars([row("C", shares)], POINTS, 5).bars
        assert all(s.steps % per_percent == 0 for s in bar.segments)
        assert sum(s.steps for s in bar.segments) == STEPS


@given(
    st.integers(min_value=1, max_value=400).flatmap(
        lambda n: st.tuples(
            st.just(n), st.lists(st.integers(0, n), min_size=6, max_size=6), st.integers(0, 5)
        )
    )
)
def test_a_bar_is_a_function_of_the_shares_printed_beside_it(drawn):
    """Any two distributions whose printed shares are the same draw the same bar, so the
    chart's geometry says nothing the caption does not (and the auditor reads the caption,
    ``scoring.printed``). With the running total rounded, three points of 0.4 % printed
    0, 0 and 0 and drew 0, 1 and 0 percent."""
    n, cuts, moved = drawn
    edges = sorted(min(c, n) for c in cuts[:5])
    counts = [b - a for a, b in zip([0, *edges], [*edges, n], strict=True)]
    other = list(counts)
    for p in range(6):  # one answer moved to the next point, where the printed shares allow
        if p != moved and other[moved] > 0:
            trial = list(other)
            trial[moved] -= 1
            trial[p] += 1
            if [round(c / n * 100) for c in trial] == [round(c / n * 100) for c in counts]:
                other = trial
                break
    bars = [
        stacked_bars([row("A", tuple(c / n for c in each), n=float(n))], POINTS, 5).bars[0]
        for each in (counts, other)
    ]
    assert bars[0].segments == bars[1].segments
    assert sum(s.steps for s in bars[0].segments) == STEPS


def test_three_small_shares_draw_as_printed():
    (bar,) = stacked_bars([row("D", (0.004, 0.004, 0.004, 0.988, 0, 0))], POINTS, 5).bars
    assert bar.values == ("0", "0", "0", "99", "0", "0")
    assert [s.steps for s in bar.segments] == [STEPS]  # no sliver the caption does not print
