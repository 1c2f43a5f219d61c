"""What a result report says, as plain data: every figure already scored and suppressed.

The templates only lay this out and format numbers; nothing here knows about HTML or PDF,
and the templates never see a respondent, only tables in which hidden cells are ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch
from typing import Any, SupportsFloat

import numpy as np
import pandas as pd

from survey.dates import norwegian_date, norwegian_moment
from survey.errors import InvalidInput
from survey.questionnaire.model import (
    Choice,
    ChoiceQuestion,
    LikertMatrixQuestion,
    LikertQuestion,
    Page,
    Question,
    Questionnaire,
    Scale,
    ScaleQuestion,
)
from survey.records import Measure, RoundResults
from survey.report.dimensions import DIMENSION_NAMES
from survey.report.figures import report_figures
from survey.scoring.breakdown import NOT_GIVEN
from survey.scoring.choices import MEDIAN_FACTOR, choice_tables, number_measure, number_tables
from survey.scoring.compare import with_change
from survey.scoring.finest import History, released_before
from survey.scoring.free_texts import EarlierSet, ReleasedText, released_texts, text_measure
from survey.scoring.indexes import index_scores
from survey.scoring.likert import Respondent, item_scores, likert_frame
from survey.scoring.linked import Bound, Released
from survey.scoring.quality import quality_scores
from survey.scoring.rates import Invited, Shown, Stated, linked_rates
from survey.scoring.suppression import ALL, COMPLEMENT, HIDDEN, SMALL, STATED

Row = Mapping[Hashable, Any]
"""One row of a scored table, as a report reads it (``_records``)."""


def _records(table: pd.DataFrame) -> Sequence[Row]:
    """The table's rows as dicts: read row by row as Series (``iterrows``), an employee
    survey's report by unit of 200 units spent a sixth of its time making them."""
    return table.to_dict("records")


def _reason(row: Row) -> str | None:
    """A hidden row's reason (``scoring.suppression.hidden_reasons``), None if shown."""
    if not bool(row.get("suppressed", False)):
        return None
    reason = row.get("reason")
    return reason if reason in (SMALL, COMPLEMENT) else HIDDEN


def hidden_note(reason: str | None, k: int) -> str:
    """What a hidden cell says: "færre enn 5 svar" only where its own group is small,
    "skjult for å beskytte en liten gruppe" where it is hidden as a complement, and a
    bare "skjult" where telling them apart would say more than the figures may."""
    if reason == SMALL:
        return f"færre enn {k} svar"
    if reason == COMPLEMENT:
        return "skjult for å beskytte en liten gruppe"
    return "skjult"


