"""Likert item statistics per group: n, mean, sd, median, distribution, favourable share.

Not-scored answers ("vet ikke") are counted in their own column and never enter n, a mean
or a share. Reverse coding does not apply here: an item is reported as asked; indexes
reverse items before averaging.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from survey.questionnaire.answers import Answer
from survey.questionnaire.model import Questionnaire
from survey.scoring.suppression import mark_suppressed

Respondent = tuple[Mapping[str, str | None], Mapping[str, Answer]]
"""What scoring needs of a response: its group values (role, unit, ...) and its answers."""


def likert_frame(
    questionnaire: Questionnaire, respondents: Iterable[Respondent], by: Sequence[str]
) -> pd.DataFrame:
    """One row per Likert answer: respondent, group columns, item, point (NaN if not scored)
    and the not-scored code. Group and item columns are categorical, which makes the
    group-bys several times faster on national rounds."""
    items = {item.id for item in questionnaire.items}
    records = []
    for index, (groups, answers) in enumerate(respondents):
        keys = tuple(groups.get(name) for name in by)
        for item_id, answer in answers.items():
            if item_id not in items:
                continue
            value = answer.value
            point = float(value) if isinstance(value, int | float) else np.nan
            code = value if isinstance(value, str) else None
            records.append((index, *keys, item_id, point, code))
    frame = pd.DataFrame.from_records(
        records, columns=["respondent", *by, "item", "point", "not_scored"]
    )
    order = [item.id for item in questionnaire.items]
    frame["item"] = pd.Categorical(frame["item"], categories=order)
    for name in by:
        frame[name] = frame[name].astype("category")
    return frame


def item_scores(
    questionnaire: Questionnaire, frame: pd.DataFrame, by: Sequence[str], min_group_size: int
) -> pd.DataFrame:
    """One row per group × item with n, mean, sd, median, share per point, favourable and
    unfavourable shares (top/bottom two points), not-scored count and ``suppressed``.

    Suppressed rows keep their group and item but every figure is NaN, so no caller can
    print a hidden number by accident."""
    keys = [*by, "item"]
    scored = frame.dropna(subset=["point"])
    grouped = scored.groupby(keys, observed=True)["point"]
    table = pd.DataFrame(
        {
            "n": grouped.size(),
            "mean": grouped.mean(),
            "sd": grouped.std(ddof=1),
            "median": grouped.median(),
        }
    )
    scale = questionnaire.items[0].scale if questionnaire.items else None
    points = list(scale.values) if scale else []
    counts = scored.groupby([*keys, "point"], observed=True).size().unstack("point", fill_value=0)
    for point in points:
        column = counts[float(point)] if float(point) in counts.columns else 0
        table[f"share_{point}"] = column / table["n"]
    top, bottom = (scale.favourable, scale.unfavourable) if scale else ((), ())
    table["favourable"] = sum(table[f"share_{p}"] for p in top)
    table["unfavourable"] = sum(table[f"share_{p}"] for p in bottom)
    not_scored = frame[frame["point"].isna()].groupby(keys, observed=True).size()
    table["not_scored"] = not_scored.reindex(table.index, fill_value=0)
    table = table.reset_index()
    table["suppressed"] = mark_suppressed(table, by, "item", min_group_size)
    figures = [c for c in table.columns if c not in (*keys, "suppressed")]
    table[figures] = table[figures].astype(float)
    table.loc[table["suppressed"], figures] = np.nan
    return table
