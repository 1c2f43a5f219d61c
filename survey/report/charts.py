"""Geometry of the stacked bar charts; the SVG itself is drawn by the template, which
escapes every label. One bar per shown group: the distribution over the scale's points,
from "helt uenig" (red) to "helt enig" (blue), with the share printed where it fits."""

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

LABEL_WIDTH = 130
BAR_WIDTH = 370
ROW_HEIGHT = 18
GAP = 5


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    fill: str
    ink: str
    text: str | None  # the share, when the segment is wide enough to hold it


@dataclass(frozen=True)
class Bar:
    y: float
    label: str
    segments: tuple[Segment, ...]
    note: str | None  # "færre enn 5 svar" instead of a bar


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    bars: tuple[Bar, ...]
    legend: tuple[tuple[float, str, str], ...]  # (x, fill, point label) under the bar
    bars_x: float = LABEL_WIDTH


def stacked_bars(rows: Sequence[ItemRow], points: Sequence[str], k: int) -> Chart:
    palette = PALETTES.get(len(points), ["#777777"] * len(points))
    bars = []
    for position, row in enumerate(rows):
        y = position * (ROW_HEIGHT + GAP)
        if row.suppressed:
            bars.append(Bar(y, row.group.label, (), f"færre enn {k} svar"))
            continue
        x = float(LABEL_WIDTH)
        segments = []
        for share, fill in zip(row.shares, palette, strict=True):
            width = (share or 0.0) * BAR_WIDTH
            text = f"{round((share or 0) * 100)}" if width >= 16 else None
            ink = "#ffffff" if fill in DARK_FILLS else "#1a1a1a"
            segments.append(Segment(x, width, fill, ink, text))
            x += width
        bars.append(Bar(y, row.group.label, tuple(segments), None))
    height = len(rows) * (ROW_HEIGHT + GAP)
    step = BAR_WIDTH / max(len(points), 1)
    legend = tuple(
        (LABEL_WIDTH + i * step, fill, label)
        for i, (fill, label) in enumerate(zip(palette, points, strict=True))
    )
    return Chart(LABEL_WIDTH + BAR_WIDTH, height, tuple(bars), legend)
