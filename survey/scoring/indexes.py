"""Index scores: a respondent's mean over an index's items, then the mean over respondents.

A respondent gets an index score only when they answered at least the index's
``min_answered`` items (not-scored answers do not count); reverse-coded items are mirrored
first (2 -> 5 on a 1-6 scale) so that a high score is always favourable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from survey.questionnaire.model import Questionnaire
from survey.scoring.breakdown import roll_up
from survey.scoring.likert import hide
from survey.scoring.linked import Released


def respondent_index_scores(
    questionnaire: Questionnaire, frame: pd.DataFrame, by: Sequence[str]
) -> pd.DataFrame:
    """One row per respondent × index with the respondent's score (NaN if too few items)."""
    scored = frame.dropna(subset=["point"])
    parts = []
    for index in questionnaire.indexes:
        rows = scored[scored["item"].isin([item.id for item in index.items])].copy()
        reverse = rows["item"].isin([item.id for item in index.items if item.reverse])
        scale = index.items[0].scale
        rows.loc[reverse, "point"] = scale.low + scale.high - rows.loc[reverse, "point"]
        grouped = rows.groupby(["respondent", *by], observed=True)["point"]
        per_person = pd.DataFrame({"answered": grouped.size(), "score": grouped.mean()})
        per_person.loc[per_person["answered"] < index.min_answered, "score"] = np.nan
        per_person["index"] = index.id
        parts.append(per_person.reset_index())
    if not parts:
        return pd.DataFrame(columns=["respondent", *by, "answered", "score", "index"])
    people = pd.concat(parts, ignore_index=True)
    people["index"] = pd.Categorical(
        people["index"], categories=[index.id for index in questionnaire.indexes]
    )
    return people


def index_scores(
    questionnaire: Questionnaire,
    frame: pd.DataFrame,
    by: Sequence[str],
    min_group_size: int,
    released: Released | None = None,
    summary: bool = False,
) -> pd.DataFrame:
    """One row per group × index, margins included: n (respondents with a score), mean,
    sd, target and ``below_target``; suppressed the same way as item cells (``summary``:
    as means shown without their counts, ``likert.item_scores``)."""
    people = respondent_index_scores(questionnaire, frame, by).dropna(subset=["score"])
    finest = (
        people.assign(square=people["score"] ** 2, n=1)
        .groupby([*by, "index"], observed=True)[["n", "score", "square"]]
        .sum()
        .reset_index()
    )
    table = roll_up(finest, by, ["index"], {"n": "sum", "score": "sum", "square": "sum"})
    n = table["n"].astype(float)
    table["mean"] = table["score"] / n
    variance = (table["square"] - n * table["mean"] ** 2) / (n - 1)
    table["sd"] = np.sqrt(variance.clip(lower=0)).where(n > 1)
    table = table.drop(columns=["score", "square"])
    table = hide(table, by, "index", min_group_size, released, "index:{}".format, summed=summary)
    targets = {index.id: index.target for index in questionnaire.indexes}
    table["target"] = table["index"].map(targets).astype(float)
    table["below_target"] = table["mean"] < table["target"]
    return table
