"""`survey migrate-store FROM TO` (issue 18): a whole installation copied from SQLite to
PostgreSQL and back, every table row for row, ids kept and sequences moved on; a target
that holds anything refused; a failure or a difference leaving the target empty."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from survey.accounts import operator
from survey.demo import answers_2009, national_2009_round
from survey.errors import Conflict, Unavailable
from survey.invitation_list import Person
from survey.operations.access_codes import create_codes
from survey.operations.migrate_store import export_of, migrate_store
from survey.operations.results import round_page
from survey.questionnaire.answers import Answer
from survey.records import ImportedResponse
from survey.storage import migrations, open_database, store_copy
from survey.storage.drafts import create_draft
from survey.storage.invitations import add_invitations
from survey.storage.jobs import enqueue, worker_started
from survey.storage.keyings import add_keying, set_double_entry
from survey.storage.mailings import mark_bounced, record_sent, set_mail_template
from survey.storage.measures import add_measure
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.report_packs import Planned, order_pack
from survey.storage.responses import import_responses, respondents_of
from survey.storage.return_codes import assign_numbers, set_return_address
from survey.storage.rounds import create_round
from survey.storage.sessions import start_session
from survey.storage.store import PostgresStore
from survey.storage.users import add_user, audit, sign_in
from tests.conftest import ROOT

SURVEY = [sys.executable, "-c", "from survey.cli import main; main()"]
PASSWORD = "et langt og godt passord"


def survey(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SURVEY, *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def fill(location: str) -> None:
    """An installation with a row in every table: a national round answered on the web,
    paper forms typed in, a file imported, a paper form held beside a web response, an
    anonymous round with codes, a release and its snapshot, mail, measures, accounts and
    sessions, drafts, jobs and workers, double entry with a keying waiting."""
    db = open_database(location)
    try:
        round_ = national_2009_round(db, municipalities=12, answer_rate=0.75, seed=18)
        q = questionnaire_of_version(db, round_.questionnaire_version_id)
        admin = add_user(db, "admin@sekretariatet.no", PASSWORD, "admin")
        add_user(db, "analytiker@sekretariatet.no", PASSWORD, "analyst")
        add_user(db, "leder@kommune001.no", PASSWORD, "unit-leader", ["Kommune 001"])
        signed_in = sign_in(db, "admin@sekretariatet.no", PASSWORD)
        start_session(db, signed_in.id, datetime.now(UTC), timedelta(hours=1), timedelta(days=1))
        audit(db, "cli:test", "migrated", "a detail with «æøå» and 'quotes'")

        invited = respondents_of(db, round_.id)
        answered = {row[0] for row in db.execute("SELECT invitation_id FROM responses").fetchall()}
        waiting = [r for r in invited.values() if r.invitation_id not in answered]
        on_web = next(r for r in invited.values() if r.invitation_id in answered)
        rng = __import__("random").Random(7)

        def form(row: int, respondent) -> ImportedResponse:
            answers = answers_2009(q, respondent.role, rng)
            answers["q14"] = Answer("Skjema med «sitat», 'apostrof' og linjeskift\nher")
            return ImportedResponse(row, answers, respondent.role, respondent.unit, {}, respondent)

        import_responses(db, q, round_.id, [form(1, waiting[0])], channel="paper")
        import_responses(db, q, round_.id, [form(2, waiting[1]), form(3, on_web)])  # held

        assign_numbers(db, round_.id)
        set_return_address(db, round_.id, "Sekretariatet\nPostboks 1378 Vika\n0114 Oslo")
        set_double_entry(db, round_.id, True, admin.email)
        add_keying(
            db, round_.id, waiting[2].invitation_id, {"q1": "ordforer"}, admin.email, after=0
        )

        record_sent(db, waiting[3].invitation_id, "invitation")
        record_sent(db, waiting[4].invitation_id, "invitation", "550 mailbox unavailable")
        mark_bounced(db, waiting[3].key, round_.id)
        set_mail_template(db, round_.id, "reminder", "Påminnelse", "Hei {navn}!\nSvar her.")
        db.execute(
            "INSERT INTO mail_batches (round_id, claim, kind, started_at, touched_at) "
            "VALUES (?, 'claim-1', 'reminder', '2026-01-01T00:00:00', '2026-01-01T00:00:01')",
            [round_.id],
        )
        add_measure(
            db, round_.id, "Kommune 001", "vurdering_av_programmet", "Møte", "Rådmann",
            date(2030, 1, 1), admin.email,
        )  # fmt: skip
        round_page(db, add_user(db, "les@sekretariatet.no", PASSWORD, "analyst"), round_.id)

        anonymous = create_round(
            db, "kvalitetskommune-2009", "Anonym", anonymous=True, open_link=False
        )
        create_codes(db, operator(), anonymous.id, 3)
        answers = answers_2009(q, "radmann", rng)
        import_responses(db, q, anonymous.id, [ImportedResponse(1, answers, "radmann", "Ø", {})])
        other = create_round(db, "kvalitetskommune-2009", "Liten")
        add_invitations(db, other.id, [Person("Åse", "ase@ex.no", "ordforer", "Å", {})])

        create_draft(db, "ny", "id: ny\nversion: 1\n", "kvalitetskommune-2009", admin.email)
        enqueue(db, "report", "report:1", {"round": round_.id, "by": ["role"]}, max_attempts=3)
        order_pack(
            db,
            round_.id,
            admin.email,
            [Planned("Kommune A", ("role",))],
            "report-pack",
            {"round": round_.id},
            max_attempts=3,
        )
        worker_started(db, "worker-1", "maskin", 4242)
        db.execute(
            "INSERT INTO answers (response_id, item, code, number) "
            "SELECT min(id), 'q5_exact', '', 0.1 + 0.2 FROM responses"
        )  # a float whose last bit a text round trip could lose
    finally:
        db.close()


def sqlite_rows(path: str) -> dict[str, list[tuple]]:
    """Every table of a SQLite file, rows sorted, read with nothing of ours."""
    conn = sqlite3.connect(path)
    try:
        names = [
            n
            for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
            )
            if n != "_migrations"
        ]
        return {n: sorted(conn.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}
    finally:
        conn.close()


def postgres_rows(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as conn:
        names = [
            n
            for (n,) in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
            if n != "_migrations"
        ]
        return {n: sorted(conn.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}


@pytest.fixture
def source(tmp_path) -> str:
    path = str(tmp_path / "kilde.sqlite3")
    fill(path)
    return path


def test_a_round_trip_through_postgresql_keeps_every_table_row_for_row(
    source, pg_cluster, tmp_path
):
    before = sqlite_rows(source)
    empty = sorted(name for name, rows in before.items() if not rows)
    assert empty == [], f"fill() leaves {empty} empty: give every table rows, so each is compared"
    assert len(before) >= 27

    url = pg_cluster.fresh_database()
    there = survey("migrate-store", source, url)
    assert there.returncode == 0, there.stderr
    total = sum(len(rows) for rows in before.values())
    assert (
        f"{len(before)} tables, {total:,} rows, the exports of 3 round(s) compared" in there.stdout
    )
    assert "copied answers:" in there.stderr
    assert postgres_rows(url) == before  # floats equal exactly, text as stored

    back = str(tmp_path / "tilbake.sqlite3")
    again = survey("migrate-store", url, back)
    assert again.returncode == 0, again.stderr
    assert sqlite_rows(back) == before

    exact = (
        sqlite3.connect(back)
        .execute("SELECT number FROM answers WHERE item = 'q5_exact'")
        .fetchone()
    )
    assert exact == (0.1 + 0.2,) and exact != (0.3,)

    # what the secretariat exports is the same bytes from all three
    for round_id in (1, 2, 3):
        exports = set()
        for location in (source, url, back):
            db = open_database(location, migrate=False)
            try:
                exports.add(export_of(db, round_id))
            finally:
                db.close()
        assert len(exports) == 1
    pg_cluster.drop(url)


def test_new_rows_on_postgresql_get_ids_after_the_copied_ones(source, pg_cluster):
    url = pg_cluster.fresh_database()
    done = migrate_store(source, url)
    assert done.ok, done.mismatches
    db = open_database(url)
    try:
        highest = {
            table: db.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
            for table in ("rounds", "invitations", "users", "audit_log", "releases")
        }
        fresh = create_round(db, "kvalitetskommune-2009", "Etter flyttingen")
        add_invitations(db, fresh.id, [Person("Per", "per@ex.no", "ordforer", "Ny", {})])
        user = add_user(db, "ny@sekretariatet.no", PASSWORD, "admin")
        audit(db, "cli:test", "after", "")
        assert fresh.id == highest["rounds"] + 1
        assert user.id == highest["users"] + 1
        (invitation,) = db.execute(
            "SELECT id FROM invitations WHERE round_id = ?", [fresh.id]
        ).fetchone()
        assert invitation == highest["invitations"] + 1
        assert db.execute("SELECT max(id) FROM audit_log").fetchone()[0] == highest["audit_log"] + 1
    finally:
        db.close()
        pg_cluster.drop(url)


def test_a_target_holding_any_row_is_refused_and_left_as_it_was(source, pg_cluster, tmp_path):
    url = pg_cluster.fresh_database()
    db = open_database(url)
    add_user(db, "der@fra.no", PASSWORD, "admin")
    before = postgres_rows(url)
    db.close()
    refused = survey("migrate-store", source, url)
    assert refused.returncode == 1
    assert "Error: TO already holds data (table users has rows)" in refused.stderr
    assert "nothing was written" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert postgres_rows(url) == before
    pg_cluster.drop(url)

    other = str(tmp_path / "annen.sqlite3")
    fill(other)
    kept = sqlite_rows(other)
    refused = survey("migrate-store", source, other)
    assert refused.returncode == 1
    assert "Error: TO already holds data (table " in refused.stderr
    assert sqlite_rows(other) == kept


def test_a_failure_half_way_leaves_the_target_empty(source, pg_cluster, monkeypatch):
    url = pg_cluster.fresh_database()
    load = PostgresStore.load_rows
    loaded: list[str] = []

    def failing(self, table, columns, rows):
        if table == "answers":
            raise psycopg.errors.DiskFull("could not extend file: No space left on device")
        load(self, table, columns, rows)
        loaded.append(table)

    monkeypatch.setattr(PostgresStore, "load_rows", failing)
    with pytest.raises(Unavailable, match=r"copying table answers failed \(could not extend"):
        migrate_store(source, url)
    assert "invitations" in loaded and "responses" in loaded  # rows were written, then undone
    assert all(rows == [] for rows in postgres_rows(url).values())

    monkeypatch.setattr(PostgresStore, "load_rows", load)
    assert migrate_store(source, url).ok  # and it can simply be run again
    pg_cluster.drop(url)


def test_a_difference_found_by_the_check_rolls_back_and_fails(source, pg_cluster, monkeypatch):
    url = pg_cluster.fresh_database()
    load = PostgresStore.load_rows

    def altering(self, table, columns, rows):
        if table == "audit_log":
            detail = columns.index("detail")
            rows = [(*row[:detail], row[detail] + " ", *row[detail + 1 :]) for row in rows]
        load(self, table, columns, rows)

    monkeypatch.setattr(PostgresStore, "load_rows", altering)
    done = migrate_store(source, url)
    assert done.mismatches == [
        f"table audit_log: the rows differ (same count, {len(sqlite_rows(source)['audit_log'])})"
    ]
    assert all(rows == [] for rows in postgres_rows(url).values())
    pg_cluster.drop(url)


def test_a_table_a_new_migration_adds_is_copied_without_changing_the_copy(
    tmp_path, pg_cluster, monkeypatch
):
    def notes(db) -> None:
        migrations._script(
            db,
            "CREATE TABLE round_notes (id INTEGER PRIMARY KEY, "
            "round_id INTEGER NOT NULL REFERENCES rounds(id), note TEXT NOT NULL, weight REAL)",
        )

    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, ("9999_round_notes", notes)])
    path = str(tmp_path / "ny.sqlite3")
    db = open_database(path)
    round_ = national_2009_round(db, municipalities=2)
    db.execute(
        "INSERT INTO round_notes (id, round_id, note, weight) VALUES (7, ?, 'notat', 2.5)",
        [round_.id],
    )
    db.close()
    url = pg_cluster.fresh_database()
    done = migrate_store(path, url)
    assert done.ok
    assert ("round_notes", 1) in [(t.table, t.rows) for t in done.tables]
    assert postgres_rows(url)["round_notes"] == [(7, round_.id, "notat", 2.5)]
    order = [t.table for t in done.tables]
    assert order.index("rounds") < order.index("round_notes")
    pg_cluster.drop(url)


def test_the_digest_tells_apart_a_float_one_bit_off_and_json_spelt_otherwise(tmp_path):
    db = open_database(str(tmp_path / "d.sqlite3"))
    table = next(t for t in store_copy.survey_tables(db) if t.name == "answers")
    round_ = national_2009_round(db, municipalities=1, answer_rate=1.0)
    first = store_copy.table_digest(db, table)
    db.execute("UPDATE answers SET number = number + 4.440892098500626e-16 WHERE number = 2.0")
    db.execute("UPDATE answers SET number = 2.0 WHERE number > 2.0 AND number < 2.0000001")
    assert store_copy.table_digest(db, table) == first  # back exactly: the same digest
    db.execute("UPDATE answers SET number = 4.000000000000001 WHERE number = 4.0")
    assert store_copy.table_digest(db, table).digest != first.digest

    responses = next(t for t in store_copy.survey_tables(db) if t.name == "responses")
    before = store_copy.table_digest(db, responses)
    db.execute(
        'UPDATE responses SET attributes = \'{"pulje":"2"}\' WHERE round_id = ?', [round_.id]
    )
    db.execute(
        'UPDATE responses SET attributes = \'{"pulje": "2"}\' WHERE round_id = ?', [round_.id]
    )
    assert store_copy.table_digest(db, responses) == before  # as it was stored
    db.execute(
        'UPDATE responses SET attributes = \'{"pulje":"2"}\' WHERE round_id = ?', [round_.id]
    )
    assert store_copy.table_digest(db, responses).digest != before.digest  # same JSON, other text
    db.close()


def test_tables_are_in_foreign_key_order_on_both_stores(tmp_path, pg_cluster):
    url = pg_cluster.fresh_database()
    for location in (str(tmp_path / "o.sqlite3"), url):
        db = open_database(location)
        tables = store_copy.survey_tables(db)
        db.close()
        order = [t.name for t in tables]
        for table in tables:
            for parent in table.parents - {table.name}:
                assert order.index(parent) < order.index(table.name), (location, table.name)
        assert "_migrations" not in order
        assert {"rounds", "answers", "paper_keyings", "jobs"} <= set(order)
    pg_cluster.drop(url)


def test_clear_errors_for_what_the_operator_gave(tmp_path, pg_cluster):
    missing = survey("migrate-store", str(tmp_path / "finnes-ikke.sqlite3"), str(tmp_path / "x"))
    assert missing.returncode == 1
    assert "Error: FROM: " in missing.stderr and "is no file" in missing.stderr

    junk = tmp_path / "tekst.sqlite3"
    junk.write_text("dette er ingen database\n" * 100)
    not_sqlite = survey("migrate-store", str(junk), str(tmp_path / "y.sqlite3"))
    assert "is not a SQLite database (file is not a database)" in not_sqlite.stderr

    source = str(tmp_path / "gammel.sqlite3")
    db = open_database(source)
    db.execute("DELETE FROM _migrations WHERE name = ?", [migrations.STEPS[-1][0]])
    db.close()
    unreachable = f"postgresql://bruker:hemmelig@/survey?host={tmp_path}/ingen"
    old = survey("migrate-store", source, unreachable)
    last = migrations.STEPS[-1][0]
    assert f"is not at the current schema (1 migration(s) pending: {last})" in old.stderr
    assert "survey init-db" in old.stderr

    fine = str(tmp_path / "ny.sqlite3")
    open_database(fine).close()
    nowhere = survey("migrate-store", fine, unreachable)
    assert nowhere.returncode == 1
    assert "Error: TO: cannot connect to postgresql://bruker:***@/survey" in nowhere.stderr
    assert "hemmelig" not in nowhere.stderr

    same = survey("migrate-store", fine, fine)
    assert "Error: FROM and TO are the same database" in same.stderr
    for result in (missing, not_sqlite, old, nowhere, same):
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr


def test_a_schema_from_a_newer_release_is_refused(tmp_path):
    source = str(tmp_path / "nyere.sqlite3")
    db = open_database(source)
    db.execute("INSERT INTO _migrations (name, applied_at) VALUES ('9999_future', 'x')")
    db.close()
    with pytest.raises(Conflict, match="written by a newer release"):
        migrate_store(source, str(tmp_path / "til.sqlite3"))