def _figure(value: SupportsFloat | None) -> float | None:
    """A shown number, or None for a hidden or empty cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


@dataclass(frozen=True)
class Group:
    key: tuple[Hashable, ...]
    label: str
    is_total: bool


@dataclass(frozen=True)
class ItemRow:
    group: Group
    n: float | None
    mean: float | None
    sd: float | None
    median: float | None
    favourable: float | None
    unfavourable: float | None
    not_scored: float | None
    shares: tuple[float | None, ...]
    change: float | None = None
    hidden: str | None = None  # why it is hidden, where saying so is safe (hidden_note)
    change_n: float | None = None  # the compared round's count behind a change (not shown)

    @property
    def suppressed(self) -> bool:
        return self.n is None


@dataclass(frozen=True)
class ItemBlock:
    id: str
    text: str
    rows: tuple[ItemRow, ...]
    statement: bool = False  # one of a matrix's statements, headed by its own text
    reverse: bool = False  # worded the other way round: agreeing is the unfavourable answer


@dataclass(frozen=True)
class ChoiceRow:
    group: Group
    n: float | None
    counts: tuple[float | None, ...]
    shares: tuple[float | None, ...]
    hidden: str | None = None

    @property
    def suppressed(self) -> bool:
        return self.n is None


@dataclass(frozen=True)
class NumberRow:
    group: Group
    label: str
    n: float | None
    mean: float | None
    median: float | None  # None also where the group is too small for it (scoring.choices)
    measure: str = ""  # its name in the release ledger (scoring.choices.number_measure)
    hidden: str | None = None


@dataclass(frozen=True)
class QuestionSection:
    id: str
    text: str
    type: str
    lead_in: str | None
    audience: str | None  # "Bare prosjektleder" when only some roles saw it
    scale: Scale | None
    items: tuple[ItemBlock, ...] = ()
    options: tuple[str, ...] = ()
    choice_rows: tuple[ChoiceRow, ...] = ()
    multiple: bool = False
    numbers: tuple[NumberRow, ...] = ()
    texts: int = 0  # how many texts the appendix lists for it


@dataclass(frozen=True)
class PageSection:
    id: str
    title: str
    questions: tuple[QuestionSection, ...]


@dataclass(frozen=True)
class SummaryRow:
    id: str
    label: str
    kind: str  # "item" | "index"
    cells: tuple[float | None, ...]
    target: float | None = None
    reverse: bool = False  # a statement worded the other way round (reversed in indexes)


@dataclass(frozen=True)
class IndexRow:
    id: str
    label: str
    group: Group
    n: float | None
    mean: float | None
    sd: float | None
    target: float | None
    below_target: bool
    change: float | None
    hidden: str | None = None
    change_n: float | None = None  # the compared round's count behind a change (not shown)


@dataclass(frozen=True)
class QualityRow:
    kind: str
    id: str
    label: str
    group: Group
    n: float | None
    expectation: float | None
    experience: float | None
    k: float | None
    hidden: str | None = None


@dataclass(frozen=True)
class RateRow:
    group: Group
    invited: int
    answered: float | None
    rate: float | None
    hidden: str | None = None


@dataclass(frozen=True)
class TextGroup:
    question_id: str
    heading: str
    group_label: str
    texts: tuple[str, ...]
    key: tuple[Hashable, ...] = ()  # the group's key (ALL throughout for the pool)
    measure: str = ""  # whose texts: "q14", or "q2:annet" for a choice's specify texts
    members: tuple[tuple[Hashable, ...], ...] = ()  # every group the pool covers


@dataclass(frozen=True)
class Highlight:
    """One line of the summary page, from a figure the report shows elsewhere (the same
    value, rounded the same way): nothing here is a figure of its own."""

    kind: str  # "top", "bottom" (statements by the total's mean), "index", "quality"
    label: str
    value: float
    target: float | None = None
    groups: tuple[tuple[str, float], ...] = ()  # (group, its value) below target or 1
    unshown: int = 0  # groups whose value is hidden: "none below target" is not known


@dataclass(frozen=True)
class MeasureRow:
    """A measure (tiltak) recorded after the compared round, shown beside its index."""

    unit: str
    index: str
    what: str
    who: str
    due: str
    status: str


@dataclass(frozen=True)
class Report:
    title: str
    round_name: str
    compared_with: str | None
    period: tuple[str | None, str | None]
    generated_on: str
    min_group_size: int
    anonymous: bool
    by_label: str
    respondents: int
    respondents_shown: bool  # on the cover (when no response rate is): large enough, audited
    total_rate: RateRow | None
    summary_groups: tuple[Group, ...]
    summary: tuple[SummaryRow, ...]
    pages: tuple[PageSection, ...]
    indexes: tuple[IndexRow, ...]
    quality: tuple[QualityRow, ...]
    rates: tuple[tuple[str, tuple[RateRow, ...]], ...]
    texts: tuple[TextGroup, ...]
    scale: Scale | None
    suppressed_cells: int
    measures: tuple[MeasureRow, ...] = ()
    residual_roles: tuple[str, ...] = ()  # labels of the roles that enter no figure
    as_of: str | None = None  # when the figures' snapshot was taken, in words
    final: bool = False  # the snapshot was taken after the round closed
    scales: tuple[Scale, ...] = ()  # every scale the statements are rated on, in order
    quality_scale: Scale | None = None  # the scale F and L are rated on
    respondents_hidden: str | None = None  # why the cover's "Svar" is hidden, if it is
    highlights: tuple[Highlight, ...] = ()
    groups_hidden: int = 0  # of the statements' group rows (totals not counted): hidden
    groups_shown: int = 0  # and shown
    unit: str | None = None  # one unit's report: which, on its cover
    summary_by: tuple[str, ...] = ("role",)  # (): the round releases no figures by role

    @property
    def median_min_group(self) -> int:
        """Groups smaller than this get no median of their numbers (``scoring.choices``)."""
        return MEDIAN_FACTOR * self.min_group_size


def _released(
    results: RoundResults,
    by: Sequence[str],
    within: Mapping[str, str] | None,
    before: Mapping[str, Sequence[Mapping[str, str]]] | None,
    respondents_all: Sequence[Respondent] | None,
    history: History | None,
    stated: Mapping[str, Sequence[Bound]] | None,
    invited: Sequence[Invited] | None,
) -> Released | None:
    """The figures of the snapshot released before this report, and the reasons given
    for hidden ones (None: each table stands alone), counted over the whole round's
    respondents, with the whole round's numbers invited (``invited``) as bounds."""
    if before is None:
        return None
    everyone = results.respondents if respondents_all is None else respondents_all
    return released_before(
        results.questionnaire,
        before,
        by,
        everyone,
        within,
        history=history,
        stated=stated,
        invited=invited,
    )


