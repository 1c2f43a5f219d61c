"""K = L / F per topic and per dimension, compared with plain-Python sums on generated data.

Per topic, K is the mean experience (L) over the mean expectation (F) of the respondents who
rated both; per dimension, the topics' answered pairs are pooled: sum of L over sum of F.
n is the number of respondents behind a figure.
"""

from __future__ import annotations

import math
import random
import statistics

import pytest

from survey.questionnaire import load_questionnaire
from survey.questionnaire.answers import Answer
from survey.scoring.likert import likert_frame
from survey.scoring.quality import quality_scores
from survey.scoring.suppression import ALL, suppressed_groups, with_margins
from tests.conftest import QUESTIONNAIRES

Q = load_questionnaire(QUESTIONNAIRES / "brukerundersokelse-hjemmetjeneste.yaml")
K = 5
ROLES = ["bruker", "parorende", "annen"]
UNITS = ["Sone nord", "Sone sør", "Sone øst", "Sone vest"]
# read off the YAML by hand: topic -> (dimension, expectation item, experience item)
PAIRS = {
    "k_respekt": ("respektfull_behandling", "f_respekt", "l_respekt"),
    "k_informasjon": ("informasjon", "f_informasjon", "l_informasjon"),
    "k_tidspunkt": ("tilgjengelighet", "f_tidspunkt", "l_tidspunkt"),
    "k_tid": ("tilgjengelighet", "f_tid", "l_tid"),
    "k_kontinuitet": ("tilgjengelighet", "f_kontinuitet", "l_kontinuitet"),
    "k_faglig": ("faglighet", "f_faglig", "l_faglig"),
    "k_medvirkning": ("brukermedvirkning", "f_medvirkning", "l_medvirkning"),
    "k_trygghet": ("trygghet", "f_trygghet", "l_trygghet"),
}
DIMENSIONS = list(dict.fromkeys(dimension for dimension, _, _ in PAIRS.values()))
COLUMNS = ["kind", "id", "n", "expectation", "experience", "k", "suppressed", "reason"]


def test_the_questionnaire_is_what_these_tests_assume():
    found = {p.id: (p.dimension, p.expectation.id, p.experience.id) for p in Q.quality_pairs}
    assert found == PAIRS


def generated(seed: int, people: int = 250):
    rng = random.Random(seed)
    respondents = []
    for _ in range(people):
        role = rng.choices(ROLES, weights=[6, 4, 0.3])[0]
        unit = rng.choices(UNITS, weights=[5, 4, 3, 0.2])[0]
        answers = {"hvem_svarer": Answer(role)}
        for _, expectation, experience in PAIRS.values():
            for item in (expectation, experience):
                roll = rng.random()
                if roll < 0.1:
                    continue  # skipped
                answers[item] = Answer("vet_ikke" if roll < 0.18 else rng.randint(1, 6))
        answers["l_helhet"] = Answer(rng.randint(1, 6))  # not part of any pair
        respondents.append(({"role": role, "unit": unit}, answers))
    return respondents


def key_of(groups, by):
    return tuple(groups[b] for b in by)


def member(groups, by, key) -> bool:
    return all(v in (ALL, groups[b]) for b, v in zip(by, key, strict=True))


def answered_pairs(answers) -> dict[str, tuple[int, int]]:
    """The topics this respondent rated both sides of, as (F, L); "vet ikke" is no rating."""
    pairs = {}
    for topic, (_, expectation, experience) in PAIRS.items():
        fv = getattr(answers.get(expectation), "value", None)
        lv = getattr(answers.get(experience), "value", None)
        if isinstance(fv, int) and isinstance(lv, int):
            pairs[topic] = (fv, lv)
    return pairs


def expected(respondents, by, kind, ident, key):
    """n, mean F, mean L and K for one row, from the (F, L) pairs of its respondents."""
    people = []
    for groups, answers in respondents:
        if not member(groups, by, key):
            continue
        pairs = answered_pairs(answers)
        if kind == "pair":
            mine = [pairs[ident]] if ident in pairs else []
        else:
            mine = [fl for topic, fl in pairs.items() if PAIRS[topic][0] == ident]
        if mine:
            people.append(mine)
    flat = [fl for mine in people for fl in mine]
    fs, ls = [fv for fv, _ in flat], [lv for _, lv in flat]
    return {
        "n": len(people),
        "expectation": statistics.fmean(fs) if flat else math.nan,
        "experience": statistics.fmean(ls) if flat else math.nan,
        "k": sum(ls) / sum(fs) if flat else math.nan,
    }


def finest_counts(respondents, by, kind, ident) -> dict:
    counts: dict = {}
    for groups, answers in respondents:
        pairs = answered_pairs(answers)
        if kind == "pair":
            rated = ident in pairs
        else:
            rated = any(PAIRS[topic][0] == ident for topic in pairs)
        if rated:
            counts[key_of(groups, by)] = counts.get(key_of(groups, by), 0) + 1
    return counts


