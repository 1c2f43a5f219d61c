"""Item statistics compared with an independent plain-Python calculation."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from survey.questionnaire import load_questionnaire
from survey.questionnaire.answers import Answer
from survey.scoring.likert import item_scores, likert_frame
from survey.scoring.suppression import ALL
from tests.conftest import QUESTIONNAIRES

Q = load_questionnaire(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")
ROLES = ["ordforer", "radmann", "tillitsvalgt", "prosjektleder"]


def generated(seed: int, people: int = 400):
    rng = random.Random(seed)
    respondents = []
    for _ in range(people):
        role = rng.choices(ROLES, weights=[1, 1, 6, 3])[0]
        unit = rng.choice(["Levanger", "Verdal", "Steinkjer"])
        answers = {}
        for item in Q.items:
            roll = rng.random()
            if roll < 0.08:
                continue  # item non-response
            answers[item.id] = Answer("vet_ikke" if roll < 0.12 else rng.randint(1, 6))
        respondents.append(({"role": role, "unit": unit}, answers))
    return respondents


def expected(respondents, by, item_id, key):
    """The answers of the respondents in one cell or margin (ALL matches every value)."""
    cell = {"points": [], "not_scored": 0}
    for groups, answers in respondents:
        answer = answers.get(item_id)
        if answer is None or any(v not in (ALL, groups[b]) for b, v in zip(by, key, strict=True)):
            continue
        if isinstance(answer.value, int):
            cell["points"].append(answer.value)
        else:
            cell["not_scored"] += 1
    return cell


@pytest.mark.parametrize("by", [["role"], ["unit"], ["role", "unit"]])
def test_every_figure_matches_an_independent_calculation(by):
    respondents = generated(seed=len(by))
    frame = likert_frame(Q, respondents, by)
    table = item_scores(Q, frame, by, min_group_size=5)
    checked = 0
    for _, row in table.iterrows():
        cell = expected(respondents, by, row["item"], tuple(row[b] for b in by))
        points = cell["points"]
        if row["suppressed"]:
            assert math.isnan(row["mean"]) and math.isnan(row["n"])
            continue
        assert len(points) >= 5
        assert row["n"] == len(points)
        assert row["mean"] == pytest.approx(statistics.fmean(points))
        assert row["sd"] == pytest.approx(statistics.stdev(points))
        assert row["median"] == pytest.approx(statistics.median(points))
        for p in range(1, 7):
            assert row[f"share_{p}"] == pytest.approx(points.count(p) / len(points))
        assert row["favourable"] == pytest.approx(sum(p >= 5 for p in points) / len(points))
        assert row["unfavourable"] == pytest.approx(sum(p <= 2 for p in points) / len(points))
        assert row["not_scored"] == cell["not_scored"]
        checked += 1
    assert checked > 20
    # every item has its total first, then a row per margin and per cell
    first = table.groupby("item", observed=True).head(1)
    assert (first[by] == ALL).all().all() and len(first) == len(Q.items)


def test_a_group_of_four_is_suppressed_and_its_neighbour_too():
    respondents = generated(seed=7, people=60)
    # exactly four mayors, all answering q5 with 6
    respondents = [r for r in respondents if r[0]["role"] != "ordforer"][:56]
    respondents += [({"role": "ordforer", "unit": "Levanger"}, {"q5": Answer(6)})] * 4
    table = item_scores(Q, likert_frame(Q, respondents, ["role"]), ["role"], 5)
    q5 = table[table["item"] == "q5"].set_index("role")
    assert q5.loc["ordforer", "suppressed"] and math.isnan(q5.loc["ordforer", "mean"])
    assert q5["suppressed"].sum() >= 2  # the complementary cell