@dataclass(frozen=True)
class Ledger:
    """What a round has released, as its tables are audited with it (``_released``): the
    groups per measure from the snapshot reported on, the whole round's respondents, what
    its earlier snapshots released, the reasons given for hidden groups and its whole
    invitation list (whose numbers invited bound its counts)."""

    released_before: Mapping[str, Sequence[Mapping[str, str]]]
    respondents_all: Sequence[Respondent] | None = None
    history: History | None = None
    stated_before: Mapping[str, Sequence[Bound]] | None = None
    invited: Sequence[Invited] | None = None  # the whole round's invitations


def _with_its_items(
    q: Questionnaire, indexes: pd.DataFrame, items: pd.DataFrame, by: Sequence[str]
) -> pd.DataFrame:
    """The summary's index means, hidden for a group where one of the index's items has
    its mean hidden: an index's sum is its items' sums together, so it gives a hidden
    item's back (with the others shown), or holds the same answers at the ends of the
    scale that got the item hidden (found by review). An index has no points of its own
    for the auditor's check (``linked.Released._audited``); its items do."""
    hidden = {
        (tuple(row[name] for name in by), row["item"])
        for row in _records(items)
        if bool(row["suppressed"])
    }
    of = {index.id: [item.id for item in index.items] for index in q.indexes}
    more = [
        any((tuple(row[name] for name in by), item) in hidden for item in of.get(row["index"], []))
        for row in _records(indexes)
    ]
    if not any(more):
        return indexes
    indexes = indexes.copy()
    mask = pd.Series(more, index=indexes.index) & ~indexes["suppressed"].astype(bool)
    figures = [c for c in ("n", "mean", "sd") if c in indexes.columns]
    indexes.loc[mask, figures] = np.nan
    indexes.loc[mask, "suppressed"] = True
    indexes.loc[mask, "below_target"] = False
    return indexes


class ReportError(InvalidInput, ValueError):
    """A report that cannot be made as asked (e.g. comparing different questionnaires)."""


