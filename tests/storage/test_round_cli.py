"""The secretariat's CLI for rounds: publish, create, invite, print links — real processes."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta

import pytest

from tests.conftest import QUESTIONNAIRES, ROOT

Q2009 = str(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")


@pytest.fixture
def survey(tmp_path):
    env = {
        **os.environ,
        "SURVEY_DATABASE": str(tmp_path / "survey.sqlite3"),
        "SURVEY_BASE_URL": "https://survey.example.no",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from survey.cli import main; main()", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
        )

    run.db = tmp_path / "survey.sqlite3"
    run.dir = tmp_path
    return run


def test_init_db_is_idempotent(survey):
    first = survey("init-db")
    assert first.returncode == 0 and first.stdout.endswith(
        "applied 0001_initial, 0002_accounts, 0003_mailings, 0004_measures, 0005_mail_batches, "
        "0006_sessions, 0007_declared_breakdowns, 0008_access_codes, 0009_releases, "
        "0010_snapshots, 0011_questionnaire_drafts, 0012_response_channel, "
        "0013_return_codes, 0015_jobs, 0016_figure_positions, 0017_double_entry, "
        "0018_report_packs\n"
    )
    second = survey("init-db")
    assert second.stdout.endswith("up to date\n")


def test_publish_create_invite_and_links(survey):
    assert survey("load", Q2009).stdout.startswith("kvalitetskommune-2009 version 1 published")
    created = survey(
        "round",
        "create",
        "kvalitetskommune-2009",
        "--name",
        "Evaluering 2009",
        "--closes",
        (date.today() + timedelta(days=30)).isoformat(),  # a closing date ahead of any clock
    )
    assert created.returncode == 0, created.stderr
    round_id = created.stdout.strip()
    assert round_id == "1"
    people = survey.dir / "people.csv"
    people.write_text(
        "name;email;role;unit;pulje\n"
        "Kari Nordmann;kari@levanger.kommune.no;ordforer;Levanger;2\n"
        "Ola Ødegård;ola@verdal.kommune.no;prosjektleder;Verdal;2\n",
        encoding="cp1252",
    )
    invited = survey("invite", round_id, str(people))
    assert invited.returncode == 0, invited.stderr
    assert invited.stdout == "invited 2 people to round 1\n"
    links = list(csv.DictReader(io.StringIO(survey("links", round_id).stdout)))
    assert [(r["name"], r["role"], r["unit"]) for r in links] == [
        ("Kari Nordmann", "ordforer", "Levanger"),
        ("Ola Ødegård", "prosjektleder", "Verdal"),
    ]
    tokens = [r["url"].removeprefix("https://survey.example.no/s/") for r in links]
    assert all(len(t) >= 32 and "/" not in t for t in tokens) and tokens[0] != tokens[1]
    with sqlite3.connect(survey.db) as conn:
        stored = conn.execute("SELECT token, attributes FROM invitations ORDER BY id").fetchall()
    assert [t for t, _ in stored] == tokens
    assert stored[0][1] == '{"pulje": "2"}'


def test_a_bad_invitation_list_stores_nobody(survey):
    survey("load", Q2009)
    survey("round", "create", "kvalitetskommune-2009", "--name", "R")
    people = survey.dir / "people.csv"
    people.write_text(
        "name,email,role,unit\n"
        "Kari,kari@ex.no,ordforer,Levanger\n"
        "Per,kari@ex.no,ordfører,Verdal\n"
        "Anne,anne@ex.no,radmann,\n",
        encoding="utf-8",
    )
    result = survey("invite", "1", str(people))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "row 3, column email: duplicate email 'kari@ex.no' (first on row 2)"
    assert lines[1].startswith(
        "row 3, column role: unknown role 'ordfører'; did you mean 'ordforer'?"
    )
    assert lines[2] == "row 4, column unit: unit is empty"
    assert lines[-1] == "Error: " + str(people) + ": 3 problem(s); nobody was invited"
    with sqlite3.connect(survey.db) as conn:
        assert conn.execute("SELECT count(*) FROM invitations").fetchone()[0] == 0


def test_inviting_someone_twice_is_refused(survey):
    survey("load", Q2009)
    survey("round", "create", "kvalitetskommune-2009", "--name", "R")
    people = survey.dir / "p.csv"
    people.write_text("name,email,role,unit\nKari,kari@ex.no,ordforer,Levanger\n")
    assert survey("invite", "1", str(people)).returncode == 0
    again = survey("invite", "1", str(people))
    assert again.returncode == 1
    assert "row 2, column email: 'kari@ex.no' is already invited in this round" in again.stderr


def test_anonymous_round_has_one_open_link_when_asked_for(survey):
    survey("load", Q2009)
    created = survey(
        "round",
        "create",
        "kvalitetskommune-2009",
        "--name",
        "Åpen",
        "--anonymous",
        "--open-link",
        "--min-group-size",
        "8",
    )
    assert created.returncode == 0
    rows = list(csv.DictReader(io.StringIO(survey("links", "1").stdout)))
    assert len(rows) == 1 and rows[0]["url"].startswith("https://survey.example.no/a/")
    listed = survey("round", "list").stdout
    assert listed == "1\tÅpen\tanonymous\topen\tmin group 8\n"


def test_errors_are_messages_not_tracebacks(survey):
    missing = survey("round", "create", "nope", "--name", "R")
    assert missing.returncode == 1
    assert missing.stderr == (
        "Error: no published questionnaire 'nope'; publish it with 'survey load FILE'\n"
    )
    assert "Traceback" not in survey("links", "9").stderr
    bad = QUESTIONNAIRES.parent / "docs" / "examples" / "broken.yaml"
    refused = survey("load", str(bad))
    assert refused.returncode == 1 and "problem(s); nothing was published" in refused.stderr
    assert ROOT.exists()


def test_import_responses_and_export_from_the_command_line(survey):
    survey("load", Q2009)
    survey("round", "create", "kvalitetskommune-2009", "--name", "Papir")
    people = survey.dir / "people.csv"
    people.write_text("name,email,role,unit,pulje\nKari,kari@ex.no,ordforer,Levanger,2\n")
    survey("invite", "1", str(people))
    answers = survey.dir / "answers.csv"
    answers.write_text(
        "email;q1;q5;q6;q7;q8;q9a;q9b;q10;q11a;q11b;q12;q13;q14\n"
        "kari@ex.no;ordforer;5;4;3;6;6;vet_ikke;ja_begge;nei;ja;5;5;Godt samarbeid\n",
        encoding="utf-8-sig",
    )
    imported = survey("import-responses", "1", str(answers))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout == "imported 1 responses into round 1\n"
    exported = survey("export", "1", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(rows) == 1
    row = rows[0]
    assert (row["role"], row["unit"], row["pulje"], row["q5"], row["q9b"], row["q14"]) == (
        "ordforer",
        "Levanger",
        "2",
        "5",
        "vet_ikke",
        "Godt samarbeid",
    )
    assert row["email"] and row["q2"] == ""

    bad = survey.dir / "bad.csv"
    bad.write_text("email;q1;q5\nkari@ex.no;ordforer;9\n")
    refused = survey("import-responses", "1", str(bad))
    assert refused.returncode == 1
    assert (
        refused.stderr.splitlines()[0] == "row 2, column q5: value '9': Velg et tall fra 1 til 6."
    )
    # a returned form may leave questions blank: only the impossible 9 is a problem
    assert refused.stderr.splitlines()[-1] == f"Error: {bad}: 1 problem(s); nothing was imported"
    strict = survey("import-responses", "1", str(bad), "--strict")
    assert strict.stderr.splitlines()[-1] == f"Error: {bad}: 11 problem(s); nothing was imported"


def test_scores_obey_the_minimum_group_size(survey):
    survey("load", Q2009)
    survey(
        "round",
        "create",
        "kvalitetskommune-2009",
        "--name",
        "R",
        "--anonymous",
        "--min-group-size",
        "3",
    )
    rows = ["role;q1;q5;q6;q7;q8;q9a;q9b;q10;q11a;q11b;q12;q13"]
    for role, value in [
        ("ordforer", 6),
        ("ordforer", 4),
        ("tillitsvalgt", 5),
        ("tillitsvalgt", 3),
        ("tillitsvalgt", 4),
        ("tillitsvalgt", 2),
        ("radmann", 5),
        ("radmann", 5),
        ("radmann", 6),
    ]:
        rows.append(f"{role};{role};{value};5;5;5;5;ja;nei;nei;nei;5;5")
    data = survey.dir / "r.csv"
    data.write_text("\n".join(rows) + "\n")
    assert survey("import-responses", "1", str(data)).returncode == 0
    result = survey("scores", "1", "--by", "role", "--format", "json")
    assert result.returncode == 0, result.stderr
    import json

    table = json.loads(result.stdout)
    q5 = {row["role"]: row for row in table if row["item"] == "q5"}
    # two mayors: hidden; and the radmann group (3, the smallest other) hidden with them
    assert q5["ordforer"]["suppressed"] and q5["ordforer"]["mean"] is None
    assert q5["radmann"]["suppressed"] and q5["radmann"]["n"] is None
    assert q5["tillitsvalgt"]["n"] == 4 and q5["tillitsvalgt"]["mean"] == 3.5
    assert all(row["min_group_size"] == 3 for row in table)
    index = [row for row in table if row["kind"] == "index" and row["role"] == "tillitsvalgt"]
    assert index[0]["item"] == "vurdering_av_programmet" and index[0]["target"] == 4.5
    total = json.loads(survey("scores", "1", "--format", "json").stdout)
    q5_all = next(row for row in total if row["item"] == "q5")
    # nine forms, two of them identical: still nine respondents
    assert q5_all["n"] == 9 and round(q5_all["mean"], 4) == round(40 / 9, 4)
