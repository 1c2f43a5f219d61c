"""Response rates per group, compared with counting the invitation list by hand.

A rate rests on the respondents who answered, so it is hidden like any other cell when they
are fewer than the minimum - also when none answered - and so is the complementary cell. The
number invited is the secretariat's own list and stays visible everywhere.
"""

from __future__ import annotations

import math
import random

import pytest

from survey.questionnaire import load_questionnaire
from survey.scoring.rates import response_rates
from survey.scoring.suppression import ALL, suppressed_groups, with_margins
from tests.conftest import QUESTIONNAIRES

Q = load_questionnaire(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")
K = 5
ROLES = ["ordforer", "radmann", "tillitsvalgt", "prosjektleder"]
UNITS = ["Levanger", "Verdal", "Steinkjer", "Frosta", "Snåsa"]
COLUMNS = ["invited", "answered", "rate", "suppressed", "reason"]


def generated(seed: int, invitations: int = 400):
    """Invitations with a per-unit response propensity; Snåsa never answers."""
    rng = random.Random(seed)
    propensity = {"Levanger": 0.7, "Verdal": 0.5, "Steinkjer": 0.6, "Frosta": 0.4, "Snåsa": 0}
    found = []
    for _ in range(invitations):
        role = rng.choices(ROLES, weights=[1, 1, 5, 3])[0]
        unit = rng.choices(UNITS, weights=[5, 4, 4, 1, 0.5])[0]
        found.append(({"role": role, "unit": unit}, rng.random() < propensity[unit]))
    return found


def key_of(groups, by):
    return tuple(groups[b] for b in by)


def member(groups, by, key) -> bool:
    return all(v in (ALL, groups[b]) for b, v in zip(by, key, strict=True))


@pytest.mark.parametrize("by", [[], ["role"], ["unit"], ["role", "unit"]])
def test_invited_answered_and_rate_match_counting(by):
    invitations = generated(seed=3 + len(by))
    table = response_rates(Q, invitations, by, K)
    assert list(table.columns) == [*by, *COLUMNS]
    answered_per_cell: dict = {}
    for groups, answered in invitations:
        key = key_of(groups, by)
        answered_per_cell[key] = answered_per_cell.get(key, 0) + int(answered)
    secret = suppressed_groups(answered_per_cell, K)  # a cell with 0 answers is a cell
    keys = [key_of(row, by) for _, row in table.iterrows()]
    assert sorted(keys) == sorted(with_margins(answered_per_cell)) and len(set(keys)) == len(keys)
    assert keys[0] == (ALL,) * len(by)
    shown = 0
    for _, row in table.iterrows():
        key = key_of(row, by)
        invited = sum(member(g, by, key) for g, _ in invitations)
        answered = sum(member(g, by, key) and a for g, a in invitations)
        assert row["invited"] == invited  # visible, hidden row or not
        assert row["suppressed"] == (key in secret)
        if row["suppressed"]:
            assert math.isnan(row["answered"]) and math.isnan(row["rate"])
            continue
        assert answered >= K
        assert row["answered"] == answered
        assert row["rate"] == pytest.approx(answered / invited)
        shown += 1
    assert shown >= 1
    if "unit" in by:  # Snåsa answered nothing: hidden, and its complement with it
        assert table.loc[table["unit"] == "Snåsa", "suppressed"].all()
        assert table["suppressed"].sum() >= 2


def test_a_unit_with_no_answers_is_hidden_with_its_complement_but_invited_stays():
    invitations = [({"unit": "Frosta"}, False)] * 10
    invitations += [({"unit": "Verdal"}, i < 12) for i in range(20)]
    invitations += [({"unit": "Levanger"}, i < 20) for i in range(30)]
    table = response_rates(Q, invitations, ["unit"], K).set_index("unit")
    # "0 %" for Frosta would say who did not answer; Verdal would give it back from the total
    assert table.loc["Frosta", "suppressed"] and table.loc["Verdal", "suppressed"]
    assert not table.loc["Levanger", "suppressed"] and not table.loc[ALL, "suppressed"]
    assert table.loc[["Frosta", "Verdal"], ["answered", "rate"]].isna().all().all()
    assert table.loc["Frosta", "invited"] == 10 and table.loc["Verdal", "invited"] == 20
    assert table.loc["Levanger", "rate"] == pytest.approx(20 / 30)
    assert table.loc[ALL, "answered"] == 32 and table.loc[ALL, "invited"] == 60
    assert table.loc[ALL, "rate"] == pytest.approx(32 / 60)


def test_a_group_not_given_is_a_group_of_its_own():
    invitations = [({"unit": None}, True)] * 3 + [({"unit": "Verdal"}, True)] * 10
    invitations += [({"unit": "Levanger"}, True)] * 12
    table = response_rates(Q, invitations, ["unit"], K)
    assert list(table["unit"]) == [ALL, "Levanger", "Verdal", "(ikke oppgitt)"]
    hidden = set(table.loc[table["suppressed"], "unit"])
    assert hidden == {"(ikke oppgitt)", "Verdal"}
    assert table.loc[table["unit"] == ALL, "answered"].iloc[0] == 25


def test_a_whole_round_below_the_minimum_shows_only_who_was_invited():
    invitations = [({"role": "ordforer"}, True)] * 3 + [({"role": "radmann"}, False)] * 4
    table = response_rates(Q, invitations, ["role"], K)
    assert table["suppressed"].all()
    assert table[["answered", "rate"]].isna().all().all()
    assert list(table["invited"]) == [7, 3, 4]


def test_no_invitations_give_an_empty_table():
    table = response_rates(Q, [], ["role"], K)
    assert table.empty and list(table.columns) == ["role", *COLUMNS]