def build_report(
    results: RoundResults,
    by: Sequence[str] = ("role",),
    earlier: RoundResults | None = None,
    today: date | None = None,
    measures: Sequence[Measure] = (),
    texts_before: Sequence[EarlierSet] = (),
    rates_before: Sequence[Shown] = (),
    invited_all: Sequence[Invited] | None = None,
    within: Mapping[str, str] | None = None,
    released_before: Mapping[str, Sequence[Mapping[str, str]]] | None = None,
    respondents_all: Sequence[Respondent] | None = None,
    history: History | None = None,
    stated_before: Mapping[str, Sequence[Bound]] | None = None,
    rates_stated: Sequence[Stated] = (),
    earlier_ledger: Ledger | None = None,
    counted_before: Sequence[Shown] = (),
    counted_stated: Sequence[Stated] = (),
    role_released: bool = True,
) -> Report:
    """Score a round for its report: per question by ``by``, the summary by role (for
    all, and response rates by ``by`` alone, where the round does not release figures by
    role: ``role_released``).
    ``measures`` are those recorded after ``earlier``, shown with the index changes;
    ``texts_before`` the text sets released before (``scoring.free_texts``). Response
    rates are audited with the answered counts released before (``rates_before``) over
    the whole round's invitations (``invited_all``; ``results`` may be one unit's, the
    group ``within``), and, decided after the tables, with every count and reason the
    tables show and the ledger holds (``counted_before``, ``counted_stated``): where
    respondents stated their invitations' groups, they are the same counts. Every other
    table is audited with the groups of its measure released before from the same
    snapshot (``released_before``, ``scoring.linked``) over the whole round's respondents
    (``respondents_all``), and with what earlier
    snapshots released (``history``), and with the reasons given for hidden groups
    before (``stated_before`` from this snapshot, ``rates_stated`` for response rates),
    which are inequalities on their counts; a table's own reasons are given only where
    the auditor finds them safe with all of that (``scoring.linked.Released.told``).
    The ``earlier`` round's tables behind the changes are audited with what that round has
    released (``earlier_ledger``): a change gives its group's earlier mean back, and so
    the earlier round's report by role and this one by unit compared with it would be two
    breakdowns of the earlier round."""
    q = results.questionnaire
    k = results.round.min_group_size
    by = list(by)
    if earlier is not None and earlier.questionnaire.id != q.id:
        raise ReportError(
            f"round {earlier.round.id} is of questionnaire {earlier.questionnaire.id!r}, "
            f"not {q.id!r}: only rounds of the same questionnaire can be compared"
        )
    labeller = _Labeller(q, by)
    summary_by = ["role"] if role_released else []  # a round may not release roles at all
    everyone = results.invitations if invited_all is None else invited_all
    released = _released(  # cells fine enough for the summary's groups too
        results,
        list(dict.fromkeys([*by, *summary_by])),
        within,
        released_before,
        respondents_all,
        history,
        stated_before,
        everyone,
    )
    frame = likert_frame(q, results.respondents, by)
    items = item_scores(q, frame, by, k, released)
    indexes = index_scores(q, frame, by, k, released)
    if earlier is not None:
        then = earlier_ledger or Ledger({})
        audited = _released(
            earlier,
            by,
            within,
            then.released_before if earlier_ledger is not None else None,
            then.respondents_all,
            then.history,
            then.stated_before,
            then.invited,
        )
        before = likert_frame(earlier.questionnaire, earlier.respondents, by)
        then_k = max(k, earlier.round.min_group_size)  # a change gives its figure back
        items = with_change(
            items, item_scores(earlier.questionnaire, before, by, then_k, audited), by, "item"
        )
        indexes = with_change(
            indexes,
            index_scores(earlier.questionnaire, before, by, then_k, audited),
            by,
            "index",
        )
    choices = choice_tables(q, results.respondents, by, k, released)
    numbers = number_tables(q, results.respondents, by, k, released)
    texts = released_texts(q, results.respondents, by, k, earlier=texts_before)
    quality = quality_scores(q, frame, by, k, released)

    labels = {index.id: str(index.label) for index in q.indexes}
    suppressed = sum(
        int(table["suppressed"].sum()) for table in (items, indexes, quality) if len(table)
    ) + int(choices.drop_duplicates([*by, "question"])["suppressed"].sum())
    report = Report(
        title=str(q.title),
        round_name=results.round.name,
        compared_with=earlier.round.name if earlier else None,
        period=(_day(results.first_answer), _day(results.last_answer)),
        as_of=norwegian_moment(results.as_of) if results.as_of else None,
        final=results.final,
        generated_on=norwegian_date(today or date.today()),
        min_group_size=k,
        anonymous=results.round.anonymous,
        by_label=" × ".join(DIMENSION_NAMES.get(name, name) for name in by) or "alle",
        respondents=len(results.respondents),
        respondents_shown=False,  # decided below, after the response rates
        total_rate=None,
        summary_groups=(),  # decided below, after the tables
        summary=(),
        pages=_pages(q, labeller, items, choices, numbers, texts),
        indexes=_indexes(q, labeller, indexes),
        quality=_quality(q, labeller, quality),
        rates=(),
        texts=_texts(q, labeller, texts),
        scale=q.items[0].scale if q.items else None,
        scales=tuple(dict.fromkeys(item.scale for item in q.items)),
        quality_scale=q.quality_pairs[0].expectation.scale if q.quality_pairs else None,
        suppressed_cells=suppressed,
        measures=tuple(
            MeasureRow(
                m.unit,
                labels.get(m.index_id, m.index_id),
                m.what,
                m.who,
                _day(m.due) or "",
                m.status,
            )
            for m in measures
        ),
        residual_roles=tuple(str(r.label) for r in q.roles if r.residual),
        unit=(within or {}).get("unit"),
        summary_by=tuple(summary_by),
    )
    if summary_by == by:  # the tables' own groups: their means as the audit left them
        summary_items, summary_indexes = items, indexes
    else:  # means of other groups, audited after the tables and with them (``Released``)
        summary_frame = likert_frame(q, results.respondents, summary_by)
        summary_items = item_scores(q, summary_frame, summary_by, k, released, summary=True)
        summary_indexes = _with_its_items(
            q,
            index_scores(q, summary_frame, summary_by, k, released, summary=True),
            summary_items,
            summary_by,
        )
    summary_groups = tuple(
        _Labeller(q, summary_by).group(key) for key in _keys(summary_items, summary_by)
    )
    report = replace(
        report,
        summary_groups=summary_groups,
        summary=_summary(q, summary_items, summary_indexes, summary_groups, summary_by),
    )
    counts, reasons = _as_answered(report, by, within)
    counted = ([*counted_before, *counts], [*counted_stated, *reasons])
    dimensions = list(dict.fromkeys([*(["role"] if role_released else []), *by])) or [""]
    rates = _rates(q, everyone, dimensions, k, rates_before, within, rates_stated, *counted)
    total_rate = rates[0][1][0] if rates and rates[0][1] else None
    respondents_shown = len(results.respondents) >= k
    small_round = not respondents_shown  # the whole round is under the minimum
    if total_rate is None and released is not None:  # the cover's "Svar", audited too
        more = released.hidden("respondents", [{}], [respondents_shown], k)
        respondents_shown = respondents_shown and not more
    report = replace(
        report,
        rates=rates,
        total_rate=total_rate,
        respondents_shown=respondents_shown,
        respondents_hidden=None if respondents_shown else (SMALL if small_round else HIDDEN),
    )
    rows = [
        row
        for page in report.pages
        for question in page.questions
        for item in question.items
        for row in item.rows
        if not row.group.is_total
    ]
    hidden = sum(row.suppressed for row in rows)
    return replace(
        report,
        highlights=_highlights(q, report),
        groups_hidden=hidden,
        groups_shown=len(rows) - hidden,
    )


