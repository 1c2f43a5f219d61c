"""What a report releases, figure by figure, for the release ledger.

A report is many tables, and the ledger records each figure that left the system: which
measure (an item's answers, an index, a choice question's, the response rate, the texts of
a question), for which group (dimension -> value; a dimension summed over is left out),
which statistic, and the value shown. Hidden cells release nothing and are not listed. The
count a figure rests on (its n) is what an auditor reasons with; means and rates are kept
too, because an n with its mean is an equation on the answers themselves.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from survey.report.dimensions import DIMENSION_NAMES
from survey.scoring.suppression import ALL, STATED

if TYPE_CHECKING:  # figures are read off a report; the report reads its own (content)
    from survey.report.content import Group, Report

REASONS = STATED


@dataclass(frozen=True)
class Figure:
    measure: (
        str  # "item:q5", "index:x", "choice:q2", "number:q4", "quality:pair:x", "rate", "texts:q14"
    )
    group: tuple[tuple[str, str], ...]  # (dimension, value) for every dimension not summed
    statistic: str  # "n", "mean", "change", "k", "answered", "invited", "texts", "pooled texts",
    # "earlier n" (the compared round's count behind a change: that round's, not shown),
    # "fewer than k", "at least k" (a hidden cell's reason: an inequality on its count)
    value: float


_DIMENSIONS = {shown: name for name, shown in DIMENSION_NAMES.items()}


def report_figures(report: Report, by: Sequence[str]) -> list[Figure]:
    """Every figure the report shows, in reading order."""
    return list(_figures(report, list(by)))


EARLIER_N = "earlier n"
"""The compared round's count behind a shown change. Not printed, and a figure of that
round, not this one: it enters the compared round's ledger as its group's count, since
the change gives the group's earlier mean back (``operations.results``)."""


def _earlier_n(
    measure: str, group: tuple[tuple[str, str], ...], n: float | None
) -> Iterator[Figure]:
    if n is not None:
        yield Figure(measure, group, EARLIER_N, n)


def _figures(report: Report, by: list[str]) -> Iterator[Figure]:
    if report.total_rate is None and report.respondents_shown:  # the cover's "Svar"
        yield Figure("respondents", (), "n", float(report.respondents))
    for shown_as, rows in report.rates:
        dimension = [_DIMENSIONS.get(shown_as, shown_as)]
        for rate in rows:
            yield from _reason("rate", rate.group, dimension, rate.hidden, report)
            if rate.answered is not None:
                of = _group(rate.group.key, dimension)
                yield Figure("rate", of, "answered", float(rate.answered))
                yield Figure("rate", of, "invited", float(rate.invited))
    summary_by = list(report.summary_by)
    for row in report.summary:
        for shown, cell in zip(report.summary_groups, row.cells, strict=True):
            if cell is not None:
                yield Figure(f"{row.kind}:{row.id}", _group(shown.key, summary_by), "mean", cell)
    for page in report.pages:
        for question in page.questions:
            for item in question.items:
                for item_row in item.rows:
                    yield from _reason(
                        f"item:{item.id}", item_row.group, by, item_row.hidden, report
                    )
                    yield from _counted(f"item:{item.id}", item_row.group, by, item_row.n)
                    if item_row.n is not None and item_row.not_scored is not None:
                        answered = item_row.n + item_row.not_scored  # the "vet ikke" column
                        yield from _counted(f"answered:{item.id}", item_row.group, by, answered)
                    if item_row.n is not None and item_row.mean is not None:
                        of = _group(item_row.group.key, by)
                        yield Figure(f"item:{item.id}", of, "mean", item_row.mean)
                        if item_row.change is not None:  # against the compared round
                            yield Figure(f"item:{item.id}", of, "change", item_row.change)
                            yield from _earlier_n(f"item:{item.id}", of, item_row.change_n)
            for choice in question.choice_rows:
                yield from _reason(f"choice:{question.id}", choice.group, by, choice.hidden, report)
                yield from _counted(f"choice:{question.id}", choice.group, by, choice.n)
            for number in question.numbers:
                yield from _reason(number.measure, number.group, by, number.hidden, report)
                yield from _counted(number.measure, number.group, by, number.n)
    for index in report.indexes:
        yield from _reason(f"index:{index.id}", index.group, by, index.hidden, report)
        yield from _counted(f"index:{index.id}", index.group, by, index.n)
        if index.n is not None and index.mean is not None:
            of = _group(index.group.key, by)
            yield Figure(f"index:{index.id}", of, "mean", index.mean)
            if index.change is not None:
                yield Figure(f"index:{index.id}", of, "change", index.change)
                yield from _earlier_n(f"index:{index.id}", of, index.change_n)
    for quality in report.quality:
        measure = f"quality:{quality.kind}:{quality.id}"
        yield from _reason(measure, quality.group, by, quality.hidden, report)
        yield from _counted(measure, quality.group, by, quality.n)
        if quality.n is not None and quality.k is not None:
            yield Figure(measure, _group(quality.group.key, by), "k", quality.k)
    for texts in report.texts:
        measure = f"texts:{texts.measure or texts.question_id}"
        count = float(len(texts.texts))
        if texts.members:  # the pool: one set covering several groups
            for member in texts.members:
                yield Figure(measure, _group(member, by), "pooled texts", count)
        else:
            yield Figure(measure, _group(texts.key, by), "texts", count)


def _reason(
    measure: str, group: Group, by: list[str], hidden: str | None, report: Report
) -> Iterator[Figure]:
    """A hidden cell's stated reason, a figure too: "fewer than k" says its count is at
    most k - 1, "at least k" that it is k or more (``scoring.suppression.hidden_reasons``).
    A bare "skjult" says nothing and releases nothing."""
    if hidden in REASONS:
        yield Figure(measure, _group(group.key, by), REASONS[hidden], float(report.min_group_size))


def _counted(measure: str, group: Group, by: list[str], n: float | None) -> Iterator[Figure]:
    if n is not None:
        yield Figure(measure, _group(group.key, by), "n", float(n))


def _group(key: tuple[Hashable, ...], by: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple((name, str(value)) for name, value in zip(by, key, strict=False) if value != ALL)
