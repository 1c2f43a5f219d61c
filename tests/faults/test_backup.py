"""`survey backup FILE` while answers keep coming: a consistent copy that restores.

Writer threads answer through the app (real SQLite file, WAL) without pause; the backup
runs as its own process, as a nightly job would. The copy must pass its integrity check,
hold every response submitted before the backup started, hold no half-saved page, and
serve respondents again once restored."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

from survey import create_app
from tests.conftest import ROOT
from tests.faults.conftest import (
    email,
    expected_rows,
    integrity,
    invited_round,
    plan,
    rows_by_respondent,
)
from tests.web.conftest import csrf

PEOPLE = 1200  # enough that answers are still coming in when the backup is done


def survey_cli(db_path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from survey.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SURVEY_DATABASE": str(db_path), "SURVEY_SECRET_KEY": "b"},
        timeout=120,
    )


def writer(app, tokens, numbers, submitted: dict[int, float], stop: threading.Event) -> None:
    for i in numbers:
        if stop.is_set():
            return
        client = app.test_client()
        page = client.get(f"/s/{tokens[i]}/side/1").get_data(as_text=True)
        for step in plan(i):
            r = client.post(
                f"/s/{tokens[i]}/side/{step.page}",
                data={"csrf_token": csrf(page), **step.data, "action": "next"},
            )
            assert r.status_code == 302, r.get_data(as_text=True)[:300]
        submitted[i] = time.monotonic()


def test_online_backup_is_consistent_and_restores(tmp_path):
    live = tmp_path / "live.sqlite3"
    tokens = invited_round(live, PEOPLE)
    app = create_app({"DATABASE": str(live), "SECRET_KEY": "b", "TESTING": True})
    submitted: dict[int, float] = {}
    stop = threading.Event()
    # A long read (a report, say) keeps an old snapshot open, so SQLite cannot fold the
    # write-ahead log back into the file: the file alone is not the database now.
    report = sqlite3.connect(live, isolation_level=None)
    report.execute("BEGIN")
    report.execute("SELECT count(*) FROM answers").fetchone()
    writers = [
        threading.Thread(target=writer, args=(app, tokens, range(k, PEOPLE, 4), submitted, stop))
        for k in range(4)
    ]
    for thread in writers:
        thread.start()
    try:
        while len(submitted) < 20:
            time.sleep(0.02)
        started = time.monotonic()
        result = survey_cli(live, "backup", str(tmp_path / "kopi" / "backup.sqlite3"))
        finished = time.monotonic()
        deadline = finished + 60  # answers keep coming after the backup, too: wait for one
        while not any(t > finished for t in list(submitted.values())):
            assert time.monotonic() < deadline, "no answer came in after the backup"
            assert any(w.is_alive() for w in writers), "every answer was in before it ended"
            time.sleep(0.02)
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=120)
        report.execute("COMMIT")
        report.close()
    assert result.returncode == 0, result.stderr
    copy = tmp_path / "kopi" / "backup.sqlite3"
    assert result.stdout.startswith(f"backed up {live} to {copy}: ")
    assert result.stdout.rstrip().endswith("integrity ok")
    assert not (tmp_path / "kopi" / "backup.sqlite3.partial").exists()

    before = {i for i, t in submitted.items() if t < started}
    during = {i for i, t in submitted.items() if started <= t <= finished}
    after = {i for i, t in submitted.items() if t > finished}
    assert before and after, "the backup did not run while answers were coming in"

    plain = sqlite3.connect(copy)  # as the file is: one self-contained file, no WAL
    assert plain.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert plain.execute("PRAGMA foreign_key_check").fetchall() == []
    plain.close()
    assert integrity(copy) == "ok"
    saved, now = rows_by_respondent(copy), rows_by_respondent(live)
    for i in before:
        assert saved.get(i) == (True, expected_rows(i)), f"{i} was submitted before the backup"
    for i in after - during:
        assert not saved.get(i, (False,))[0]
    for i, (was_submitted, rows) in saved.items():
        # Whole pages only: the copy holds a prefix of the respondent's pages.
        pages = [step.rows for step in plan(i)]
        prefixes = [frozenset().union(*pages[:n]) for n in range(len(pages) + 1)]
        assert rows in prefixes, i
        # Submitted means complete. (The last page and the submission are two commits, so
        # a complete response may be caught just before its submission.)
        assert was_submitted <= (rows == expected_rows(i))
        assert rows <= now[i][1]
    assert len(saved) <= len(now) and sum(s for s, _ in now.values()) > len(before)

    # Restore: the copy becomes the database of a fresh app, and respondents carry on.
    restored = tmp_path / "restored.sqlite3"
    shutil.copyfile(copy, restored)
    app = create_app({"DATABASE": str(restored), "SECRET_KEY": "b", "TESTING": True})
    client = app.test_client()
    someone = min(before)
    done = client.get(f"/s/{tokens[someone]}/ferdig")
    assert done.status_code == 200 and "Svaret ditt er registrert" in done.get_data(as_text=True)
    export = app.test_cli_runner().invoke(args=["export", "1"])
    assert export.exit_code == 0
    assert sum(1 for line in export.stdout.splitlines()[1:] if line) == sum(
        s for s, _ in saved.values()
    )
    # the restored copy knows who answered: by e-mail, never by the token of their link
    assert email(someone) in export.stdout and tokens[someone] not in export.stdout


def test_backup_refuses_to_overwrite_the_live_database(tmp_path):
    live = tmp_path / "live.sqlite3"
    invited_round(live, 3)
    size = live.stat().st_size
    app = create_app({"DATABASE": str(live), "SECRET_KEY": "b", "TESTING": True})
    result = app.test_cli_runner().invoke(args=["backup", str(live)])
    assert result.exit_code == 1
    assert "is the live database; choose another file for the backup" in result.output
    assert live.stat().st_size == size and integrity(live) == "ok"


def test_a_postgresql_installation_is_backed_up_as_a_sqlite_file_that_restores(
    tmp_path, pg_cluster
):
    """On PostgreSQL, `survey backup FILE` writes the installation as one SQLite file
    (checked table by table before it is kept), which serves respondents as a one-machine
    database and goes back into an empty PostgreSQL database with `survey migrate-store`."""
    live = pg_cluster.fresh_database()
    tokens = invited_round(live, 6)
    app = create_app({"DATABASE": live, "SECRET_KEY": "b", "TESTING": True})
    writer(app, tokens, range(4), {}, threading.Event())  # four sent in, two not started

    copy = tmp_path / "nightly.sqlite3"
    done = survey_cli(live, "backup", str(copy))
    assert done.returncode == 0, done.stderr
    assert "4 responses (4 submitted)" in done.stdout
    assert integrity(copy) == "ok"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nightly.sqlite3"]  # no -wal, no .partial
    assert rows_by_respondent(copy) == rows_by_respondent(live)
    assert rows_by_respondent(copy) == {i: (True, expected_rows(i)) for i in range(4)}

    restored = pg_cluster.empty_database()
    back = survey_cli(live, "migrate-store", str(copy), restored)
    assert back.returncode == 0, back.stdout + back.stderr
    assert rows_by_respondent(restored) == rows_by_respondent(live)

    again = survey_cli(live, "backup", str(copy))  # over last night's file: replaced whole
    assert again.returncode == 0 and integrity(copy) == "ok"
