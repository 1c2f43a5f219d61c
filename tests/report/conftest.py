"""A generated national 2009 round, plus four people who must never be recognised.

138 municipalities × 4 roles invited, about 90 % answer (the generator's answers all pass
the web form's rules). Four more respondents state the role "annet": they all answer 1 to
every statement and write comments that must appear nowhere in the report."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from survey.demo import national_2009_round
from survey.invitation_list import Person
from survey.questionnaire.answers import Answer, check_answers
from survey.responses_csv import ImportedResponse
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.responses import import_responses, respondents_of
from survey.storage.results import RoundResults, round_results

SECRET_COMMENT = "Hemmelig kommentar fra en av de fire"
SECRET_ROLE = "Varaordfører i Utsira"


def add_small_group(db, round_id: int) -> None:
    """Four respondents of role "annet", each from their own municipality."""
    round_row = db.execute(
        "SELECT questionnaire_version_id FROM rounds WHERE id = ?", [round_id]
    ).fetchone()
    questionnaire = questionnaire_of_version(db, round_row[0])
    people = [
        Person(f"Annen {i}", f"annen{i}@liten.example.no", "annet", f"Kommune 90{i}", {})
        for i in range(4)
    ]
    add_invitations(db, round_id, people)
    invited = respondents_of(db, round_id)
    imported = []
    for row, person in enumerate(people, start=1):
        answers = {"q1": Answer("annet", {"annet": SECRET_ROLE})}
        answers |= {item.id: Answer(1) for item in questionnaire.items}
        answers |= {q: Answer("nei") for q in ("q9b", "q11a", "q11b", "q10")}
        answers["q14"] = Answer(SECRET_COMMENT)
        assert not check_answers(questionnaire, "annet", answers)
        imported.append(
            ImportedResponse(row, answers, "annet", person.unit, {}, invited[person.email])
        )
    import_responses(db, questionnaire, round_id, imported)


@dataclass
class National:
    db_path: Path
    round_id: int
    earlier_id: int
    results: RoundResults
    earlier: RoundResults
    pdf: Path
    text: str  # pdftotext -layout of the whole report


def survey_command(db_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from survey.cli import main; main()", *args],
        env={**os.environ, "SURVEY_DATABASE": str(db_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="session")
def national(tmp_path_factory) -> National:
    folder = tmp_path_factory.mktemp("national")
    db_path = folder / "survey.sqlite3"
    db = open_database(db_path)
    earlier = national_2009_round(db)
    later = national_2009_round(db, name="Oppfølging 2010", seed=2010, shift=0.3)
    add_small_group(db, later.id)
    results, before = round_results(db, later.id), round_results(db, earlier.id)
    db.close()
    pdf = folder / "rapport.pdf"
    done = survey_command(
        db_path, "report", str(later.id), "--compare", str(earlier.id), "-o", str(pdf)
    )
    assert done.returncode == 0, done.stderr
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return National(db_path, later.id, earlier.id, results, before, pdf, text)
