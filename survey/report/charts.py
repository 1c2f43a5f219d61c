"""Geometry of the stacked bar charts; the template draws them as plain HTML boxes (one
inline block per segment, sized in millimetres) and escapes every label. One bar per shown
group: the distribution over the scale's points, from "helt uenig" (red) to "helt enig"
(blue), with the share printed where it fits.

The bars were SVG once: WeasyPrint draws inline SVG text slowly, and the chart elements
took a third of a long report's rendering time. Simple boxes cost a fraction of that."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from survey.report.content import ItemRow

# ColorBrewer RdBu, colour-blind safe; text colour chosen for contrast on each fill.
PALETTES = {
    4: ["#ca0020", "#f4a582", "#92c5de", "#0571b0"],
    5: ["#ca0020", "#f4a582", "#e0e0e0", "#92c5de", "#0571b0"],
    6: ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"],
    7: ["#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac"],
}
DARK_FILLS = {"#b2182b", "#ca0020", "#2166ac", "#0571b0"}

BAR_WIDTH = 111.0  # mm; the group labels take 39 mm to the left (reports/assets/report.css)
STEPS = 400  # segment widths are whole steps of the bar (0.28 mm), named by class w0…w400
MIN_TEXT_STEPS = 17  # a segment needs 4.7 mm to hold its share


@dataclass(frozen=True)
class Segment:
    steps: int  # width in STEPS of the bar
    fill: str
    text: str | None  # the share, when the segment is wide enough to hold it

    @property
    def classes(self) -> str:
        """Width and colour as classes, not a style attribute: WeasyPrint shares one
        computed style between boxes with the same classes (less time and memory)."""
        return f"w{self.steps} c{self.fill[1:]}"


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[Segment, ...]  # empty segments are left out
    note: str | None  # "færre enn 5 svar" instead of a bar


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    legend: tuple[tuple[str, str], ...]  # (colour class, point label) under the bars


def width_classes() -> list[tuple[int, float]]:
    """(steps, millimetres) for every segment width class."""
    return [(steps, round(steps * BAR_WIDTH / STEPS, 3)) for steps in range(STEPS + 1)]


def stacked_bars(rows: Sequence[ItemRow], points: Sequence[str], k: int) -> Chart:
    palette = PALETTES.get(len(points), ["#777777"] * len(points))
    bars = []
    for row in rows:
        if row.suppressed:
            bars.append(Bar(row.group.label, (), f"færre enn {k} svar"))
            continue
        segments = []
        # round the running total, not each share, so the segments always fill the bar
        done, edge = 0.0, 0
        for share, fill in zip(row.shares, palette, strict=True):
            done += share or 0.0
            steps = round(done * STEPS) - edge
            edge += steps
            if steps <= 0:
                continue
            text = f"{round((share or 0) * 100)}" if steps >= MIN_TEXT_STEPS else None
            segments.append(Segment(steps, fill, text))
        bars.append(Bar(row.group.label, tuple(segments), None))
    legend = tuple((f"c{fill[1:]}", point) for fill, point in zip(palette, points, strict=True))
    return Chart(tuple(bars), legend)


def colour_rules() -> list[tuple[str, str, str]]:
    """(class, fill, ink) for every palette colour."""
    fills = sorted({fill for palette in PALETTES.values() for fill in palette} | {"#777777"})
    return [(f"c{f[1:]}", f, "#fff" if f in DARK_FILLS else "#1a1a1a") for f in fills]
