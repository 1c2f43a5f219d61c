"""Experienced quality K = L / F: delivery (L) relative to expectation (F); K >= 1 is good.

Per topic, K is the mean experience over the mean expectation of the respondents who rated
both, so numerator and denominator describe the same people. Per dimension, the topics'
answers are pooled the same way: K = sum of L / sum of F over every answered pair.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from survey.questionnaire.model import Questionnaire
from survey.scoring.breakdown import roll_up
from survey.scoring.likert import hide
from survey.scoring.linked import Released


def quality_scores(
    questionnaire: Questionnaire,
    frame: pd.DataFrame,
    by: Sequence[str],
    min_group_size: int,
    released: Released | None = None,
) -> pd.DataFrame:
    """One row per group × topic and group × dimension (margins included): ``kind``
    ("pair" or "dimension"), ``id``, n, mean expectation, mean experience, ``k``."""
    columns = [*by, "kind", "id", "n", "expectation", "experience", "k", "suppressed", "reason"]
    tables = []
    for kind, people in quality_people(questionnaire, frame, by):
        how = dict.fromkeys(["n", "f", "l", "pairs"], "sum")
        table = roll_up(people, by, ["id"], how)
        table["expectation"] = table["f"] / table["pairs"]
        table["experience"] = table["l"] / table["pairs"]
        table["k"] = table["l"] / table["f"]
        table = table.drop(columns=["f", "l", "pairs"])
        table = hide(table, by, "id", min_group_size, released, f"quality:{kind}:{{}}".format)
        tables.append(table.assign(kind=kind))
    if not tables:
        return pd.DataFrame(columns=columns)
    return pd.concat(tables, ignore_index=True)[columns]


def quality_people(
    questionnaire: Questionnaire, frame: pd.DataFrame, by: Sequence[str]
) -> list[tuple[str, pd.DataFrame]]:
    """Per kind ("pair", "dimension"), one row per respondent and topic (or dimension,
    in ``id``) they rated both ways: their sums of expectation ``f`` and experience ``l``,
    the number of ``pairs`` and ``n`` 1."""
    pairs = questionnaire.quality_pairs
    if not pairs:
        return []
    wanted = [i.id for p in pairs for i in (p.expectation, p.experience)]
    scored = frame[frame["item"].isin(wanted)].dropna(subset=["point"])
    wide = scored.pivot_table(
        index=["respondent", *by], columns="item", values="point", observed=True
    ).reset_index()
    parts = []
    for pair in pairs:
        expected, experienced = wide.get(pair.expectation.id), wide.get(pair.experience.id)
        if expected is None or experienced is None:
            continue
        both = expected.notna() & experienced.notna()
        part = wide.loc[both, ["respondent", *by]].assign(f=expected[both], l=experienced[both])
        parts.append(part.assign(pair=pair.id, dimension=pair.dimension))
    if not parts:
        return []
    answered = pd.concat(parts, ignore_index=True).assign(pairs=1)
    dimensions = list(dict.fromkeys(p.dimension for p in pairs if p.dimension))
    found = []
    for kind, ids in (("pair", [p.id for p in pairs]), ("dimension", dimensions)):
        if not ids:
            continue  # no pair declares a dimension
        people = (
            answered.dropna(subset=[kind])
            .groupby(["respondent", *by, kind], observed=True)[["f", "l", "pairs"]]
            .sum()
            .reset_index()
            .assign(n=1)
        )
        people["id"] = pd.Categorical(people[kind], categories=ids)
        found.append((kind, people))
    return found
