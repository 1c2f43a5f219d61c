"""The fast read for scoring (``likert_columns``) gives exactly the frame, and so the tables,
that the general path through typed answers (``round_results`` + ``likert_frame``) gives."""

from __future__ import annotations

import random
from dataclasses import replace

import pandas as pd
import pytest

from survey.invitation_list import Person
from survey.questionnaire import load_file, load_text
from survey.questionnaire.answers import Answer
from survey.questionnaire.model import LikertMatrixQuestion, LikertQuestion
from survey.responses_csv import ImportedResponse
from survey.scoring.indexes import index_scores
from survey.scoring.likert import columns_frame, item_scores, likert_frame
from survey.storage import open_database, results
from survey.storage.db import snapshot
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.releases import last_release
from survey.storage.responses import import_responses, respondents_of, submitted_responses
from survey.storage.results import likert_columns, round_results
from survey.storage.rounds import create_round
from survey.storage.snapshots import (
    latest_snapshot_id,
    live_members,
    snapshot_respondents,
    store_snapshot,
)
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
    db.close()


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
        db.close()
        other.close()


def _mixed_questionnaire():
    """Two scales (one from -2, one with two not-scored codes) and 101 Likert items between
    questions of other types, with item ids and codes no file may hold: quotes, commas,
    separators, a line break, ids that begin like each other. A packed answer must not care."""
    lines = [
        "id: blandet",
        "version: 1",
        "title: Blandet",
        "roles:",
        "  - {code: ansatt, label: Ansatt}",
        "  - {code: leder, label: Leder}",
        "scales:",
        "  fem:",
        "    points: 5",
        "    not_scored:",
        "      - {code: vet_ikke, label: Vet ikke}",
        "      - {code: ikke_aktuelt, label: Ikke aktuelt}",
        "  balanse:",
        "    points: 5",
        "    start: -2",
        "pages:",
        "  - id: side",
        "    questions:",
        "      - {id: kommentar, type: text, text: Kommentar, required: false}",
        "      - id: valg",
        "        type: single_choice",
        "        text: Valg",
        "        choices: [{code: ja, label: Ja}, {code: nei, label: Nei}]",
        "      - {id: balanse, type: likert, scale: balanse, text: Balanse}",
        "      - id: matrise",
        "        type: likert_matrix",
        "        scale: fem",
        "        text: Påstander",
        "        items:",
        *(f"          - {{id: p{n}, text: Påstand {n}.}}" for n in range(1, 101)),
    ]
    loaded = load_text("\n".join(lines), "blandet.yaml")
    assert loaded.questionnaire is not None, loaded.problems
    ids = {item.id: f"{item.id}, «'x'» \"y\";\t|\n" for item in loaded.questionnaire.items}
    codes = {"vet_ikke": "vet ikke, 'ø'", "ikke_aktuelt": "ikke|aktuelt;\n--"}

    def scale(s):
        return s and replace(
            s, not_scored=tuple(replace(c, code=codes[c.code]) for c in s.not_scored)
        )

    def question(q):
        if isinstance(q, LikertMatrixQuestion):
            items = tuple(replace(i, id=ids[i.id], scale=scale(i.scale)) for i in q.statements)
            return replace(q, scale=scale(q.scale), statements=items)
        if isinstance(q, LikertQuestion):  # its one item is the question itself
            return replace(q, id=ids[q.id], scale=scale(q.scale))
        return q

    pages = tuple(
        replace(p, questions=tuple(map(question, p.questions))) for p in loaded.questionnaire.pages
    )
    return loaded, replace(loaded.questionnaire, pages=pages)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A round of the mixed questionnaire: Likert answers among others, an item answered
    only "not scored", a response with no Likert answer and one with no answer at all."""
    db = open_database(tmp_path_factory.mktemp("mixed") / "survey.sqlite3")
    loaded, questionnaire = _mixed_questionnaire()
    publish(db, loaded)
    round_id = create_round(db, questionnaire.id, "Runde").id
    rng = random.Random(11)
    items = questionnaire.items
    only_not_scored = items[7].id
    imported = []
    for row in range(1, 41):
        answers = {"kommentar": Answer(f"Svar {row}")} if row % 3 else {}
        if row % 4:
            answers["valg"] = Answer(rng.choice(["ja", "nei"]))
        if row not in (5, 6):  # 5 answers only other questions, 6 nothing at all
            for item in items:
                draw = rng.random()
                codes = [c.code for c in item.scale.not_scored]
                if draw < 0.1:
                    continue
                if codes and (draw < 0.25 or item.id == only_not_scored):
                    answers[item.id] = Answer(rng.choice(codes))
                else:
                    answers[item.id] = Answer(rng.choice(list(item.scale.values)))
        if row == 6:
            answers = {}
        role = rng.choice(["ansatt", "leder", None])
        unit = rng.choice(["Enhet A", "Enhet B", None])
        attributes = {"avdeling": rng.choice(["Nord", "Sør"])} if row % 2 else {}
        imported.append(
            ImportedResponse(row, answers, role, unit, attributes, source=f"test:{row}")
        )
    import_responses(db, questionnaire, round_id, imported)
    yield db, questionnaire, round_id
    db.close()


def _general(db, questionnaire, round_id, by):
    respondents = [
        ({"role": role, "unit": unit, **attributes}, answers)
        for _, role, unit, attributes, answers in submitted_responses(db, questionnaire, round_id)
    ]
    return likert_frame(questionnaire, respondents, by)


@pytest.mark.parametrize("by", [[], ["role", "unit"], ["avdeling"]])
def test_packed_answers_survive_any_ids_codes_and_scales(mixed, monkeypatch, by):
    db, questionnaire, round_id = mixed

    def unpacked(*args):
        raise AssertionError("every row here is one encode writes: no row-by-row read")

    monkeypatch.setattr(results, "_likert_rows", unpacked)
    fast = columns_frame(questionnaire, likert_columns(db, questionnaire, round_id, by), by)
    general = _general(db, questionnaire, round_id, by)
    pd.testing.assert_frame_equal(fast, general)
    pd.testing.assert_frame_equal(
        item_scores(questionnaire, fast, by, 3), item_scores(questionnaire, general, by, 3)
    )
    codes = {c.code for c in questionnaire.items[1].scale.not_scored}
    assert set(fast["not_scored"].dropna()) == codes
    assert fast["point"].min() == -2
    only_not_scored = fast[fast["item"] == questionnaire.items[7].id]
    assert len(only_not_scored) > 20 and only_not_scored["point"].isna().all()
    assert set(fast["respondent"]) == set(range(40)) - {4, 5}  # rows 5 and 6: no Likert


def test_a_row_encode_does_not_write_is_read_row_by_row(mixed, monkeypatch):
    """An unknown not-scored code, a point between points or off the scale, an answer with
    neither: the round is read a row per answer instead, and comes out the same."""
    db, questionnaire, round_id = mixed
    (response_id,) = db.execute(
        "SELECT id FROM responses WHERE round_id = ? ORDER BY id LIMIT 1 OFFSET 4", [round_id]
    ).fetchone()  # row 5, with no Likert answer of its own
    odd = [("annet", None), ("", 2.5), ("", 9.0), ("", None)]
    rows = [
        (response_id, item.id, *row)
        for item, row in zip(questionnaire.items[: len(odd)], odd, strict=True)
    ]
    row_by_row = results._likert_rows
    calls = []
    monkeypatch.setattr(results, "_likert_rows", lambda *a: calls.append(a) or row_by_row(*a))
    for row in rows:
        with db.writing():
            db.execute(
                "INSERT INTO answers (response_id, item, code, number) VALUES (?, ?, ?, ?)", row
            )
        try:
            fast = columns_frame(
                questionnaire, likert_columns(db, questionnaire, round_id, ["role"]), ["role"]
            )
            pd.testing.assert_frame_equal(fast, _general(db, questionnaire, round_id, ["role"]))
        finally:
            with db.writing():
                db.execute("DELETE FROM answers WHERE response_id = ? AND item = ?", row[:2])
    assert len(calls) == len(odd)


@pytest.mark.parametrize(
    ("question", "values"),
    [
        ("{id: q, type: single_choice, text: Q, choices: [{code: ja, label: Ja}]}", ["ja"]),
        ("{id: q, type: likert, scale: tre, text: Q}", [2, 3]),  # no not-scored code at all
    ],
)
def test_questionnaires_without_likert_items_or_not_scored_codes(tmp_path, question, values):
    lines = ["id: liten", "version: 1", "title: Liten", "scales:", "  tre: {points: 3}"]
    lines += ["pages:", "  - id: side", "    questions:", f"      - {question}"]
    loaded = load_text("\n".join(lines), "liten.yaml")
    questionnaire = loaded.questionnaire
    assert questionnaire is not None, loaded.problems
    db = open_database(tmp_path / "survey.sqlite3")
    try:
        publish(db, loaded)
        round_id = create_round(db, questionnaire.id, "Runde").id
        rows = [{"q": Answer(value)} for value in values] + [{}]
        imported = [
            ImportedResponse(n, answers, None, None, source=f"test:{n}")
            for n, answers in enumerate(rows)
        ]
        import_responses(db, questionnaire, round_id, imported)
        fast = columns_frame(questionnaire, likert_columns(db, questionnaire, round_id, []), [])
        pd.testing.assert_frame_equal(fast, _general(db, questionnaire, round_id, []))
        assert len(fast) == (len(values) if questionnaire.items else 0)
    finally:
        db.close()


@pytest.mark.parametrize("by", [["role"], ["avdeling", "unit"]])
def test_a_snapshots_fast_read_gives_its_frame_after_the_answers_change(stored, by):
    """``survey scores`` reads a snapshot: the fast read of it (and the row-per-answer read
    it falls back on) gives the frame of the snapshot's typed answers, not the live ones."""
    db, questionnaire, rounds = stored
    round_id = rounds[0]
    taken = store_snapshot(
        db,
        round_id,
        live_members(db, round_id),
        final=False,
        after=latest_snapshot_id(db, round_id),
        ledger=last_release(db, round_id),
    )
    respondents, _, _ = snapshot_respondents(db, questionnaire, taken.id)
    general = likert_frame(questionnaire, respondents, by)
    db.execute("SAVEPOINT live_change")  # undone below: the module's round stays as it was
    try:
        db.execute(  # everyone now answers 5 to everything, live
            "UPDATE answers SET number = 5, code = '' WHERE response_id IN "
            "(SELECT id FROM responses WHERE round_id = ?)",
            [round_id],
        )
        fast = likert_columns(db, questionnaire, round_id, by, snapshot_id=taken.id)
        rows = results._likert_rows(db, questionnaire, round_id, by, taken.id)
        for read in (fast, rows):
            pd.testing.assert_frame_equal(columns_frame(questionnaire, read, by), general)
        live = columns_frame(questionnaire, likert_columns(db, questionnaire, round_id, by), by)
        assert set(live["point"]) == {5.0} and set(general["point"].dropna()) != {5.0}
    finally:
        db.execute("ROLLBACK TO live_change")
        db.execute("RELEASE live_change")
