"""The database file: pragmas, idempotent migrations, immutable questionnaire versions."""

from __future__ import annotations

from datetime import date

import pytest

from survey.errors import Conflict, NotFound
from survey.questionnaire import QuestionnaireError, load_file, load_text
from survey.storage import migrations, open_database
from survey.storage.migrations import STEPS, migrate
from survey.storage.questionnaires import latest_version, publish, questionnaire_of_version
from survey.storage.rounds import close_round, create_round, get_round
from survey.storage.store import integrity_errors
from tests.conftest import QUESTIONNAIRES

Q2009 = QUESTIONNAIRES / "kvalitetskommune-2009.yaml"


@pytest.fixture
def db(database):
    opened = open_database(database)
    yield opened
    opened.close()


def test_pragmas_and_tables(tmp_path):
    db = open_database(tmp_path / "survey.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert {"questionnaire_versions", "rounds", "invitations", "responses", "answers"} <= set(
        db.table_names()
    )
    assert (tmp_path / "survey.sqlite3").exists()


def test_migrations_are_idempotent_and_recorded(db):
    assert migrate(db) == []
    names = [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY name")]
    assert names == [name for name, _ in STEPS]


def test_a_percent_sign_means_the_same_with_and_without_parameters(db):
    """``%`` is modulo, and literal in a string, on both stores, whether or not the
    statement has parameters (psycopg reads ``%`` as a placeholder only when it has some)."""
    assert db.execute("SELECT 7 % 5, 'a%b'").fetchone() == (2, "a%b")
    assert db.execute("SELECT 7 % ?, 'a%b'", [5]).fetchone() == (2, "a%b")
    assert db.table_names() and "rounds" in db.table_names()


def test_a_write_transaction_is_whole_wherever_its_first_statement_falls(db, database):
    """On PostgreSQL ``writing`` sends BEGIN and the write lock with the transaction's first
    statement (one round trip fewer per write); on both stores the first statement's
    results are there, a failure in it or after it leaves nothing, and an empty
    transaction or a read inside one changes nothing."""
    db.execute("CREATE TABLE scratch (n INTEGER PRIMARY KEY)")
    other = open_database(database, migrate=False)

    def stored() -> list[int]:
        return [n for (n,) in other.execute("SELECT n FROM scratch ORDER BY n")]

    with db.writing():
        assert db.in_transaction
        assert db.execute("INSERT INTO scratch (n) VALUES (1), (2)").rowcount == 2
        assert stored() == []  # not committed yet
    assert stored() == [1, 2] and not db.in_transaction
    with db.writing():
        assert db.execute("SELECT count(*) FROM scratch").fetchone() == (2,)
        with db.reading():  # inside a transaction: no snapshot of its own
            db.execute("DELETE FROM scratch WHERE n = 2")
    assert stored() == [1]
    with pytest.raises(integrity_errors()), db.writing():
        db.execute("INSERT INTO scratch (n) VALUES (1)")  # the first statement fails
    with pytest.raises(ValueError), db.writing():
        db.execute("INSERT INTO scratch (n) VALUES (3)")
        raise ValueError("after a statement")
    with db.writing():
        pass
    with db.writing(), db.batch():  # the batch opens the transaction
        db.execute("INSERT INTO scratch (n) VALUES (4)")
        db.executemany("INSERT INTO scratch (n) VALUES (?)", [(5,), (6,)])
    assert stored() == [1, 4, 5, 6] and not db.in_transaction
    other.close()


def test_foreign_keys_are_enforced(db):
    with pytest.raises(integrity_errors()):
        db.execute(
            "INSERT INTO rounds (name, questionnaire_version_id, created_at) VALUES ('x', 99, 'now')"
        )


def test_publishing_the_same_text_twice_gives_one_version(db):
    first = publish(db, load_file(Q2009))
    again = publish(db, load_file(Q2009))
    assert first.created and not again.created and first.id == again.id
    assert db.execute("SELECT count(*) FROM questionnaire_versions").fetchone()[0] == 1


def test_round_keeps_the_version_it_was_opened_with(db, tmp_path):
    text = Q2009.read_text(encoding="utf-8")
    publish(db, load_file(Q2009))
    round_ = create_round(db, "kvalitetskommune-2009", "Evaluering november 2009")
    edited = text.replace("Hva er din tilknytning til kommunen?", "Hvem er du?")
    with pytest.raises(Conflict, match="already published with different content"):
        publish(db, load_text(edited, "edited.yaml"))
    edited = edited.replace("\nversion: 1\n", "\nversion: 2\n")
    new_version = publish(db, load_text(edited, "edited.yaml"))
    assert latest_version(db, "kvalitetskommune-2009").id == new_version.id
    kept = questionnaire_of_version(db, get_round(db, round_.id).questionnaire_version_id)
    assert kept.question("q1").text.default == "Hva er din tilknytning til kommunen?"
    newer = create_round(db, "kvalitetskommune-2009", "Ny runde")
    assert newer.questionnaire_version_id == new_version.id


def test_a_questionnaire_with_errors_is_never_published(db):
    with pytest.raises(QuestionnaireError):
        publish(db, load_text("id: x\nversion: 1\ntitle: X\npages: [{id: p}]\n", "bad.yaml"))
    assert db.execute("SELECT count(*) FROM questionnaire_versions").fetchone()[0] == 0


def test_round_defaults_and_options(db):
    publish(db, load_file(Q2009))
    invited = create_round(db, "kvalitetskommune-2009", "Invitert")
    assert (invited.anonymous, invited.min_group_size, invited.open_token) == (False, 5, None)
    anonymous = create_round(
        db,
        "kvalitetskommune-2009",
        "Åpen",
        anonymous=True,
        min_group_size=10,
        closes_on=date(2009, 12, 15),
    )
    assert anonymous.anonymous and anonymous.min_group_size == 10
    assert len(anonymous.open_token) >= 32
    assert not anonymous.is_open() and anonymous.is_open(today=date(2009, 12, 15))


def test_close_and_reopen(db):
    publish(db, load_file(Q2009))
    round_ = create_round(db, "kvalitetskommune-2009", "R")
    assert round_.is_open()
    assert not close_round(db, round_.id).is_open()
    assert close_round(db, round_.id, reopen=True).is_open()


def test_unknown_questionnaire_and_round_give_clear_errors(db):
    with pytest.raises(NotFound, match="no published questionnaire 'nope'"):
        create_round(db, "nope", "R")
    with pytest.raises(NotFound, match="there is no round 42"):
        get_round(db, 42)


def test_existing_responses_get_their_channel(tmp_path, monkeypatch):
    """0012_response_channel: a response an import made (an anonymous import's key, or an
    invited one at page 0, which no web save writes) is ``import``; the rest ``web``."""
    database = open_database(tmp_path / "old.sqlite3", migrate=False)
    before = [step for step in STEPS if step[0] < "0012"]
    monkeypatch.setattr(migrations, "STEPS", before)
    migrate(database)
    publish(database, load_file(Q2009))
    round_ = create_round(database, "kvalitetskommune-2009", "Gammel")
    database.execute(
        "INSERT INTO invitations (round_id, token, name, email, role, unit, created_at) "
        "VALUES (?, 't1', 'A', 'a@ex.no', 'ordforer', 'X', 'now'), "
        "(?, 't2', 'B', 'b@ex.no', 'ordforer', 'X', 'now')",
        [round_.id, round_.id],
    )
    database.execute(
        "INSERT INTO responses (round_id, invitation_id, session_key, page, submitted, "
        "started_on) VALUES (?, 1, NULL, 4, 1, 'd'), (?, 2, NULL, 0, 1, 'd'), "
        "(?, NULL, 'import:abc:2', 0, 1, 'd'), (?, NULL, 'cookie', 2, 0, 'd')",
        [round_.id] * 4,
    )
    database.conn.commit()
    monkeypatch.setattr(migrations, "STEPS", STEPS)
    assert migrate(database)[0] == "0012_response_channel"
    channels = database.execute("SELECT channel FROM responses ORDER BY id").fetchall()
    assert channels == [("web",), ("import",), ("import",), ("web",)]
    database.close()
