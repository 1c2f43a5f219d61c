"""Change since an earlier round: shown only where both rounds show the cell.

A difference with a hidden figure would give the hidden figure back, so a change exists only
where both rounds show the cell; the expected changes are computed from the raw answers.
"""

from __future__ import annotations

import math
import random
import statistics

import pandas as pd
import pytest

from survey.questionnaire import load_questionnaire
from survey.questionnaire.answers import Answer
from survey.scoring.choices import choice_tables
from survey.scoring.compare import with_change
from survey.scoring.indexes import index_scores
from survey.scoring.likert import item_scores, likert_frame
from survey.scoring.suppression import ALL
from tests.conftest import QUESTIONNAIRES

Q = load_questionnaire(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")
K = 5
UNITS = ["Levanger", "Verdal", "Steinkjer"]


def generated(seed: int, sizes: dict[str, int]):
    """A round with a given number of respondents per role, answering q5-q13 and q10."""
    rng = random.Random(seed)
    respondents = []
    for role, people in sizes.items():
        for _ in range(people):
            answers = {"q1": Answer(role), "q10": Answer(rng.choice(["ja_internt", "nei"]))}
            for item in Q.items:
                if rng.random() < 0.9:
                    answers[item.id] = Answer(rng.randint(1, 6))
            respondents.append(({"role": role, "unit": rng.choice(UNITS)}, answers))
    return respondents


# the mayors are few in the earlier round, the rådmenn now (the eight "annet" are hidden
# with them, both times); no prosjektleder answered before
BEFORE = generated(1, {"ordforer": 3, "radmann": 12, "tillitsvalgt": 40, "annet": 8})
NOW = generated(
    2, {"ordforer": 14, "radmann": 3, "tillitsvalgt": 45, "prosjektleder": 20, "annet": 8}
)


def key_of(row, by):
    return tuple(row[b] for b in by)


def mean_of(respondents, by, key, item):
    points = [
        answers[item].value
        for groups, answers in respondents
        if item in answers and all(v in (ALL, groups[b]) for b, v in zip(by, key, strict=True))
    ]
    return statistics.fmean(points)


def same(a, b) -> bool:
    return (a == b) or (
        isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    )


@pytest.mark.parametrize("by", [["role"], ["role", "unit"]])
def test_item_changes_exist_only_where_both_rounds_show_the_cell(by):
    now = item_scores(Q, likert_frame(Q, NOW, by), by, K)
    before = item_scores(Q, likert_frame(Q, BEFORE, by), by, K)
    merged = with_change(now, before, by, "item")
    # now's table, unchanged and in its order, with three more columns
    assert list(merged.columns) == [*now.columns, "before", "before_n", "change"]
    assert len(merged) == len(now)
    for column in now.columns:
        assert all(same(a, b) for a, b in zip(merged[column], now[column], strict=True)), column
    assert isinstance(merged["item"].dtype, pd.CategoricalDtype)
    assert list(merged["item"].cat.categories) == [i.id for i in Q.items]
    earlier = {(*key_of(row, by), row["item"]): row for _, row in before.iterrows()}
    changes = hidden = 0
    for _, row in merged.iterrows():
        then = earlier.get((*key_of(row, by), row["item"]))
        shown_then = then is not None and not then["suppressed"]
        if not shown_then:
            assert math.isnan(row["before"]) and math.isnan(row["before_n"])
        else:
            assert row["before_n"] == then["n"]  # the count behind the earlier figure
        if row["suppressed"] or not shown_then:
            assert math.isnan(row["change"])
            hidden += 1
            continue
        key = key_of(row, by)
        expected = mean_of(NOW, by, key, row["item"]) - mean_of(BEFORE, by, key, row["item"])
        assert row["before"] == pytest.approx(mean_of(BEFORE, by, key, row["item"]))
        assert row["change"] == pytest.approx(expected)
        changes += 1
    assert changes >= len(Q.items) and hidden >= len(Q.items)
    if by == ["role"]:
        per_role = merged[merged["item"] == "q5"].set_index("role")
        assert not math.isnan(per_role.loc[ALL, "change"])
        assert not math.isnan(per_role.loc["tillitsvalgt", "change"])
        # hidden before; hidden now; absent before
        assert math.isnan(per_role.loc["ordforer", "change"])
        assert not math.isnan(per_role.loc["ordforer", "mean"])
        assert math.isnan(per_role.loc["radmann", "change"])
        assert not math.isnan(per_role.loc["radmann", "before"])
        assert math.isnan(per_role.loc["prosjektleder", "before"])
        assert math.isnan(per_role.loc["prosjektleder", "change"])
        assert not math.isnan(per_role.loc["prosjektleder", "mean"])


def test_index_changes():
    now = index_scores(Q, likert_frame(Q, NOW, ["role"]), ["role"], K)
    before = index_scores(Q, likert_frame(Q, BEFORE, ["role"]), ["role"], K)
    merged = with_change(now, before, ["role"], "index").set_index("role")
    for role in (ALL, "tillitsvalgt"):
        assert merged.loc[role, "change"] == pytest.approx(
            merged.loc[role, "mean"] - before.set_index("role").loc[role, "mean"]
        )
    for role in ("ordforer", "radmann", "prosjektleder", "annet"):
        assert math.isnan(merged.loc[role, "change"])


def test_choice_share_changes_per_option():
    now = choice_tables(Q, NOW, ["role"], K)
    before = choice_tables(Q, BEFORE, ["role"], K)
    merged = with_change(now, before, ["role", "question"], "code", "share")
    q10 = merged[(merged["question"] == "q10") & (merged["code"] == "nei")].set_index("role")
    answered = {
        name: [a["q10"].value for g, a in people if g["role"] == "tillitsvalgt"]
        for name, people in (("now", NOW), ("before", BEFORE))
    }
    share = {name: codes.count("nei") / len(codes) for name, codes in answered.items()}
    assert q10.loc["tillitsvalgt", "change"] == pytest.approx(share["now"] - share["before"])
    assert math.isnan(q10.loc["ordforer", "change"]) and math.isnan(q10.loc["radmann", "change"])


def test_an_ambiguous_earlier_table_is_an_error_not_a_misaligned_one():
    now = item_scores(Q, likert_frame(Q, NOW, ["role"]), ["role"], K)
    before = item_scores(Q, likert_frame(Q, BEFORE, ["role"]), ["role"], K)
    twice = pd.concat([before, before], ignore_index=True)
    with pytest.raises(pd.errors.MergeError):
        with_change(now, twice, ["role"], "item")
