"""Every linter message in bokmål too, for the secretariat's pages (issue 16, defect 5); the
English stays the CLI's. tests/questionnaire/conftest.py checks every problem any linter
test produces; these tests name what the bokmål says."""

from __future__ import annotations

import pytest

from survey.questionnaire import load_text, shape
from tests.conftest import lint
from tests.questionnaire.conftest import bokmal_problems
from tests.questionnaire.test_linter_catalogue import CASES


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_every_catalogued_problem_has_its_own_bokmal(case, text, expected):
    problems = load_text(text, "q.yaml").problems
    assert problems
    for problem in problems:
        assert bokmal_problems(problem) == []
        assert problem.severity_nb in ("feil", "advarsel")


def test_the_bokmal_names_the_yaml_as_written():
    result = lint(
        """
        scales:
          s: {points: 6}
        pages:
          - id: p1
            questions:
              - {id: q1, type: likret, text: Spm}
              - {id: q2, type: likert, scale: enighet, text: Spm}
              - {id: q2, type: text, txt: Spm}
          - id: p2
            questions:
              - {id: q3, type: text, text: Spm, show_if: "q9 == 1"}
        """
    )
    assert [(p.severity_nb, p.message_nb, p.hint_nb) for p in result.problems] == [
        (
            "feil",
            "ukjent spørsmålstype 'likret' i spørsmålet 'q1'; mente du 'likert'?",
            "gyldige typer: likert, likert_matrix, long_text, multiple_choice, number, "
            "single_choice, text",
        ),
        (
            "feil",
            "ukjent skala 'enighet' i spørsmålet 'q2'",
            "definer den under 'scales:'; skalaer som er definert: s",
        ),
        (
            "feil",
            "spørsmålet 'q2' mangler den obligatoriske nøkkelen 'text'",
            "legg til 'text: ...' i spørsmålet 'q2'",
        ),
        (
            "feil",
            "id-en 'q2' er brukt før (første gang på linje 10)",
            "hvert spørsmål og hver påstand i en matrise trenger sin egen id",
        ),
        (
            "feil",
            "ukjent nøkkel 'txt' i spørsmålet 'q2'; mente du 'text'?",
            "gyldige nøkler her: audience, help, id, lead_in, max_length, required, "
            "required_message, show_if, text, type",
        ),
        (
            "feil",
            "show_if for spørsmålet 'q3': ukjent spørsmål 'q9'",
            "bruk id-en til et spørsmål som kommer før",
        ),
    ]


def test_every_kind_of_value_has_its_bokmal():
    assert shape._KINDS.keys() == shape._KINDS_NB.keys()
    assert shape._HINTS.keys() == shape._HINTS_NB.keys()
    for table, table_nb in ((shape._KINDS, shape._KINDS_NB), (shape._HINTS, shape._HINTS_NB)):
        assert all(table_nb[key] and table_nb[key] != table[key] for key in table)