ENDS = ("helt ", "svært ", "veldig ")  # "Helt enig" -> "Enig": the share of 5 and 6


def scale_words(scale: Scale) -> tuple[str, str]:
    """What the top and the bottom share of a scale are called, in the questionnaire's
    own words: "Enig" and "Uenig" on an agreement scale ("helt enig" at its top), "Høyest"
    and "Lavest" on home care's importance and satisfaction scale; "Høy" and "Lav" where
    an end has no label."""

    def word(point: int, fallback: str) -> str:
        label = str(scale.labels[point]).strip() if point in scale.labels else ""
        for end in ENDS:
            if label.lower().startswith(end) and len(label) > len(end):
                label = label[len(end) :]
        return label[:1].upper() + label[1:] if label else fallback

    return word(scale.high, "Høy"), word(scale.low, "Lav")


def _day(stored: str | None) -> str | None:
    """A stored day (ISO 8601, "2026-12-02") as a Norwegian reader writes it ("2. desember
    2026"); anything else as it is."""
    if not stored:
        return stored
    try:
        return norwegian_date(date.fromisoformat(stored[:10]))
    except ValueError:
        return stored


def page_title(page: Page) -> str:
    """A page's heading: its title, or for an untitled page its id in words
    ("samarbeid_og_nettverk" -> "Samarbeid og nettverk"), never a list of question ids."""
    if page.title:
        return str(page.title)
    return page.id.replace("_", " ").replace("-", " ").strip().capitalize() or "Spørsmål"


class _Labeller:
    """Readable group names: role labels from the questionnaire, "Alle" for the total."""

    def __init__(self, questionnaire: Questionnaire, by: Sequence[str]):
        self.by = list(by)
        self.roles = {role.code: str(role.label) for role in questionnaire.roles}

    def group(self, key: tuple[Hashable, ...]) -> Group:
        parts = [
            self.roles.get(str(value), str(value)) if name == "role" else str(value)
            for name, value in zip(self.by, key, strict=True)
            if value != ALL
        ]
        parts = ["Ikke oppgitt" if part == NOT_GIVEN else part for part in parts]
        return Group(tuple(key), ", ".join(parts) or "Alle", all(v == ALL for v in key))

    def of(self, row: Row) -> Group:
        return self.group(tuple(row[name] for name in self.by))


def _keys(table: pd.DataFrame, by: Sequence[str]) -> list[tuple]:
    return list(dict.fromkeys(zip(*(table[name] for name in by), strict=True))) if by else [()]


