"""Every scale point's share as text beside the chart (WCAG 1.1.1: narrow segments have no
room for their number), through the same hiding as the rest of the report: a hidden group
gets its note, never a number."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from survey.questionnaire.model import Scale
from survey.report.charts import stacked_bars
from survey.report.content import Group, ItemBlock, ItemRow
from survey.report.render import environment
from survey.scoring.suppression import COMPLEMENT, HIDDEN, SMALL
from tests.report.conftest import National
from tests.report.test_report_pdf import ROLE_LABELS, points, section

SCALE = Scale("enighet", 1, 6, {1: "helt uenig", 6: "helt enig"})
POINTS = ["1 helt uenig", "2", "3", "4", "5", "6 helt enig"]


def row(label: str, shares: tuple[float | None, ...], n: float | None = 40.0) -> ItemRow:
    hidden = SMALL if n is None else None  # hidden here for its own group's size
    figures = (n, 4.0, 1.0, 4.0, 0.5, 0.1, 0.0, shares)
    return ItemRow(Group((label,), label, False), *figures, hidden=hidden)


def test_every_share_is_given_as_text_also_where_the_segment_is_too_narrow():
    shares = (0.02, 0.0, 0.03, 0.35, 0.4, 0.2)
    (bar,) = stacked_bars([row("Smal", shares)], POINTS, 5).bars
    assert [s.text for s in bar.segments] == [None, None, "35", "40", "20"]
    assert bar.values == ("2", "0", "3", "35", "40", "20")


def test_a_hidden_group_gets_its_note_and_no_share():
    (bar,) = stacked_bars([row("Liten", (None,) * 6, n=None)], POINTS, 5).bars
    assert bar.values == () and bar.note == "færre enn 5 svar"
    complement = replace(row("Stor", (None,) * 6, n=None), hidden=COMPLEMENT)
    (bar,) = stacked_bars([complement], POINTS, 5).bars
    assert bar.note == "skjult for å beskytte en liten gruppe"
    (bar,) = stacked_bars([replace(complement, hidden=HIDDEN)], POINTS, 5).bars
    assert bar.note == "skjult"
    (bar,) = stacked_bars([row("Delvis", (0.5, None, 0.5, 0, 0, 0))], POINTS, 5).bars
    assert bar.values == ("50", "–", "50", "0", "0", "0")  # a share not shown stays a dash


def caption(rows: list[ItemRow]) -> str:
    template = environment().from_string(
        '{% from "macros.html" import chart %}{{ chart(item, scale, 5) }}'
    )
    html = template.render(item=ItemBlock("q5", "Påstand", tuple(rows)), scale=SCALE)
    (text,) = re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)
    return " ".join(text.split())


def test_the_caption_lists_each_groups_shares_in_the_scales_order():
    text = caption(
        [
            row("Alle", (0.02, 0.0, 0.03, 0.35, 0.4, 0.2)),
            row("Ordfører", (None,) * 6, n=None),
            row("Rådmann", (0.0, 0.0, 0.0, 0.5, 0.5, 0.0)),
        ]
    )
    assert text == (
        "Prosent som svarte 1 helt uenig, 2, 3, 4, 5 og 6 helt enig: "
        "Alle: 2, 0, 3, 35, 40 og 20; Ordfører: færre enn 5 svar; Rådmann: 0, 0, 0, 50, 50 og 0."
    )


def test_the_reports_captions_give_the_shares_an_independent_calculation_gives(
    national: National,
):
    text = " ".join(section(national.text, "q5", "q6").split())
    (listed,) = re.findall(
        r"Prosent som svarte 1 helt uenig, 2, 3, 4, 5 og 6 helt enig: ([^.]*)\.", text
    )
    for role, label in [(None, "Alle"), *ROLE_LABELS.items()]:
        answered = points(national.results, "q5", role)
        counts = Counter(answered)
        shares = [f"{round(counts[p] / len(answered) * 100)}" for p in range(1, 7)]
        assert f"{label}: {', '.join(shares[:-1])} og {shares[-1]}" in listed, label
