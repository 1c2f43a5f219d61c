"""The bundled questionnaires: clean under the linter, and the 2009 form word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from survey.questionnaire import load_file, load_questionnaire
from survey.questionnaire.model import ChoiceQuestion
from survey.questionnaire.visibility import visible_questions
from tests.conftest import QUESTIONNAIRES, ROOT

REFERENCE = ROOT.parent / "shared" / "reference" / "kvalitetskommune-2009-sporreskjema.md"
Q2009 = QUESTIONNAIRES / "kvalitetskommune-2009.yaml"


def normalise(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("path", sorted(QUESTIONNAIRES.glob("*.yaml")), ids=lambda p: p.name)
def test_bundled_questionnaire_is_clean(path: Path):
    result = load_file(path)
    assert [str(p) for p in result.problems] == []
    assert result.questionnaire is not None


def test_three_questionnaires_are_bundled():
    assert {p.name for p in QUESTIONNAIRES.glob("*.yaml")} == {
        "kvalitetskommune-2009.yaml",
        "medarbeiderundersokelse.yaml",
        "brukerundersokelse-hjemmetjeneste.yaml",
    }


def test_2009_question_ids_and_codes():
    q = load_questionnaire(Q2009)
    assert [x.id for x in q.questions] == (
        [
            "q1",
            "q2",
            "q3",
            "q4",
            "q5",
            "q6",
            "q7",
            "q8",
            "q9a",
            "q9b",
            "q10",
            "q11a",
            "q11b",
            "q12",
            "q13",
            "q14",
        ]
    )
    codes = {x.id: list(x.codes) for x in q.questions if isinstance(x, ChoiceQuestion)}
    assert codes == {
        "q1": ["ordforer", "radmann", "tillitsvalgt", "prosjektleder", "annet"],
        "q2": ["ja", "nei"],
        "q3": ["skifte", "okt_frikjop", "redusert_frikjop", "ingen_endringer"],
        "q4": ["frikjopt", "ikke_frikjopt", "annet"],
        "q9b": ["ja", "nei", "vet_ikke"],
        "q10": ["ja_internt", "ja_eksternt", "ja_begge", "nei"],
        "q11a": ["ja", "nei", "vet_ikke"],
        "q11b": ["ja", "nei", "vet_ikke"],
    }
    assert [c.exclusive for c in q.question("q3").choices] == [False, False, False, True]
    frikjopt = q.question("q4").choice("frikjopt").specify
    assert (frikjopt.kind, frikjopt.min, frikjopt.max, frikjopt.unit) == ("number", 0, 100, "%")
    assert q.question("q1").choice("annet").specify.kind == "text"
    assert q.question("q2").choice("ja").specify.kind == "text"
    assert q.role_question_id == "q1"


def test_2009_audience_required_and_index():
    q = load_questionnaire(Q2009)
    only_leaders = {
        x.id for page in q.pages for x in page.questions if (x.audience or page.audience)
    }
    assert only_leaders == {"q2", "q3", "q4"}
    assert q.pages[1].audience == frozenset({"prosjektleder"})
    assert [x.id for x in q.questions if not x.required] == ["q14"]
    (index,) = q.indexes
    assert index.label.default == "Vurdering av programmet"
    assert [i.id for i in index.items] == ["q5", "q6", "q7", "q8", "q9a", "q12", "q13"]
    assert {i.scale.points for i in index.items} == {6}
    scale = index.items[0].scale
    assert (scale.low, scale.high, str(scale.labels[1]), str(scale.labels[6])) == (
        1,
        6,
        "helt uenig",
        "helt enig",
    )


def test_project_leader_sees_q2_to_q4_and_mayor_does_not():
    q = load_questionnaire(Q2009)
    leader = [x.id for x in visible_questions(q, "prosjektleder", {"q1": "prosjektleder"})]
    mayor = [x.id for x in visible_questions(q, "ordforer", {"q1": "ordforer"})]
    assert leader[:4] == ["q1", "q2", "q3", "q4"]
    assert "q2" not in mayor and "q3" not in mayor and "q4" not in mayor
    assert len(leader) == 16 and len(mayor) == 13


def _reference_questions() -> dict[str, str]:
    text = REFERENCE.read_text(encoding="utf-8")
    found = {}
    for number, letter, body in re.findall(r"\*\*(\d+)(?: ([ab])\))?\.? (.+?)\*\*", text, re.S):
        found[f"q{number}{letter}"] = normalise(body)
    return found


def _reference_lead_ins() -> list[str]:
    text = REFERENCE.read_text(encoding="utf-8")
    section = text[text.index("## Questions") : text.index("Closing text")]
    return [
        normalise(m)
        for m in re.findall(r"(?<!\*)\*([^*]+?)\*(?!\*)", section, re.S)
        if "påstand" in m
    ]


def test_2009_texts_are_word_for_word():
    q = load_questionnaire(Q2009)
    reference = _reference_questions()
    assert set(reference) == {x.id for x in q.questions}
    for question in q.questions:
        assert normalise(question.text.default) == reference[question.id], question.id
    lead_ins = [normalise(x.lead_in.default) for x in q.questions if x.lead_in]
    assert lead_ins == _reference_lead_ins()
    ref = REFERENCE.read_text(encoding="utf-8")
    assert normalise(q.introduction.default) in normalise(ref)
    assert normalise(q.confidentiality.default) in normalise(ref)
    assert q.closing.default in ref and q.title.default in ref


def test_2009_option_labels_are_word_for_word():
    q = load_questionnaire(Q2009)
    ref = normalise(REFERENCE.read_text(encoding="utf-8"))
    for question in q.questions:
        if not isinstance(question, ChoiceQuestion):
            continue
        labels = [normalise(c.label.default) for c in question.choices]
        if question.id in ("q9b", "q11a", "q11b"):  # printed inline: "Ja / Nei / Vet ikke"
            assert f"** {' / '.join(labels)}" in ref, question.id
            continue
        for label in labels:
            assert f"- {label}" in ref, (question.id, label)
