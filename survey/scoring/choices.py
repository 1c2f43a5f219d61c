"""Choice and number questions per group: counts, shares and simple statistics.

A single choice's shares are of those who answered it. A multiple choice's shares are of
those who *saw* it (its audience and conditions let them), because a respondent who ticks
nothing has still said "none of these"; shares of a multiple choice may add up to more
than 100 %. "Specify" numbers (e.g. "frikjøpt __ %") are described like number questions.

Numbers are described by n, mean, sd and median, never by their minimum or maximum: those
are single people's answers (the one mayor whose project leader is 100 % bought out), and
suppressing small groups does not help, since the largest value of a big group is still
one person's. The median is one person's value too (or the mean of two), so it is shown only
for groups of at least ``MEDIAN_FACTOR`` times the minimum group size, where it is one of
many equal or nearby values more than one person's; below that it is left out, while n,
mean and sd remain. (Likert medians come from counts per scale point that are released
anyway, so they add nothing and are not limited here.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from survey.questionnaire.model import ChoiceQuestion, NumberQuestion, Question, Questionnaire
from survey.questionnaire.visibility import visible_questions
from survey.scoring.breakdown import as_categories, group_key, roll_up
from survey.scoring.likert import Respondent, hide
from survey.scoring.linked import Released
from survey.scoring.suppression import Distribution, Printed

MEDIAN_FACTOR = 2


def seen_questions(questionnaire: Questionnaire, respondent: Respondent) -> set[str]:
    """The questions this respondent was shown, by the same rules the web form used."""
    groups, answers = respondent
    values = {answer_id: answer.value for answer_id, answer in answers.items()}
    return {q.id for q in visible_questions(questionnaire, groups.get("role"), values)}


def choice_tables(
    questionnaire: Questionnaire,
    respondents: Sequence[Respondent],
    by: Sequence[str],
    min_group_size: int,
    released: Released | None = None,
) -> pd.DataFrame:
    """One row per group × choice question × option (margins included): ``count``, ``n``
    (answered, or saw for a multiple choice), ``share`` and ``suppressed``; hidden also
    where the groups ``released`` before demand it (``scoring.linked``).

    A shown group prints each option's count, so what a small group chose is audited like
    its count (``suppression.Distribution``): Kommune B's 3 of 13 "ja" beside the mayors'
    5 of 8 left at least 2 to Kommune A's two mayors, both of them, in a table whose
    counts alone were safe. A single choice's points are its options; a multiple choice's
    are the patterns of ticks its respondents made, each option every pattern holding it
    (``choice_points``)."""
    questions = [q for q in questionnaire.questions if isinstance(q, ChoiceQuestion)]
    base, chosen = choice_bases(questionnaire, respondents, by)
    points = choice_points(questions, base)
    width = max((len(p) for p in points.values()), default=0)
    columns = [f"point_{i}" for i in range(width)]
    place = {
        (q, pattern): i for q, patterns in points.items() for i, pattern in enumerate(patterns)
    }
    at = [
        place.get((q, pattern))
        for q, pattern in zip(base["question"], base["pattern"], strict=True)
    ]
    ones = np.zeros((len(base), width), dtype=int)
    for row, (i, counted) in enumerate(zip(at, base["n"], strict=True)):
        if i is not None and counted:
            ones[row, i] = 1
    base = pd.concat([base, pd.DataFrame(ones, columns=columns, index=base.index)], axis=1)
    groups = roll_up(base, by, ["question"], {"n": "sum", **{c: "sum" for c in columns}})
    readings = {q.id: _reading(q, points.get(q.id, []), width) for q in questions}
    distribution = Distribution(
        columns, lambda q: readings[str(q)][0], lambda q: readings[str(q)][1]
    )
    groups = hide(
        groups,
        by,
        "question",
        min_group_size,
        released,
        "choice:{}".format,
        distribution=distribution,
    ).drop(columns=columns)
    picks = pd.DataFrame.from_records(chosen, columns=[*by, "question", "code"])
    counts = _count_per_level(picks, base, by)
    options = pd.DataFrame(
        [(q.id, c.code) for q in questions for c in q.choices], columns=["question", "code"]
    )
    # merges keep the left order: per question the total first, each group's options in turn
    table = groups.astype({"question": str}).merge(options, on="question")
    table = table.merge(counts, on=[*by, "question", "code"], how="left")
    table["count"] = table["count"].fillna(0).astype(float)
    table.loc[table["suppressed"], "count"] = np.nan
    table["share"] = table["count"] / table["n"]
    return table[[*by, "question", "code", "count", "n", "share", "suppressed", "reason"]]


NONE = ""
"""The pattern of a multiple choice seen and left blank ("none of these")."""


def choice_points(questions: Sequence[ChoiceQuestion], base: pd.DataFrame) -> dict[str, list[str]]:
    """Each question's points: a single choice's options in order, a multiple choice's
    patterns of ticks (codes joined by "+", ``NONE`` for none) that its counted
    respondents made, in order. A pattern nobody made is left out, as if an attacker knew
    nobody made it: that can only find more."""
    found: dict[str, list[str]] = {}
    for question in questions:
        if not question.multiple:
            found[question.id] = [c.code for c in question.choices]
            continue
        made = base.loc[(base["question"] == question.id) & (base["n"] > 0), "pattern"]
        found[question.id] = sorted(set(made))
    return found


def choice_reading(
    question: ChoiceQuestion, patterns: Sequence[str]
) -> tuple[list[list[float]], list[list[float]]]:
    """What a shown group of a choice prints of its counts per point (``choice_points``):
    each option's count exactly, as weights over the points; and the options as unions of
    points audited beside each point (``audit.Points.targets``): a multiple choice's, as
    a single choice's options are its points."""
    if not question.multiple:
        return [[float(i == p) for i in range(len(patterns))] for p in range(len(patterns))], []
    options = [
        [float(c.code in pattern.split("+")) for pattern in patterns] for c in question.choices
    ]
    return options, options