def _highlights(q: Questionnaire, report: Report) -> tuple[Highlight, ...]:
    """What a reader of one page needs: the statements rated highest and lowest by all
    (a statement worded the other way round is left out: high is not good there; so is
    an expectation, which says how important something is, not how good), each
    index with the groups under its target, and the topics whose K is under 1."""
    found = []
    total = next((i for i, g in enumerate(report.summary_groups) if g.is_total), None)
    expected = {pair.expectation.id for pair in q.quality_pairs}  # how important, not how good
    if total is not None:
        rated = [
            (mean, row.label)
            for row in report.summary
            if row.kind == "item"
            and not row.reverse
            and row.id not in expected
            and (mean := row.cells[total]) is not None
        ]
        if len(rated) > 1:
            top, bottom = max(rated), min(rated)
            found += [Highlight("top", top[1], top[0]), Highlight("bottom", bottom[1], bottom[0])]
        for row in report.summary:
            mean = row.cells[total]
            if row.kind != "index" or mean is None:
                continue
            below = tuple(
                (group.label, cell)
                for group, cell in zip(report.summary_groups, row.cells, strict=True)
                if cell is not None
                and row.target is not None
                and cell < row.target  # as the summary table marks it
                and bool(report.summary_by)  # by no role: "for alle" twice says nothing
            )
            unshown = sum(
                cell is None
                for group, cell in zip(report.summary_groups, row.cells, strict=True)
                if not group.is_total
            )
            found.append(Highlight("index", row.label, mean, row.target, below, unshown))
    topics = [
        row
        for row in report.quality
        if row.kind == "pair" and row.group.is_total and row.k is not None
    ]
    if topics:
        lowest = min(topics, key=lambda row: row.k or 0.0)
        below = tuple((row.label, row.k) for row in topics if row.k is not None and row.k < 1)
        found.append(Highlight("quality", lowest.label, lowest.k or 0.0, 1.0, below))
    return tuple(found)


def _summary(
    q: Questionnaire,
    items: pd.DataFrame,
    indexes: pd.DataFrame,
    groups: Sequence[Group],
    by: Sequence[str],
) -> tuple[SummaryRow, ...]:
    def cells(table: pd.DataFrame, column: str, value: str) -> tuple[float | None, ...]:
        rows = table[table[column].astype(str) == value]
        means = {tuple(r[name] for name in by): r["mean"] for r in _records(rows)}
        return tuple(_figure(means.get(group.key)) for group in groups)

    rows = [
        SummaryRow(i.id, str(i.text), "item", cells(items, "item", i.id), reverse=i.reverse)
        for i in q.items
    ]
    rows += [
        SummaryRow(x.id, str(x.label), "index", cells(indexes, "index", x.id), x.target)
        for x in q.indexes
    ]
    return tuple(rows)


def _pages(
    q: Questionnaire,
    labeller: _Labeller,
    items: pd.DataFrame,
    choices: pd.DataFrame,
    numbers: pd.DataFrame,
    texts: list[ReleasedText],
) -> tuple[PageSection, ...]:
    text_counts: dict[str, int] = {}
    for text in texts:
        text_counts[text.question] = text_counts.get(text.question, 0) + 1
    tables = _Tables(
        labeller,
        items={item_id: rows for item_id, rows in items.groupby("item", observed=True)},
        choices={qid: rows for qid, rows in choices.groupby("question", observed=True)},
        numbers={qid: rows for qid, rows in numbers.groupby("question")},
        texts=text_counts,
    )
    pages = []
    for page in q.pages:
        sections = tuple(
            _section(question, tables, _audience(q, page.audience or question.audience))
            for question in page.questions
        )
        pages.append(PageSection(page.id, page_title(page), sections))
    return tuple(pages)


@dataclass(frozen=True)
class _Tables:
    """A round's scored tables, split by the item or question they are about."""

    labeller: _Labeller
    items: dict[Hashable, pd.DataFrame]
    choices: dict[Hashable, pd.DataFrame]
    numbers: dict[Hashable, pd.DataFrame]
    texts: dict[str, int]  # how many texts the appendix lists, by question


def _common(question: Question, tables: _Tables, audience: str | None) -> QuestionSection:
    """What the report shows of any question: its text and audience, the numbers given for
    it (a number question, a "specify" number) and how many comments it has; each type
    of question adds its own figures to it."""
    return QuestionSection(
        id=question.id,
        text=str(question.text),
        type=question.type,
        lead_in=str(question.lead_in) if question.lead_in else None,
        audience=audience,
        scale=None,
        numbers=_number_rows(tables.labeller, question, tables.numbers.get(question.id)),
        texts=tables.texts.get(question.id, 0),
    )


