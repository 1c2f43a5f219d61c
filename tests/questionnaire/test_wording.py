"""Audience and show_if in words a reader of a paper form follows, questions by number."""

from __future__ import annotations

from survey.questionnaire import load_questionnaire, load_text
from survey.questionnaire.wording import (
    audience_words,
    condition_words,
    question_numbers,
)
from tests.conftest import QUESTIONNAIRES

Q2009 = load_questionnaire(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")

FORM = """
id: t
version: 1
title: T
roles:
  - {code: leder, label: Leder}
  - {code: ansatt, label: Ansatt}
  - {code: nav, label: NAV-kontakt}
scales:
  s: {points: 6, labels: {1: dårlig, 6: godt}, not_scored: [{code: vet_ikke, label: Vet ikke}]}
pages:
  - id: p1
    questions:
      - id: ja_nei
        type: single_choice
        text: Ja eller nei?
        choices: [{code: ja, label: Ja}, {code: nei, label: Nei}]
      - id: hva
        type: multiple_choice
        text: Hva bruker du?
        choices: [{code: alarm, label: Trygghetsalarm}, {code: mat, label: Matombringing}]
      - id: fornoyd
        type: likert
        scale: s
        text: Hvor fornøyd?
  - id: p2
    questions:
      - {id: a, type: long_text, text: A, show_if: "ja_nei == 'ja'"}
      - {id: b, type: long_text, text: B, show_if: "'alarm' in hva"}
      - {id: c, type: long_text, text: C, show_if: "fornoyd <= 2 or fornoyd == 'vet_ikke'"}
      - {id: d, type: long_text, text: D, show_if: "fornoyd in [1, 2, 6]"}
      - {id: e, type: long_text, text: E, show_if: "'mat' not in hva and ja_nei != 'nei'"}
      - {id: f, type: long_text, text: F, show_if: "not (3 < fornoyd)"}
      - {id: g, type: long_text, text: G, show_if: "ja_nei == 'ja' and (fornoyd > 4 or 'mat' in hva)"}
"""


def test_the_2009_form_keeps_its_own_numbers():
    numbers = question_numbers(Q2009)
    assert list(numbers.values()) == [
        "1", "2", "3", "4", "5", "6", "7", "8", "9a", "9b", "10", "11a", "11b", "12", "13", "14"
    ]  # fmt: skip


def test_other_ids_are_numbered_in_form_order():
    q = load_text(FORM).questionnaire
    assert question_numbers(q) == {
        "ja_nei": "1", "hva": "2", "fornoyd": "3", "a": "4", "b": "5", "c": "6", "d": "7",
        "e": "8", "f": "9", "g": "10",
    }  # fmt: skip


def test_audience_in_words():
    q = load_text(FORM).questionnaire
    assert audience_words(None, q.roles) == ""
    assert audience_words(frozenset({"leder"}), q.roles) == "Kun leder"
    assert audience_words(frozenset({"ansatt", "leder"}), q.roles) == "Kun leder og ansatt"
    assert audience_words(frozenset({"nav"}), q.roles) == "Kun NAV-kontakt"
    assert audience_words(frozenset({"prosjektleder"}), Q2009.roles) == "Kun prosjektleder"


def test_conditions_in_words():
    q = load_text(FORM).questionnaire
    numbers = question_numbers(q)
    said = {x.id: condition_words(x.show_if, q, numbers) for x in q.questions if x.show_if}
    assert said == {
        "a": "Hvis du svarte «Ja» på spørsmål 1",
        "b": "Hvis du krysset av for «Trygghetsalarm» på spørsmål 2",
        "c": "Hvis du svarte 2 eller lavere på spørsmål 3 eller du svarte «Vet ikke» på spørsmål 3",
        "d": "Hvis du svarte 1, 2 eller 6 på spørsmål 3",
        "e": "Hvis du ikke krysset av for «Matombringing» på spørsmål 2 og du svarte noe "
        "annet enn «Nei» på spørsmål 1",
        "f": "Hvis det ikke gjelder at du svarte høyere enn 3 på spørsmål 3",
        "g": "Hvis du svarte «Ja» på spørsmål 1 og (du svarte høyere enn 4 på spørsmål 3 "
        "eller du krysset av for «Matombringing» på spørsmål 2)",
    }