def _reading(
    question: ChoiceQuestion, patterns: Sequence[str], width: int
) -> tuple[Printed, list[list[float]]]:
    """``choice_reading`` over ``width`` points, those past the question's own shown as 0,
    as the table's suppression reads it."""
    rows, options = choice_reading(question, patterns)
    padding = [0.0] * (width - len(patterns))
    exact = [[*row, *padding] for row in rows]
    exact += [[float(i == p) for i in range(width)] for p in range(len(patterns), width)]
    targets = [[*option, *padding] for option in options]

    def printed(vector: Sequence[int]) -> list[tuple[Sequence[float], float, float]]:
        values = [float(np.dot(weights, vector)) for weights in exact]
        return [(tuple(w), v, v) for w, v in zip(exact, values, strict=True)]

    return printed, targets


def choice_bases(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], by: Sequence[str]
) -> tuple[pd.DataFrame, list[tuple[str, ...]]]:
    """Who counts in each choice question's n (a row per respondent and question they
    answered, or saw for a multiple choice, with ``n`` 1 or 0, and the ``pattern`` of
    codes they chose, in the form's order, joined by "+": the same in every process, as a
    set's order is not) and every pick as (group values, question, code)."""
    questions = [q for q in questionnaire.questions if isinstance(q, ChoiceQuestion)]
    bases: list[tuple[str | int, ...]] = []
    chosen: list[tuple[str, ...]] = []
    for respondent in respondents:
        keys = group_key(respondent[0], by)
        seen = _seen(questionnaire, questions, respondent)
        for question in questions:
            answer = respondent[1].get(question.id)
            if question.id not in seen and answer is None:
                continue
            counted = question.multiple or answer is not None
            ticked = question.chosen(answer.value) if answer is not None else frozenset()
            codes = [code for code in question.codes if code in ticked]  # the form's order
            bases.append((*keys, question.id, int(counted), "+".join(codes)))
            chosen.extend((*keys, question.id, code) for code in codes)
    base = as_categories(
        pd.DataFrame.from_records(bases, columns=[*by, "question", "n", "pattern"]),
        by,
        questionnaire,
    )
    base["question"] = pd.Categorical(base["question"], categories=[q.id for q in questions])
    return base, chosen


