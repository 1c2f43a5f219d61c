"""Geometry of the stacked bar charts; the template draws them as plain HTML boxes (one
inline block per segment, sized in millimetres) and escapes every label. One bar per shown
group: the distribution over the scale's points, from "helt uenig" (red) to "helt enig"
(blue), with the share printed where it fits, and every point's share as text in the
figure's caption (narrow segments have no room for theirs; WCAG 1.1.1).

The bars were SVG once: WeasyPrint draws inline SVG text slowly, and the chart elements
took about a quarter of a long report's rendering time. Simple boxes cost a fraction of that.

Contrast (WCAG 1.4.11, 3:1 for the parts of a graphic needed to read it): a diverging
palette cannot give 3:1 between every pair of neighbours and its light middle cannot give
3:1 against the white page. So every segment (and every legend swatch) is outlined in
``SEPARATOR``, black, which has at least 3:1 against every fill of every palette and
against white: a segment's edges are told from its neighbours and from the page by the
outline, whatever their colours (tests/report/test_palette.py computes each pair).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from survey.report.content import ItemRow, QualityRow, hidden_note

# ColorBrewer RdBu, colour-blind safe, for 3 to 9 points (4 to 7 as they always were).
# Every fill is at least as dark as needed for 3:1 against the black outline (relative
# luminance 0.10 or more), which rules out RdBu's darkest ends (#67001f, #053061).
BREWER = {
    3: ["#ef8a62", "#f7f7f7", "#67a9cf"],
    4: ["#ca0020", "#f4a582", "#92c5de", "#0571b0"],
    5: ["#ca0020", "#f4a582", "#e0e0e0", "#92c5de", "#0571b0"],
    6: ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"],
    7: ["#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac"],
    8: ["#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"],
    9: [
        "#b2182b",
        "#d6604d",
        "#f4a582",
        "#fddbc7",
        "#f7f7f7",
        "#d1e5f0",
        "#92c5de",
        "#4393c3",
        "#2166ac",
    ],
}
MAX_POINTS = 20  # survey.questionnaire.rules.limits: a scale has 2 to 20 points
SEPARATOR = "#000000"  # the outline of every segment and swatch (see above)
INKS = ("#fff", "#1a1a1a", "#000")  # the first with 4.5:1 on a fill prints its share


def palette(points: int) -> list[str]:
    """A fill for each of a scale's points: ColorBrewer's where it has one, else evenly
    spaced along RdBu's 9-class ramp (2 points, and 10 to 20)."""
    if points in BREWER:
        return BREWER[points]
    ramp = [_rgb(colour) for colour in BREWER[9]]
    fills = []
    for i in range(points):
        at = i * (len(ramp) - 1) / (points - 1)
        low = min(int(at), len(ramp) - 2)
        t = at - low
        mixed = (round(a + (b - a) * t) for a, b in zip(ramp[low], ramp[low + 1], strict=True))
        fills.append("#" + "".join(f"{c:02x}" for c in mixed))
    return fills


def _rgb(colour: str) -> tuple[int, ...]:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour ("#rrggbb" or "#rgb")."""
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in (v / 255 for v in _rgb(colour))
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """WCAG 2's contrast ratio, 1 to 21."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ink(fill: str) -> str:
    """The colour of a share printed on ``fill``: 4.5:1 at least (small text)."""
    return next(colour for colour in INKS if contrast(colour, fill) >= 4.5)


PALETTES = {points: palette(points) for points in range(2, MAX_POINTS + 1)}


BAR_WIDTH = 111.0  # mm; the group labels take 39 mm to the left (reports/assets/report.css)
STEPS = 400  # segment widths are whole steps of the bar (0.28 mm), named by class w0…w400
# (the bars use every fourth: whole percent)
MIN_TEXT_STEPS = 17  # a segment needs 4.7 mm to hold its share


@dataclass(frozen=True)
class Segment:
    steps: int  # width in STEPS of the bar
    fill: str
    text: str | None  # the share, when the segment is wide enough to hold it

    @property
    def classes(self) -> str:
        """Width and colour as classes, not a style attribute: WeasyPrint shares one
        computed style between boxes with the same classes (less time and memory). ``s``
        is the outline every segment has."""
        return f"s w{self.steps} c{self.fill[1:]}"


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[Segment, ...]  # empty segments are left out
    note: str | None  # "færre enn 5 svar" instead of a bar
    values: tuple[str, ...] = ()  # each point's share in whole percent ("–" if none shown)


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    legend: tuple[tuple[str, str], ...]  # (colour class, point label) under the bars


def width_classes() -> list[tuple[int, float]]:
    """(steps, millimetres) for every segment width class."""
    return [(steps, round(steps * BAR_WIDTH / STEPS, 3)) for steps in range(STEPS + 1)]


