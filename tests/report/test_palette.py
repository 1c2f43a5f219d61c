"""The charts' colours against WCAG 1.4.11 (3:1 for the parts of a graphic needed to read
it): every pair of neighbouring segments, and every segment against the white page, is
told apart by its colours or else by the black outline between them, which has 3:1
against both; and every scale the questionnaires allow (2 to 20 points) has a palette."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from survey.questionnaire.rules.limits import MAX_POINTS
from survey.report import ASSETS
from survey.report.charts import (
    PALETTES,
    SEPARATOR,
    contrast,
    ink,
    palette,
    stacked_bars,
)
from survey.report.content import Group, ItemRow

WHITE = "#ffffff"
NEEDED = 3.0


def test_contrast_is_computed_as_wcag_defines_it():
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#777777", WHITE) == pytest.approx(4.48, abs=0.01)
    assert contrast("#fddbc7", "#d1e5f0") == pytest.approx(1.0, abs=0.02)  # the pair


@pytest.mark.parametrize("points", range(2, MAX_POINTS + 1))
def test_every_neighbouring_pair_is_told_apart(points):
    fills = palette(points)
    assert len(fills) == points and len(set(fills)) == points  # a real palette, no greys
    for left, right in pairwise(fills):
        by_colour = contrast(left, right)
        by_outline = min(contrast(SEPARATOR, left), contrast(SEPARATOR, right))
        assert by_colour >= NEEDED or by_outline >= NEEDED, (left, right, by_colour, by_outline)


@pytest.mark.parametrize("points", range(2, MAX_POINTS + 1))
def test_every_segment_is_told_from_the_page(points):
    assert contrast(SEPARATOR, WHITE) >= NEEDED
    for fill in palette(points):
        by_colour = contrast(fill, WHITE)
        assert by_colour >= NEEDED or contrast(SEPARATOR, fill) >= NEEDED, (fill, by_colour)


def test_the_palettes_of_four_to_seven_points_stay_colorbrewers_rdbu():
    assert PALETTES[6] == ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"]
    assert PALETTES[5][0] == "#ca0020" and PALETTES[5][-1] == "#0571b0"
    # red to blue whatever the length: the disagreeing end first
    for fills in PALETTES.values():
        red, blue = fills[0], fills[-1]
        assert int(red[1:3], 16) > int(red[5:7], 16) and int(blue[5:7], 16) > int(blue[1:3], 16)


def test_a_share_printed_on_a_segment_has_4_5_to_1():
    for fills in PALETTES.values():
        for fill in fills:
            assert contrast(ink(fill), fill) >= 4.5, fill


def test_the_outline_is_drawn_around_every_segment_and_swatch():
    css = (ASSETS / "charts.css").read_text()
    assert re.search(rf"\.bar \.s\{{border:[\d.]+pt solid {SEPARATOR}\}}", css)
    assert re.search(rf"\.legend span::before\{{outline:[\d.]+pt solid {SEPARATOR}\}}", css)
    for fills in PALETTES.values():
        for fill in fills:
            rule = re.search(rf"\.c{fill[1:]}\{{background:{fill};color:([#\w]+);", css)
            assert rule and contrast(rule[1], fill) >= 4.5, fill
    row = ItemRow(Group(("A",), "A", False), 20.0, 4.0, 1.0, 4.0, 0.5, 0.1, 0.0, (0.5, 0.5))
    (bar,) = stacked_bars([row], ["1", "2"], 5).bars
    assert all(segment.classes.split()[0] == "s" for segment in bar.segments)