def _seen(
    questionnaire: Questionnaire, questions: Sequence[Question], respondent: Respondent
) -> set[str]:
    """Visibility is evaluated only when some question could have been hidden."""
    if all(_unconditional(questionnaire, q) for q in questions):
        return {q.id for q in questions}
    return seen_questions(questionnaire, respondent)


def _unconditional(questionnaire: Questionnaire, question: Question) -> bool:
    page = next(p for p in questionnaire.pages if p.id == question.page_id)
    conditions = (question.audience, question.show_if, page.audience, page.show_if)
    return all(condition is None for condition in conditions)


def _count_per_level(picks: pd.DataFrame, base: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    for name in by:
        picks[name] = pd.Categorical(picks[name], categories=base[name].cat.categories)
    picks["code"] = picks["code"].astype(str)
    picks["count"] = 1
    return roll_up(picks, by, ["question", "code"], {"count": "sum"}).astype({"question": str})


def number_tables(
    questionnaire: Questionnaire,
    respondents: Sequence[Respondent],
    by: Sequence[str],
    min_group_size: int,
    released: Released | None = None,
) -> pd.DataFrame:
    """One row per group × number (a number question, or a choice's "specify" number):
    n, mean, sd and median (see the module's docstring for what is never released).
    ``code`` is the choice for a specify number."""
    columns = [*by, "question", "code", "n", "mean", "sd", "median", "suppressed", "reason"]
    order = number_order(questionnaire)
    records = number_records(questionnaire, respondents, by, order)
    if not records:
        return pd.DataFrame(columns=columns)
    raw = pd.DataFrame.from_records(records, columns=[*by, "question", "code", "value"])
    raw = as_categories(raw, by, questionnaire)
    raw["number"] = pd.Categorical(
        raw["question"] + ":" + raw["code"], categories=[f"{q}:{c}" for q, c in order]
    )
    how = {f: ("value", f) for f in ("count", "mean", "std", "median")}
    table = roll_up(raw, by, ["number"], how).rename(columns={"count": "n", "std": "sd"})
    table = hide(table, by, "number", min_group_size, released, number_measure)
    table.loc[table["n"] < MEDIAN_FACTOR * min_group_size, "median"] = np.nan
    table[["question", "code"]] = table["number"].astype(str).str.split(":", n=1, expand=True)
    return table[columns]


def number_order(questionnaire: Questionnaire) -> list[tuple[str, str]]:
    """Every number in reading order: (question, "") for a number question, (question,
    choice) for a choice's "specify" number."""
    order = [
        (q.id, c.code)
        for q in questionnaire.questions
        for c in q.detail_choices
        if c.specify is not None and c.specify.kind == "number"
    ] + [(q.id, "") for q in questionnaire.questions if isinstance(q, NumberQuestion)]
    rank = {q.id: i for i, q in enumerate(questionnaire.questions)}
    order.sort(key=lambda number: rank[number[0]])  # stable: choices stay in their order
    return order


def number_records(
    questionnaire: Questionnaire,
    respondents: Sequence[Respondent],
    by: Sequence[str],
    order: Sequence[tuple[str, str]],
) -> list[tuple[object, ...]]:
    """Every number given, as (group values, question, choice code or "", value)."""
    wanted = set(order)
    numbers = {question_id for question_id, code in order if not code}
    records: list[tuple[object, ...]] = []
    for groups, answers in respondents:
        keys = group_key(groups, by)
        for answer_id, answer in answers.items():
            if answer_id in numbers and isinstance(answer.value, int | float):
                records.append((*keys, answer_id, "", float(answer.value)))
            for code, detail in answer.details.items():
                if (answer_id, code) in wanted and isinstance(detail, int | float):
                    records.append((*keys, answer_id, code, float(detail)))
    return records


def number_measure(number: object) -> str:
    """The ledger's name of a number ("q4:" for q4's own, "q2:annet" for a specify
    number): "number:q4", "number:q2:annet"."""
    return "number:" + str(number).removesuffix(":")
