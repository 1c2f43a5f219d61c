"""Index scores with reverse coding and a minimum of answered items, checked by hand."""

from __future__ import annotations

import math
import statistics

import pytest

from survey.questionnaire.answers import Answer
from survey.scoring.indexes import index_scores, respondent_index_scores
from survey.scoring.likert import likert_frame
from survey.scoring.suppression import ALL
from tests.conftest import lint

DOC = """
id: t
version: 1
title: T
scales:
  s:
    points: 6
    not_scored: [{code: vet_ikke, label: Vet ikke}]
pages:
  - id: p
    questions:
      - {id: a, type: likert, scale: s, text: A}
      - {id: b, type: likert, scale: s, text: B}
      - {id: c, type: likert, scale: s, text: C, reverse: true}
indexes:
  - {id: trivsel, label: Trivsel, items: [a, b, c], min_answered: 2, target: 4.5}
"""


def questionnaire():
    result = lint(DOC)
    assert result.ok, [str(p) for p in result.problems]
    return result.questionnaire


def test_reverse_coding_and_minimum_answered():
    q = questionnaire()
    people = [
        ({"unit": "x"}, {"a": Answer(6), "b": Answer(4), "c": Answer(2)}),  # (6+4+5)/3 = 5
        ({"unit": "x"}, {"a": Answer(3), "c": Answer(6)}),  # (3+1)/2 = 2
        ({"unit": "x"}, {"a": Answer(5), "b": Answer("vet_ikke")}),  # one item only: no score
    ]
    scores = respondent_index_scores(q, likert_frame(q, people, ["unit"]), ["unit"])
    by_person = scores.set_index("respondent")["score"]
    assert by_person[0] == pytest.approx(5.0)
    assert by_person[1] == pytest.approx(2.0)
    assert math.isnan(by_person[2])


def test_group_means_targets_and_suppression():
    q = questionnaire()
    people = [
        ({"unit": "stor"}, {"a": Answer(v), "b": Answer(v), "c": Answer(7 - v)})
        for v in (4, 5, 5, 6, 3, 4)
    ]
    people += [({"unit": "liten"}, {"a": Answer(6), "b": Answer(6)})] * 4
    people += [({"unit": "middels"}, {"a": Answer(4), "b": Answer(4)})] * 5
    table = index_scores(q, likert_frame(q, people, ["unit"]), ["unit"], 5).set_index("unit")
    assert table.loc["stor", "n"] == 6
    assert table.loc["stor", "mean"] == pytest.approx(statistics.fmean([4, 5, 5, 6, 3, 4]))
    assert not table.loc["stor", "below_target"]  # a mean of exactly 4.5 meets the target
    assert table.loc["liten", "suppressed"] and math.isnan(table.loc["liten", "mean"])
    # the four could be recovered from the total: the smallest other unit is hidden too
    assert table.loc["middels", "suppressed"] and not table.loc["stor", "suppressed"]
    everyone = [*[4, 5, 5, 6, 3, 4], *[6] * 4, *[4] * 5]
    assert table.loc[ALL, "n"] == 15
    assert table.loc[ALL, "mean"] == pytest.approx(statistics.fmean(everyone))
    assert table.loc[ALL, "sd"] == pytest.approx(statistics.stdev(everyone))
