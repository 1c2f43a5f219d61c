"""Choice and number tables compared with plain-Python counting on a generated 2009 round.

In the 2009 questionnaire q2-q4 are on a page only prosjektledere see; q3 is a multiple
choice, so its shares are of the prosjektledere who saw it (ticking nothing included), and
q4's "frikjøpt" option asks for a number.
"""

from __future__ import annotations

import math
import random
import statistics

import pytest

from survey.questionnaire import load_questionnaire
from survey.questionnaire.answers import Answer
from survey.questionnaire.model import ChoiceQuestion
from survey.scoring.choices import MEDIAN_FACTOR, choice_tables, number_tables
from survey.scoring.suppression import ALL, suppressed_groups, with_margins
from tests.conftest import QUESTIONNAIRES, lint
from tests.scoring.oracle import point_leaks

Q = load_questionnaire(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")
K = 5
ROLES = ["ordforer", "radmann", "tillitsvalgt", "prosjektleder", "annet"]
UNITS = ["Levanger", "Verdal", "Steinkjer", "Frosta"]
ONLY_PROSJEKTLEDER = {"q2", "q3", "q4"}  # the page "Kun prosjektleder", read off the YAML
CHANGES = ["skifte", "okt_frikjop", "redusert_frikjop"]
CODES = {q.id: list(q.codes) for q in Q.questions if isinstance(q, ChoiceQuestion)}
CHOICE_QUESTIONS = [q.id for q in Q.questions if q.type in ("single_choice", "multiple_choice")]


def test_the_questionnaire_is_what_these_tests_assume():
    page = next(p for p in Q.pages if p.id == "prosjektorganisering")
    assert page.audience == frozenset({"prosjektleder"})
    assert {q.id for q in page.questions} == ONLY_PROSJEKTLEDER
    assert [q.id for q in Q.questions if q.type == "multiple_choice"] == ["q3"]
    assert CHOICE_QUESTIONS == ["q1", "q2", "q3", "q4", "q9b", "q10", "q11a", "q11b"]


def generated(seed: int, people: int = 300):
    rng = random.Random(seed)
    respondents = []
    for _ in range(people):
        role = rng.choices(ROLES, weights=[1, 1, 5, 4, 0.1])[0]
        unit = rng.choices(UNITS, weights=[5, 4, 4, 0.15])[0]
        answers = {"q1": Answer(role, {"annet": "Kommunalsjef"} if role == "annet" else {})}
        if role == "prosjektleder":
            if rng.random() < 0.85:
                code = rng.choice(CODES["q2"])
                answers["q2"] = Answer(code, {"ja": "Ny leder"} if code == "ja" else {})
            roll = rng.random()
            if roll < 0.15:
                pass  # saw q3 and ticked nothing
            elif roll < 0.3:
                answers["q3"] = Answer(frozenset({"ingen_endringer"}))
            else:
                answers["q3"] = Answer(frozenset(rng.sample(CHANGES, rng.randint(1, 3))))
            if rng.random() < 0.9:
                code = rng.choice(CODES["q4"])
                number = code == "frikjopt" and rng.random() < 0.85
                details = {"frikjopt": float(rng.randint(0, 100))} if number else {}
                answers["q4"] = Answer(code, details)
        for question in ("q9b", "q10", "q11a", "q11b"):
            if rng.random() < 0.88:
                answers[question] = Answer(rng.choice(CODES[question]))
        answers["q5"] = Answer(rng.randint(1, 6))  # Likert answers are no choice
        respondents.append(({"role": role, "unit": unit}, answers))
    return respondents


def key_of(groups, by):
    return tuple(groups[b] for b in by)


def member(groups, by, key) -> bool:
    """Whether a respondent belongs to a cell or margin (ALL matches every value)."""
    return all(v in (ALL, groups[b]) for b, v in zip(by, key, strict=True))


def saw(groups, question: str) -> bool:
    return question not in ONLY_PROSJEKTLEDER or groups["role"] == "prosjektleder"


def base(respondents, by, question, key) -> list:
    """The answers a cell's shares are of: a single choice's answered codes; for the
    multiple choice, the set of codes ticked by everyone who saw it (empty if nothing)."""
    if question == "q3":
        return [
            answers["q3"].value if "q3" in answers else frozenset()
            for groups, answers in respondents
            if member(groups, by, key) and saw(groups, "q3")
        ]
    return [
        answers[question].value
        for groups, answers in respondents
        if member(groups, by, key) and question in answers
    ]


def finest_counts(respondents, by, question) -> dict:
    """n per finest cell, for every group someone in it was shown the question (a group
    that saw a single choice but left it blank is a cell with n = 0)."""
    counts: dict = {}
    for groups, answers in respondents:
        if saw(groups, question):
            key = key_of(groups, by)
            counted = question == "q3" or question in answers
            counts[key] = counts.get(key, 0) + int(counted)
    return counts


@pytest.mark.parametrize("by", [["role"], ["unit"], ["role", "unit"]])
def test_counts_and_shares_match_plain_counting(by):
    respondents = generated(seed=11 + len(by))
    table = choice_tables(Q, respondents, by, K)
    assert list(table.columns) == [
        *by,
        "question",
        "code",
        "count",
        "n",
        "share",
        "suppressed",
        "reason",
    ]
    assert list(dict.fromkeys(table["question"])) == CHOICE_QUESTIONS
    checked = hidden_rows = 0
    for question in CHOICE_QUESTIONS:
        rows = table[table["question"] == question]
        counts = finest_counts(respondents, by, question)
        secret = suppressed_groups(counts, K)
        # every cell and margin of the groups that saw it, each with every option in order
        keys = [key_of(row, by) for _, row in rows.iterrows()]
        assert set(keys) == set(with_margins(counts))
        assert keys[0] == (ALL,) * len(by)  # the total comes first
        for start in range(0, len(rows), len(CODES[question])):
            block = rows.iloc[start : start + len(CODES[question])]
            assert list(block["code"]) == CODES[question]
            assert len({key_of(row, by) for _, row in block.iterrows()}) == 1
        for _, row in rows.iterrows():
            key = key_of(row, by)
            assert row["suppressed"] >= (key in secret)  # the options may hide more
            if row["suppressed"]:
                assert math.isnan(row["count"]) and math.isnan(row["n"])
                assert math.isnan(row["share"])
                hidden_rows += 1
                continue
            answers = base(respondents, by, question, key)
            if question == "q3":
                count = sum(row["code"] in codes for codes in answers)
            else:
                count = sum(code == row["code"] for code in answers)
            assert len(answers) >= K
            assert row["n"] == len(answers)
            assert row["count"] == count
            assert row["share"] == pytest.approx(count / len(answers))
            checked += 1
    assert checked > 50 and hidden_rows > 0


def test_only_prosjektledere_are_counted_for_their_page():
    table = choice_tables(Q, generated(seed=3), ["role"], K)
    for question in ONLY_PROSJEKTLEDER:
        roles = set(table.loc[table["question"] == question, "role"])
        assert roles == {ALL, "prosjektleder"}
    assert {"ordforer", "tillitsvalgt"} <= set(table.loc[table["question"] == "q10", "role"])


def hand_made():
    """Seven prosjektledere and six others in one unit, with known answers."""
    people = []
    q3 = [{"skifte"}, {"skifte"}, {"skifte", "okt_frikjop"}, None, None, {"ingen_endringer"}, None]
    q4 = ["frikjopt", "frikjopt", "ikke_frikjopt", "annet", "frikjopt", None, None]
    for ticked, code in zip(q3, q4, strict=True):
        answers = {"q1": Answer("prosjektleder")}
        if ticked is not None:
            answers["q3"] = Answer(frozenset(ticked))
        if code is not None:
            answers["q4"] = Answer(code)
        people.append(({"role": "prosjektleder", "unit": "Levanger"}, answers))
    people += [({"role": "tillitsvalgt", "unit": "Levanger"}, {"q1": Answer("tillitsvalgt")})] * 6
    return people


def test_a_multiple_choice_share_is_of_those_who_saw_it():
    table = choice_tables(Q, hand_made(), ["role"], K)
    q3 = table[(table["question"] == "q3") & (table["role"] == "prosjektleder")]
    q3 = q3.set_index("code")
    # seven saw q3 (three ticked nothing); the six tillitsvalgte never saw it
    assert (q3["n"] == 7).all()
    assert q3.loc["skifte", "count"] == 3 and q3.loc["skifte", "share"] == pytest.approx(3 / 7)
    assert q3.loc["okt_frikjop", "share"] == pytest.approx(1 / 7)
    assert q3.loc["redusert_frikjop", "count"] == 0
    assert q3.loc["ingen_endringer", "share"] == pytest.approx(1 / 7)
    total = table[(table["question"] == "q3") & (table["role"] == ALL)]
    assert (total["n"] == 7).all()


def test_a_single_choice_share_is_of_those_who_answered_it():
    table = choice_tables(Q, hand_made(), ["role"], K)
    q4 = table[(table["question"] == "q4") & (table["role"] == "prosjektleder")]
    q4 = q4.set_index("code")
    # five of the seven answered q4: shares of five, adding up to one
    assert (q4["n"] == 5).all()
    assert q4.loc["frikjopt", "share"] == pytest.approx(3 / 5)
    assert q4["share"].sum() == pytest.approx(1.0)
    q1 = table[(table["question"] == "q1") & (table["role"] == ALL)].set_index("code")
    assert q1.loc["prosjektleder", "count"] == 7 and q1.loc["tillitsvalgt", "count"] == 6
    assert q1.loc["prosjektleder", "share"] == pytest.approx(7 / 13)


def test_a_small_group_is_hidden_in_a_choice_table_with_its_complement():
    people = (
        hand_made() + [({"role": "ordforer", "unit": "Verdal"}, {"q1": Answer("ordforer")})] * 2
    )
    table = choice_tables(Q, people, ["role"], K)
    q1 = table[table["question"] == "q1"]
    hidden = set(q1.loc[q1["suppressed"], "role"])
    # two mayors, and the six tillitsvalgte so the two cannot be had from the total
    assert hidden == {"ordforer", "tillitsvalgt"}
    assert q1.loc[q1["suppressed"], ["count", "n", "share"]].isna().all().all()
    assert q1.loc[q1["role"] == ALL, "n"].iloc[0] == 15


@pytest.mark.parametrize("by", [["role"], ["unit"], ["role", "unit"]])
def test_specify_numbers_match_plain_statistics(by):
    respondents = generated(seed=22)
    table = number_tables(Q, respondents, by, K)
    assert set(zip(table["question"], table["code"], strict=True)) == {("q4", "frikjopt")}
    numbers: dict = {}
    for groups, answers in respondents:
        if "q4" in answers and "frikjopt" in answers["q4"].details:
            key = key_of(groups, by)
            numbers.setdefault(key, []).append(answers["q4"].details["frikjopt"])
    sizes = {key: len(values) for key, values in numbers.items()}
    secret = suppressed_groups(sizes, K)
    assert {key_of(row, by) for _, row in table.iterrows()} == set(with_margins(sizes))
    assert key_of(table.iloc[0], by) == (ALL,) * len(by)
    checked = 0
    figures = ["n", "mean", "sd", "median"]
    for _, row in table.iterrows():
        key = key_of(row, by)
        assert row["suppressed"] == (key in secret)
        if row["suppressed"]:
            assert all(math.isnan(row[f]) for f in figures)
            continue
        values = [
            v
            for k, vs in numbers.items()
            if member(dict(zip(by, k, strict=True)), by, key)
            for v in vs
        ]
        assert len(values) >= K
        assert row["n"] == len(values)
        assert row["mean"] == pytest.approx(statistics.fmean(values))
        assert row["sd"] == pytest.approx(statistics.stdev(values))
        if len(values) >= MEDIAN_FACTOR * K:
            assert row["median"] == pytest.approx(statistics.median(values))
        else:  # one or two people's values in a group this small
            assert math.isnan(row["median"])
        assert "min" not in row and "max" not in row  # single people's answers
        checked += 1
    assert checked >= 2
    # only prosjektledere saw q4, so by role nothing is small; by unit Frosta is
    assert table["suppressed"].any() == (by != ["role"])


def test_no_numbers_give_an_empty_table_not_an_error():
    people = [({"role": "radmann", "unit": "Verdal"}, {"q1": Answer("radmann")})] * 6
    for by in ([], ["role"]):
        table = number_tables(Q, people, by, K)
        assert table.empty
        assert list(table.columns) == [*by, "question", "code", "n", "mean", "sd", "median"] + [
            "suppressed",
            "reason",
        ]


NUMBERS = """
id: t
version: 1
title: T
pages:
  - id: p
    questions:
      - id: stilling
        type: single_choice
        text: Stilling
        choices:
          - {code: hel, label: Hel}
          - {code: deltid, label: Deltid, specify: {type: number, min: 1, max: 99}}
      - {id: timer, type: number, text: Timer, max: 80, integer: false}
"""


def test_numbers_come_in_questionnaire_order_whoever_answered_first():
    result = lint(NUMBERS)
    assert result.ok, [str(p) for p in result.problems]
    q = result.questionnaire
    people = [({"unit": "x"}, {"timer": Answer(37.5)})] * 3  # the first answers: timer only
    people += [
        ({"unit": "x"}, {"timer": Answer(float(t)), "stilling": Answer("deltid", {"deltid": p})})
        for t, p in [(20, 50.0), (30, 80.0), (15, 40.0), (25, 60.0), (10, 20.0)]
    ]
    table = number_tables(q, people, [], K)
    assert list(zip(table["question"], table["code"], strict=True)) == [
        ("stilling", "deltid"),
        ("timer", ""),
    ]
    assert table["n"].tolist() == [5, 8]
    assert table.iloc[0]["mean"] == pytest.approx(statistics.fmean([50, 80, 40, 60, 20]))
    # 8 answers, under twice the minimum of 5: no median, which would be one or two of them
    assert math.isnan(table.iloc[1]["median"])
    assert table.iloc[1]["mean"] == pytest.approx(
        statistics.fmean([37.5] * 3 + [20, 30, 15, 25, 10])
    )


SKIFTE, BOTH, NONE = {"skifte"}, {"skifte", "okt_frikjop"}, set()
TICKED = {  # (unit, pulje): what each prosjektleder ticked in q3
    ("A", "1"): [SKIFTE, BOTH],
    ("B", "1"): [SKIFTE, BOTH, SKIFTE, NONE, NONE, {"ingen_endringer"}],
    ("A", "2"): [SKIFTE, SKIFTE, BOTH, NONE, NONE, NONE, NONE, {"ingen_endringer"}],
    ("B", "2"): [NONE] * 7,
}


def test_a_multiple_choices_options_give_no_small_group_away():
    """The crossed pattern of ``tests/confidentiality/test_choice_options.py`` in a multiple
    choice: "skifte" is ticked by 5 of pulje 1's 8, 5 of unit A's 10 and 3 of unit B's
    13, so A's two in pulje 1 both ticked it, whatever else they ticked. Judged by the
    oracle over the patterns of ticks, each option a union of them."""
    people = [
        ({"role": "prosjektleder", "unit": unit, "pulje": pulje}, {"q3": Answer(frozenset(t))})
        for (unit, pulje), ticks in TICKED.items()
        for t in ticks
    ]
    by = ["unit", "pulje"]
    table = choice_tables(Q, people, by, K)
    q3 = table[table["question"] == "q3"]
    patterns = sorted(
        {"+".join(c for c in CODES["q3"] if c in t) for v in TICKED.values() for t in v}
    )
    counts = {
        cell: [
            sum("+".join(c for c in CODES["q3"] if c in t) == p for t in ticks) for p in patterns
        ]
        for cell, ticks in TICKED.items()
    }
    unions = [[i for i, p in enumerate(patterns) if code in p.split("+")] for code in CODES["q3"]]
    rows: list = []
    for key, shown in q3.groupby(by, sort=False):
        if shown["suppressed"].any():
            continue
        cells = [c for c in TICKED if all(v in (ALL, c[i]) for i, v in enumerate(key))]
        n = int(shown["n"].iloc[0])
        assert n == sum(len(TICKED[c]) for c in cells)
        rows.append((cells, None, n, n))
        for code, count in zip(shown["code"], shown["count"], strict=True):
            union = unions[CODES["q3"].index(code)]
            rows.append((cells, union, int(count), int(count)))
    assert rows, "everything hidden: nothing was tested"
    assert point_leaks(counts, rows, K, unions) == []


def test_a_pattern_of_ticks_is_in_the_forms_order_whatever_the_sets_order():
    """Every process must name a pattern alike (a pack's job decides a report, the zip
    decides it again in the web process): joined in the form's order, not a set's."""
    from survey.scoring.choices import choice_bases

    ticks = [["redusert_frikjop", "skifte", "okt_frikjop"], ["okt_frikjop", "skifte"]]
    people = [({"role": "prosjektleder", "unit": "A"}, {"q3": Answer(frozenset(t))}) for t in ticks]
    base, _ = choice_bases(Q, people, ["unit"])
    patterns = list(base.loc[base["question"] == "q3", "pattern"])
    assert patterns == ["skifte+okt_frikjop+redusert_frikjop", "skifte+okt_frikjop"]