def stacked_bars(rows: Sequence[ItemRow], points: Sequence[str], k: int) -> Chart:
    fills = palette(len(points))
    bars = []
    for row in rows:
        if row.suppressed:
            bars.append(Bar(row.group.label, (), hidden_note(row.hidden, k)))
            continue
        # The widths are a function of the shares printed in the caption alone (whole
        # percent), so the bar says nothing the printed figures do not, and that is what
        # the auditor reads (``scoring.printed``). Rounding the running total instead
        # filled the bar as exactly, but its edges were shares the caption does not
        # print (three points of 0.4 % print 0, 0 and 0 and drew 0, 1 and 0 percent).
        segments = []
        for share, percent, fill in zip(row.shares, _filled(row.shares), fills, strict=True):
            steps = percent * STEPS // 100
            if steps <= 0:
                continue
            text = _whole_percent(share) if steps >= MIN_TEXT_STEPS else None
            segments.append(Segment(steps, fill, text))
        values = tuple(_whole_percent(share) for share in row.shares)
        bars.append(Bar(row.group.label, tuple(segments), None, values))
    legend = tuple((f"c{fill[1:]}", point) for fill, point in zip(fills, points, strict=True))
    return Chart(tuple(bars), legend)


@dataclass(frozen=True)
class QualityBar:
    """One topic's expectation (F) and experience (L) as two bars on the scale, in whole
    steps of the bar; no bars where the topic's figures are hidden (``note``)."""

    label: str
    expectation: Segment | None
    experience: Segment | None
    below: bool  # K = L / F under 1: less than expected
    note: str | None = None


EXPECTATION_FILL = "#e0e0e0"  # grey: what was expected
EXPERIENCE_FILLS = ("#2166ac", "#b2182b")  # blue when K >= 1, red when below


def quality_bars(rows: Sequence[QualityRow], high: int, k: int) -> tuple[QualityBar, ...]:
    """Bars from 0 to the scale's top for each row's F and L, as precise as the figures
    printed beside them (one decimal); a hidden row's note instead (``hidden_note``)."""
    bars = []
    for row in rows:
        if row.expectation is None or row.experience is None or row.k is None:
            bars.append(QualityBar(row.label, None, None, False, hidden_note(row.hidden, k)))
            continue
        below = row.k < 1
        f, l_ = (round(value, 1) for value in (row.expectation, row.experience))
        fill = EXPERIENCE_FILLS[below]
        bars.append(
            QualityBar(
                row.label,
                Segment(round(f / high * STEPS), EXPECTATION_FILL, _decimal(f)),
                Segment(round(l_ / high * STEPS), fill, _decimal(l_)),
                below,
            )
        )
    return tuple(bars)


def _filled(shares: Sequence[float | None]) -> list[int]:
    """Each point's printed share in whole percent, made to fill the bar: what rounding
    leaves over or short (a point or two) goes to or comes from the widest segments, the
    first of equals first. A function of the printed shares alone."""
    widths = [round((share or 0.0) * 100) for share in shares]
    order = sorted(range(len(widths)), key=lambda p: (-widths[p], p))
    left = 100 - sum(widths)
    for p in (order * (abs(left) // max(len(order), 1) + 1))[: abs(left)]:
        widths[p] += 1 if left > 0 else -1
    return widths


def _decimal(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _whole_percent(share: float | None) -> str:
    """A share as the segments print it; "–" for a share not shown (never a number)."""
    return "–" if share is None else f"{round(share * 100)}"


def colour_rules() -> list[tuple[str, str, str]]:
    """(class, fill, ink) for every palette colour."""
    fills = sorted({fill for palette in PALETTES.values() for fill in palette})
    return [(f"c{f[1:]}", f, ink(f)) for f in fills]


def stylesheet() -> str:
    """reports/assets/charts.css: the segment widths (w0…w400 of the bar), the palette's
    colours and the legend's widths. A file, not a <style> in the report, so the HTML
    preview keeps working under the secretariat's Content-Security-Policy (no inline
    styles); a test keeps the file equal to this (``python -m survey.report.charts``)."""
    lines = ["/* Generated by `python -m survey.report.charts`; do not edit. */"]
    lines += [f".w{steps}{{width:{mm:g}mm}}" for steps, mm in width_classes()]
    lines += [
        f".{name}{{background:{fill};color:{ink};border-color:{fill}}}"
        for name, fill, ink in colour_rules()
    ]
    lines += [f".bar .s{{border:0.3pt solid {SEPARATOR}}}"]
    lines += [f".legend span::before{{outline:0.3pt solid {SEPARATOR}}}"]
    lines += [
        f".legend-{n} span{{width:{round(BAR_WIDTH / n, 2):g}mm}}" for n in range(2, MAX_POINTS + 1)
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(stylesheet(), end="")
