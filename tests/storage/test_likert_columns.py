"""The fast read for scoring (``likert_columns``) gives exactly the frame, and so the tables,
that the general path through typed answers (``round_results`` + ``likert_frame``) gives."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from survey.invitations import Person
from survey.questionnaire import load_file
from survey.questionnaire.answers import Answer
from survey.scoring.indexes import index_scores
from survey.scoring.likert import columns_frame, item_scores, likert_frame
from survey.storage import open_database
from survey.storage.db import snapshot
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.responses import import_responses, respondents_of
from survey.storage.results import likert_columns, round_results
from survey.storage.rounds import create_round
from survey.transfer import ImportedResponse
from tests.conftest import QUESTIONNAIRES


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """An employee survey with every shape scoring meets: "vet ikke", skipped items, a
    respondent without unit, a stated role, unit and attribute overriding the invitation's, an
    invitation never answered, and a second round whose answers must not leak in."""
    db = open_database(tmp_path_factory.mktemp("likert") / "survey.sqlite3")
    loaded = load_file(QUESTIONNAIRES / "medarbeiderundersokelse.yaml")
    questionnaire = loaded.questionnaire
    assert questionnaire is not None
    publish(db, loaded)
    rng = random.Random(7)
    rounds = []
    for name in ("Runde A", "Runde B"):
        round_ = create_round(db, questionnaire.id, name)
        roles = [role.code for role in questionnaire.roles]
        people = [
            Person(
                f"P {n}",
                f"p{n}@example.no",
                rng.choice(roles),
                f"Enhet {n % 7}" if n % 10 else "",
                {"avdeling": rng.choice(["Nord", "Sør", ""])},
            )
            for n in range(60)
        ]
        add_invitations(db, round_.id, people)
        invited = respondents_of(db, round_.id)
        imported = []
        for row, person in enumerate(people[:-5], start=1):  # five never answer
            answers = {}
            for item in questionnaire.items:
                draw = rng.random()
                if draw < 0.1:
                    continue  # skipped
                answers[item.id] = Answer("vet_ikke") if draw < 0.2 else Answer(rng.randint(1, 5))
            role = rng.choice(roles) if row % 9 == 0 else person.role
            unit = "Enhet 99" if row % 11 == 0 else None  # None: the invitation's unit
            attributes = {"avdeling": "Vest"} if row % 13 == 0 else {}
            imported.append(
                ImportedResponse(row, answers, role, unit, attributes, invited[person.email])
            )
        import_responses(db, questionnaire, round_.id, imported)
        rounds.append(round_.id)
    yield db, questionnaire, rounds
    db.conn.close()


@pytest.mark.parametrize("by", [[], ["role"], ["unit"], ["role", "unit"], ["avdeling", "role"]])
def test_the_fast_read_gives_the_same_frame_and_tables(stored, by):
    db, questionnaire, rounds = stored
    for round_id in rounds:
        general = likert_frame(questionnaire, round_results(db, round_id).respondents, by)
        fast = columns_frame(questionnaire, likert_columns(db, questionnaire, round_id, by), by)
        assert len(fast) > 500
        assert fast["not_scored"].eq("vet_ikke").sum() > 50
        pd.testing.assert_frame_equal(fast, general)
        pd.testing.assert_frame_equal(
            item_scores(questionnaire, fast, by, 3), item_scores(questionnaire, general, by, 3)
        )
        pd.testing.assert_frame_equal(
            index_scores(questionnaire, fast, by, 3), index_scores(questionnaire, general, by, 3)
        )


def test_a_round_without_answers_gives_an_empty_frame(stored):
    db, questionnaire, _ = stored
    empty = create_round(db, questionnaire.id, "Tom runde").id
    frame = columns_frame(
        questionnaire, likert_columns(db, questionnaire, empty, ["role"]), ["role"]
    )
    assert frame.empty
    assert list(frame.columns) == ["respondent", "role", "item", "point", "not_scored"]


def test_reads_inside_a_snapshot_do_not_see_a_response_submitted_meanwhile(tmp_path):
    db = open_database(tmp_path / "survey.sqlite3")
    other = open_database(tmp_path / "survey.sqlite3")
    try:
        loaded = load_file(QUESTIONNAIRES / "medarbeiderundersokelse.yaml")
        publish(db, loaded)
        round_id = create_round(db, loaded.questionnaire.id, "Runde").id
        count = "SELECT count(*) FROM responses WHERE submitted = 1"
        with snapshot(db):
            before = db.execute(count).fetchone()[0]
            other.execute(
                "INSERT INTO responses (round_id, session_key, submitted, started_on) "
                "VALUES (?, 'x', 1, '2026-11-23')",
                [round_id],
            )
            assert db.execute(count).fetchone()[0] == before  # people and answers agree
        assert db.execute(count).fetchone()[0] == before + 1
    finally:
        db.conn.close()
        other.conn.close()
