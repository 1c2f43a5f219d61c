"""Likert item statistics per group: n, mean, sd, median, distribution, favourable share.

Not-scored answers ("vet ikke") are counted in their own column and never enter n, a mean
or a share. Reverse coding does not apply here: an item is reported as asked; indexes
reverse items before averaging.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from survey.questionnaire.answers import Answer
from survey.questionnaire.model import Questionnaire
from survey.scoring.breakdown import as_categories, group_key, roll_up
from survey.scoring.linked import Released
from survey.scoring.printed import Row, distribution_rows
from survey.scoring.suppression import Distribution, mark_reasons, mark_suppressed

Respondent = tuple[Mapping[str, str | None], Mapping[str, Answer]]
"""What scoring needs of a response: its group values (role, unit, ...) and its answers."""


def likert_frame(
    questionnaire: Questionnaire, respondents: Iterable[Respondent], by: Sequence[str]
) -> pd.DataFrame:
    """One row per Likert answer: respondent, group columns, item, point (NaN if not scored)
    and the not-scored code. Group and item columns are categorical.

    The only per-answer Python work is collecting item positions and values; the frame is
    built column by column (``columns_frame``), which keeps a national round (a million
    answers) well under a second."""
    position = {item.id: n for n, item in enumerate(questionnaire.items)}
    codes: list[int] = []
    values: list[object] = []
    counts: list[int] = []
    keys: list[tuple[str, ...]] = []
    for groups, answers in respondents:
        found = [(position[k], a.value) for k, a in answers.items() if k in position]
        codes += [code for code, _ in found]
        values += [value for _, value in found]
        counts.append(len(found))
        keys.append(group_key(groups, by))
    raw = pd.Series(values, dtype=object)
    scored = raw.map(type).isin((int, float)).to_numpy()
    point = np.full(len(raw), np.nan)
    point[scored] = raw[scored].to_numpy(dtype=float)
    respondent = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    return columns_frame(
        questionnaire,
        LikertColumns(
            keys, respondent, np.asarray(codes), point, raw.where(~scored, None).to_numpy()
        ),
        by,
    )


@dataclass(frozen=True)
class LikertColumns:
    """A round's Likert answers as columns, the shape storage can produce without building
    an ``Answer`` per answer. ``keys`` has one group key per respondent (``group_key``),
    the other fields one entry per answer."""

    keys: list[tuple[str, ...]]
    respondent: np.ndarray  # index into keys
    item: np.ndarray  # position in questionnaire.items
    point: np.ndarray  # float, NaN when not scored
    not_scored: np.ndarray | Sequence[str | None]  # the code when not scored


def columns_frame(
    questionnaire: Questionnaire, columns: LikertColumns, by: Sequence[str]
) -> pd.DataFrame:
    """``likert_frame``'s frame from columns: group keys are made categorical once per
    respondent and spread to the answers with numpy."""
    respondent = columns.respondent
    frame = pd.DataFrame({"respondent": respondent})
    if by:
        people = as_categories(
            pd.DataFrame(columns.keys, columns=list(by), dtype=object), by, questionnaire
        )
        for name in by:
            column = people[name].array
            frame[name] = pd.Categorical.from_codes(column.codes[respondent], dtype=column.dtype)
    frame["item"] = pd.Categorical.from_codes(
        np.asarray(columns.item, dtype=np.int32),
        categories=pd.Index([item.id for item in questionnaire.items]),
    )
    frame["point"] = np.asarray(columns.point, dtype=float)
    frame["not_scored"] = np.asarray(columns.not_scored, dtype=object)
    return frame


def item_scores(
    questionnaire: Questionnaire,
    frame: pd.DataFrame,
    by: Sequence[str],
    min_group_size: int,
    released: Released | None = None,
    summary: bool = False,
) -> pd.DataFrame:
    """One row per group × item, margins included, with n, mean, sd, median, share per
    point, favourable and unfavourable shares (top/bottom two points), the not-scored count
    and ``suppressed``. ``summary``: only the means are shown (the summary by another
    breakdown than the tables'): audited with ``released`` as means, ``Released.hidden``.

    Suppressed rows keep their group and item but every figure is NaN, so no caller can
    print a hidden number by accident."""
    scale = questionnaire.items[0].scale if questionnaire.items else None
    points = list(scale.values) if scale else []
    counts = [f"count_{p}" for p in points]
    tally = (
        frame.assign(point=frame["point"].fillna(-1.0))
        .groupby([*by, "item", "point"], observed=True)
        .size()
        .unstack("point", fill_value=0)
    )
    finest = pd.DataFrame(
        {name: tally.get(float(p), 0) for name, p in zip(counts, points, strict=True)}
        | {"not_scored": tally.get(-1.0, 0)},
        index=tally.index,
    ).reset_index()
    table = roll_up(finest, by, ["item"], dict.fromkeys([*counts, "not_scored"], "sum"))
    matrix = table[counts].to_numpy(dtype=float)
    values = np.array(points, dtype=float)
    n = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = matrix @ values / n
        squares = matrix @ values**2
        sd = np.sqrt(np.clip((squares - n * mean**2) / (n - 1), 0, None))
    figures = pd.DataFrame(
        {
            "n": n,
            "mean": mean,
            "sd": np.where(n > 1, sd, np.nan),
            "median": _median(matrix, n, values),
        }
    )
    for point, name in zip(points, counts, strict=True):
        figures[f"share_{point}"] = table[name] / n
    top, bottom = (scale.favourable, scale.unfavourable) if scale else ((), ())
    figures["favourable"] = sum((figures[f"share_{p}"] for p in top), start=0.0)
    figures["unfavourable"] = sum((figures[f"share_{p}"] for p in bottom), start=0.0)
    figures["not_scored"] = table["not_scored"].astype(float)
    table = pd.concat([table[[*by, "item"]], figures, table[counts]], axis=1)
    # n + "vet ikke" is the number who answered the item: a count of its own
    answered = "answered:{}".format
    high = [points.index(p) for p in top]
    low = [points.index(p) for p in bottom]

    def printed(vector: Sequence[int]) -> list[Row]:
        return distribution_rows(vector, values.tolist(), high, low)

    table = hide(
        table,
        by,
        "item",
        min_group_size,
        released,
        "item:{}".format,
        *(() if summary else (answered,)),  # a mean shows no "vet ikke"
        distribution=Distribution(counts, lambda _: printed),
        summed=summary,
    )
    return table.drop(columns=counts)


def _median(matrix: np.ndarray, n: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each row's median from its counts per scale point: the mean of the two middle
    answers (the same one when n is odd)."""
    if matrix.shape[1] == 0:
        return np.full(len(n), np.nan)
    cumulative = matrix.cumsum(axis=1)
    low = (cumulative > ((n - 1) // 2)[:, None]).argmax(axis=1)
    high = (cumulative > (n // 2)[:, None]).argmax(axis=1)
    return np.where(n > 0, (values[low] + values[high]) / 2, np.nan)


def hide(
    table: pd.DataFrame,
    by: Sequence[str],
    per: str,
    min_group_size: int,
    released: Released | None = None,
    *measures: Callable[[object], str],
    distribution: Distribution | None = None,
    summed: bool = False,
) -> pd.DataFrame:
    """Mark the rows the round's suppression hides, together with the figures already
    ``released`` (each ``per`` value's counts under the ledger names ``measures(value)``),
    and blank every figure in them. ``distribution``: each row's counts per point and
    what a shown row prints of them, audited with the counts. ``summed``: only the means
    will be shown, without reasons (``Released.hidden``)."""
    table["suppressed"] = mark_suppressed(table, by, per, min_group_size, distribution)
    if released is not None:
        for measure in measures:
            table["suppressed"] |= released.more_hidden(
                table, by, per, min_group_size, measure, summed
            )
    told = None if released is None or summed else _teller(released, measures[0], min_group_size)
    table["reason"] = mark_reasons(table, by, per, min_group_size, told)  # why, where safe
    figures = [c for c in table.columns if c not in (*by, per, "suppressed", "reason")]
    table[figures] = table[figures].astype(float)
    table.loc[table["suppressed"], figures] = np.nan
    return table


def _teller(
    released: Released, measure: Callable[[object], str], k: int
) -> Callable[[object, list[dict[str, str]], list[str]], bool]:
    """Whether a table's reasons may be given: a reason is a bound on the count of its
    table's (first) measure, audited with everything released (``Released.told``)."""
    return lambda value, groups, reasons: released.told(measure(value), groups, reasons, k)