@pytest.mark.parametrize("by", [[], ["role"], ["unit"], ["role", "unit"]])
def test_every_figure_matches_plain_sums(by):
    respondents = generated(seed=5 + len(by))
    table = quality_scores(Q, likert_frame(Q, respondents, by), by, K)
    assert list(table.columns) == [*by, *COLUMNS]
    order = [("pair", p) for p in PAIRS] + [("dimension", d) for d in DIMENSIONS]
    assert list(dict.fromkeys(zip(table["kind"], table["id"], strict=True))) == order
    checked = hidden_rows = 0
    for kind, ident in order:
        rows = table[(table["kind"] == kind) & (table["id"] == ident)]
        counts = finest_counts(respondents, by, kind, ident)
        secret = suppressed_groups(counts, K)
        keys = [key_of(row, by) for _, row in rows.iterrows()]
        assert sorted(keys) == sorted(with_margins(counts)) and keys[0] == (ALL,) * len(by)
        for _, row in rows.iterrows():
            key = key_of(row, by)
            assert row["suppressed"] == (key in secret)
            if row["suppressed"]:
                assert all(math.isnan(row[f]) for f in ("n", "expectation", "experience", "k"))
                hidden_rows += 1
                continue
            figures = expected(respondents, by, kind, ident, key)
            assert figures["n"] >= K
            assert row["n"] == figures["n"]
            for name in ("expectation", "experience", "k"):
                assert row[name] == pytest.approx(figures[name])
            checked += 1
    assert checked >= len(order)
    assert (hidden_rows > 0) == bool(by)


def test_k_is_a_ratio_of_means_not_a_mean_of_ratios():
    ratings = [(2, 4), (6, 3), (4, 4), (5, 5), (3, 6)]  # (F, L) for k_respekt
    people = [
        ({"role": "bruker"}, {"f_respekt": Answer(fv), "l_respekt": Answer(lv)})
        for fv, lv in ratings
    ]
    # these rated only one side, or "vet ikke": they are in neither mean
    people += [
        ({"role": "bruker"}, {"f_respekt": Answer(1)}),
        ({"role": "bruker"}, {"l_respekt": Answer(1)}),
        ({"role": "bruker"}, {"f_respekt": Answer("vet_ikke"), "l_respekt": Answer(1)}),
    ]
    table = quality_scores(Q, likert_frame(Q, people, []), [], K)
    row = table[(table["kind"] == "pair") & (table["id"] == "k_respekt")].iloc[0]
    assert row["n"] == 5
    assert row["expectation"] == pytest.approx(4.0)
    assert row["experience"] == pytest.approx(4.4)
    assert row["k"] == pytest.approx(22 / 20)
    assert row["k"] != pytest.approx(statistics.fmean(lv / fv for fv, lv in ratings))
    # no one rated any other topic: no rows for them
    assert set(table["id"]) == {"k_respekt", "respektfull_behandling"}


def test_a_dimension_pools_answered_pairs_and_counts_each_respondent_once():
    # tilgjengelighet has three topics; respondents rate different subsets of them
    rated = [
        {"tidspunkt": (5, 3), "tid": (6, 2), "kontinuitet": (4, 4)},
        {"tidspunkt": (2, 4)},
        {"tid": (3, 3), "kontinuitet": (6, 5)},
        {"kontinuitet": (1, 2)},
        {"tidspunkt": (4, 6), "tid": (5, 5)},
    ]
    people = []
    for topics in rated:
        answers = {}
        for topic, (fv, lv) in topics.items():
            answers[f"f_{topic}"], answers[f"l_{topic}"] = Answer(fv), Answer(lv)
        people.append(({"role": "parorende"}, answers))
    table = quality_scores(Q, likert_frame(Q, people, ["role"]), ["role"], K)
    dimension = table[(table["kind"] == "dimension") & (table["id"] == "tilgjengelighet")]
    row = dimension.set_index("role").loc["parorende"]
    pairs = [fl for topics in rated for fl in topics.values()]
    assert row["n"] == 5  # respondents, not the nine answered pairs
    assert row["k"] == pytest.approx(sum(lv for _, lv in pairs) / sum(fv for fv, _ in pairs))
    assert row["expectation"] == pytest.approx(statistics.fmean(fv for fv, _ in pairs))
    assert row["experience"] == pytest.approx(statistics.fmean(lv for _, lv in pairs))
    # each topic alone rests on fewer than five respondents: hidden, margin included
    topics = table[table["kind"] == "pair"]
    assert topics["suppressed"].all() and topics["k"].isna().all()


def test_a_small_group_is_hidden_with_its_complement():
    people = [({"role": "bruker"}, {"f_faglig": Answer(5), "l_faglig": Answer(6)})] * 9
    people += [({"role": "parorende"}, {"f_faglig": Answer(4), "l_faglig": Answer(2)})] * 6
    people += [({"role": "annen"}, {"f_faglig": Answer(6), "l_faglig": Answer(1)})] * 2
    table = quality_scores(Q, likert_frame(Q, people, ["role"]), ["role"], K)
    for kind in ("pair", "dimension"):
        rows = table[table["kind"] == kind].set_index("role")
        assert rows.loc["annen", "suppressed"] and rows.loc["parorende", "suppressed"]
        assert not rows.loc["bruker", "suppressed"] and not rows.loc[ALL, "suppressed"]
        assert rows.loc[["annen", "parorende"], ["n", "k"]].isna().all().all()
        assert rows.loc[ALL, "n"] == 17
        assert rows.loc[ALL, "k"] == pytest.approx(
            (9 * 6 + 6 * 2 + 2 * 1) / (9 * 5 + 6 * 4 + 2 * 6)
        )


def test_no_answered_pair_gives_an_empty_table():
    people = [({"role": "bruker"}, {"f_respekt": Answer(5), "l_helhet": Answer(4)})] * 6
    table = quality_scores(Q, likert_frame(Q, people, ["role"]), ["role"], K)
    assert table.empty and list(table.columns) == ["role", *COLUMNS]
