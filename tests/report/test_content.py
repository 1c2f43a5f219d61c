"""Report content without a database: what each section holds, for the other bundled
questionnaires and for crossed breakdowns."""

from __future__ import annotations

import random
import statistics
from dataclasses import replace

import pytest

from survey.questionnaire import load_questionnaire
from survey.questionnaire.answers import Answer
from survey.report.content import ReportError, build_report
from survey.report.render import render_html
from survey.storage.results import RoundResults
from survey.storage.rounds import Round
from tests.conftest import QUESTIONNAIRES
from tests.scoring.oracle import leaks

HOME_CARE = load_questionnaire(QUESTIONNAIRES / "brukerundersokelse-hjemmetjeneste.yaml")
Q2009 = load_questionnaire(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")


def a_round(questionnaire, respondents, invitations=(), *, anonymous=False, name="Runde"):
    round_ = Round(1, name, 1, anonymous, 5, None, None, None, True, "2026-11-01")
    return RoundResults(
        round_, questionnaire, list(respondents), list(invitations), "2026-11-02", "2026-11-20"
    )


def home_care_respondents(seed: int, people: int = 60):
    rng = random.Random(seed)
    found = []
    for _ in range(people):
        role = rng.choice(["bruker", "parorende"])
        answers = {"hvem_svarer": Answer(role)}
        for pair in HOME_CARE.quality_pairs:
            answers[pair.expectation.id] = Answer(rng.randint(3, 6))
            answers[pair.experience.id] = Answer(rng.randint(2, 6))
        found.append(({"role": role, "unit": rng.choice(["Sone 1", "Sone 2"])}, answers))
    return found


def test_anonymous_user_survey_has_k_per_topic_and_dimension_and_no_rates():
    respondents = home_care_respondents(seed=1)
    report = build_report(a_round(HOME_CARE, respondents, anonymous=True), by=["role"])
    assert report.rates == () and report.total_rate is None
    pair = HOME_CARE.quality_pairs[0]
    row = next(r for r in report.quality if r.id == pair.id and r.group.is_total)
    f = [a[pair.expectation.id].value for _, a in respondents]
    l_ = [a[pair.experience.id].value for _, a in respondents]
    assert row.n == len(respondents)
    assert row.k == pytest.approx(statistics.fmean(l_) / statistics.fmean(f))
    dimensions = {r.id for r in report.quality if r.kind == "dimension"}
    topics = [p.dimension for p in HOME_CARE.quality_pairs]
    # a dimension of one topic would repeat that topic's figures
    assert dimensions == {d for d in topics if topics.count(d) > 1} == {"tilgjengelighet"}
    html = render_html(report)
    assert "Opplevd kvalitet (K = L / F)" in html and "(anonym undersøkelse)" in html


def test_a_crossed_breakdown_labels_cells_and_margins():
    respondents = home_care_respondents(seed=2, people=120)
    report = build_report(a_round(HOME_CARE, respondents), by=["role", "unit"])
    rows = report.pages[1].questions[0].items[0].rows  # the first expectation statement
    labels = [row.group.label for row in rows]
    assert labels[0] == "Alle"
    assert {"Bruker", "Sone 1", "Bruker, Sone 1", "Pårørende, Sone 2"} <= set(labels)
    assert report.by_label == "rolle × enhet"


def test_only_rounds_of_the_same_questionnaire_compare():
    respondents = home_care_respondents(seed=3)
    with pytest.raises(ReportError, match="same questionnaire"):
        build_report(a_round(HOME_CARE, respondents), earlier=a_round(Q2009, [], name="2009"))


def test_a_round_below_the_minimum_shows_no_figure_and_no_comment():
    respondents = [
        ({"role": "bruker", "unit": "Sone 1"}, {"l_helhet": Answer(6), "kommentar": Answer("Hei")})
    ] * 4
    report = build_report(a_round(HOME_CARE, respondents), by=["role"])
    assert report.texts == ()
    assert all(cell is None for row in report.summary for cell in row.cells)
    shown = [r for p in report.pages for q in p.questions for i in q.items for r in i.rows]
    assert shown and all(r.suppressed for r in shown)


def test_two_items_of_one_report_do_not_give_a_unit_away_through_vet_ikke():
    """An item's "Svar" plus its "Vet ikke" is the number who answered it: for a required
    item, the unit's respondents, the same for every item. One "vet ikke" in Enhet C made
    the second item hide C where the first hid B, and together the two tables gave Enhet
    A (two people) as the total minus the shown units (found by review). Both counts are
    now audited, with every table of the same counts (``scoring.linked``)."""
    q = load_questionnaire(QUESTIONNAIRES / "medarbeiderundersokelse.yaml")
    units = {"Enhet A": 2, "Enhet B": 4, "Enhet C": 4}
    people = []
    for unit, n in units.items():
        for i in range(n):
            answers = {"rolle": Answer("medarbeider")}
            answers |= {
                item.id: Answer(4)
                for item in q.items
                if not item.id.startswith(("m_led_r", "m_lr"))  # the leaders' own
            }
            if unit == "Enhet C" and i == 0:
                answers["m_med_2"] = Answer("vet_ikke")
            people.append(({"role": "medarbeider", "unit": unit}, answers))
    results = a_round(q, people)
    results = replace(results, round=replace(results.round, min_group_size=3))
    report = build_report(results, ["unit"], released_before={}, respondents_all=people)
    figures = [
        list(units) if row.group.label == "Alle" else [row.group.label]
        for page in report.pages
        for question in page.questions
        for item in question.items
        for row in item.rows
        if row.n is not None  # its "Svar" + "Vet ikke": the group's respondents
    ]
    assert figures and leaks(units, figures, 3) == []