_section = singledispatch(_common)


@_section.register
def _(question: LikertQuestion, tables: _Tables, audience: str | None) -> QuestionSection:
    items = _item_blocks(question, tables, statements=False)
    return replace(_common(question, tables, audience), scale=question.scale, items=items)


@_section.register
def _(question: LikertMatrixQuestion, tables: _Tables, audience: str | None) -> QuestionSection:
    items = _item_blocks(question, tables, statements=True)
    return replace(_common(question, tables, audience), scale=question.scale, items=items)


@_section.register
def _(question: ChoiceQuestion, tables: _Tables, audience: str | None) -> QuestionSection:
    return replace(
        _common(question, tables, audience),
        options=tuple(str(c.label) for c in question.choices),
        choice_rows=_choice_rows(tables.labeller, tables.choices.get(question.id)),
        multiple=question.multiple,
    )


def _item_blocks(
    question: ScaleQuestion, tables: _Tables, *, statements: bool
) -> tuple[ItemBlock, ...]:
    return tuple(
        ItemBlock(
            item.id, str(item.text), _item_rows(tables.labeller, rows), statements, item.reverse
        )
        for item in question.items
        if (rows := tables.items.get(item.id)) is not None
    )


def _audience(q: Questionnaire, audience: frozenset[str] | None) -> str | None:
    if audience is None:
        return None
    labels = [str(role.label) for role in q.roles if role.code in audience]
    return "Bare for " + " og ".join(label.lower() for label in labels)


def _change_n(row: Row) -> float | None:
    """The compared round's count behind a row's change, where a change is shown."""
    return _figure(row.get("before_n")) if _figure(row.get("change")) is not None else None


def _item_rows(labeller: _Labeller, rows: pd.DataFrame) -> tuple[ItemRow, ...]:
    shares = [c for c in rows.columns if c.startswith("share_")]
    return tuple(
        ItemRow(
            group=labeller.of(row),
            n=_figure(row["n"]),
            mean=_figure(row["mean"]),
            sd=_figure(row["sd"]),
            median=_figure(row["median"]),
            favourable=_figure(row["favourable"]),
            unfavourable=_figure(row["unfavourable"]),
            not_scored=_figure(row["not_scored"]),
            shares=tuple(_figure(row[c]) for c in shares),
            change=_figure(row.get("change")),
            hidden=_reason(row),
            change_n=_change_n(row),
        )
        for row in _records(rows)
    )


def _choice_rows(labeller: _Labeller, rows: pd.DataFrame | None) -> tuple[ChoiceRow, ...]:
    if rows is None:
        return ()
    found = []
    for _, group_rows in rows.groupby(labeller.by or (lambda _: 0), sort=False, observed=True):
        first = group_rows.iloc[0].to_dict()
        found.append(
            ChoiceRow(
                group=labeller.of(first),
                n=_figure(first["n"]),
                counts=tuple(_figure(v) for v in group_rows["count"]),
                shares=tuple(_figure(v) for v in group_rows["share"]),
                hidden=_reason(first),
            )
        )
    return tuple(found)


def _number_rows(
    labeller: _Labeller, question: Question, rows: pd.DataFrame | None
) -> tuple[NumberRow, ...]:
    if rows is None:
        return ()
    return tuple(
        NumberRow(
            group=labeller.of(row),
            label=str(choice.label) if (choice := _detail_choice(question, row["code"])) else "",
            n=_figure(row["n"]),
            mean=_figure(row["mean"]),
            median=_figure(row["median"]),
            measure=number_measure(f"{question.id}:{row['code']}"),
            hidden=_reason(row),
        )
        for row in _records(rows)
    )


def _detail_choice(question: Question, code: str) -> Choice | None:
    """The option a "specify" number or text was given for ("" for the question's own)."""
    return next((c for c in question.detail_choices if c.code == code), None)


def _indexes(q: Questionnaire, labeller: _Labeller, table: pd.DataFrame) -> tuple[IndexRow, ...]:
    labels = {index.id: str(index.label) for index in q.indexes}
    return tuple(
        IndexRow(
            id=str(row["index"]),
            label=labels[str(row["index"])],
            group=labeller.of(row),
            n=_figure(row["n"]),
            mean=_figure(row["mean"]),
            sd=_figure(row["sd"]),
            target=_figure(row["target"]),
            below_target=bool(row["below_target"]),
            change=_figure(row.get("change")),
            hidden=_reason(row),
            change_n=_change_n(row),
        )
        for row in _records(table)
    )


def _quality(q: Questionnaire, labeller: _Labeller, table: pd.DataFrame) -> tuple[QualityRow, ...]:
    """Per topic, then per dimension of more than one topic: a dimension of one topic has
    that topic's figures, and would only repeat them."""
    labels = {pair.id: str(pair.label) for pair in q.quality_pairs}
    topics: dict[str, int] = {}
    for pair in q.quality_pairs:
        if pair.dimension:
            topics[pair.dimension] = topics.get(pair.dimension, 0) + 1
    return tuple(
        QualityRow(
            kind=row["kind"],
            id=str(row["id"]),
            label=labels.get(str(row["id"]), str(row["id"]).replace("_", " ").capitalize()),
            group=labeller.of(row),
            n=_figure(row["n"]),
            expectation=_figure(row["expectation"]),
            experience=_figure(row["experience"]),
            k=_figure(row["k"]),
            hidden=_reason(row),
        )
        for row in _records(table)
        if row["kind"] != "dimension" or topics.get(str(row["id"]), 0) > 1
    )


def _as_answered(
    report: Report, by: Sequence[str], within: Mapping[str, str] | None
) -> tuple[list[Shown], list[Stated]]:
    """The counts the report's tables show, and the reasons they give for hidden groups,
    as its response rates' audit reads them: where the groups respondents stated are
    their invitations' groups, a table's n is the number who answered, and a role's "at
    least 3" beside a response rate of 4 rådmenn and another unit's report pinned the
    other unit's two (docs/confidentiality.md). Read whatever the round: a count the
    answered counts do not meet, and a reason they do not, is left out by the audit
    (``scoring.rates.linked_rates``), and one that meets them by chance only hides more."""
    where = dict(within or {})
    counts: list[Shown] = []
    reasons: list[Stated] = []
    for figure in report_figures(report, by):
        group = {**where, **dict(figure.group)}
        if figure.statistic == "n":
            counts.append((group, figure.value))
        elif figure.statistic in STATED.values():
            reasons.append((group, figure.statistic, figure.value))
    return counts, reasons


def _rates(
    q: Questionnaire,
    invitations: Sequence[Invited],
    dimensions: Sequence[str],
    k: int,
    earlier: Sequence[Shown],
    within: Mapping[str, str] | None,
    stated: Sequence[Stated] = (),
    counted: Sequence[Shown] = (),
    counted_stated: Sequence[Stated] = (),
) -> tuple[tuple[str, tuple[RateRow, ...]], ...]:
    """Response rates by each of ``dimensions`` of the invitations ("" for the total
    alone: a table the report shows only as the cover's rate), audited together and with
    what was released before (``scoring.rates.linked_rates``)."""
    if not invitations:
        return ()
    tables = []
    for name, table in linked_rates(
        q,
        invitations,
        dimensions,
        k,
        earlier,
        within,
        stated,
        counted=counted,
        counted_stated=counted_stated,
    ):
        labeller = _Labeller(q, [name] if name else [])
        rows = tuple(
            RateRow(
                labeller.of(r),
                int(r["invited"]),
                _figure(r["answered"]),
                _figure(r["rate"]),
                _reason(r),
            )
            for r in _records(table)
        )
        tables.append((DIMENSION_NAMES.get(name, name), rows))
    return tuple(tables)


def _texts(q: Questionnaire, labeller: _Labeller, texts: list) -> tuple[TextGroup, ...]:
    groups: dict[tuple, list[str]] = {}
    origins: dict[tuple, dict[tuple, None]] = {}
    for text in texts:
        where = (text.question, text.code, text.group)
        groups.setdefault(where, []).append(text.text)
        for covered in text.pool or (text.origin,):  # a pool covers every pooled group
            origins.setdefault(where, {})[covered] = None
    found = []
    for (question_id, code, key), lines in groups.items():
        question = q.question(question_id)
        choice = _detail_choice(question, code)
        heading = str(question.text) + (f" – {choice.label}" if choice else "")
        group = labeller.group(key)
        pooled = group.is_total and bool(labeller.by)
        label = "Andre grupper, samlet" if pooled else group.label
        members = tuple(origins[(question_id, code, key)]) if pooled else ()
        measure = text_measure(question_id, code)
        found.append(
            TextGroup(question_id, heading, label, tuple(lines), group.key, measure, members)
        )
    return tuple(found)
