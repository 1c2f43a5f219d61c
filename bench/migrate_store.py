"""`survey migrate-store` of a national round: 50,000 responses from SQLite to PostgreSQL.

The round is the 2009 evaluation's generator (``survey.demo.national_2009_round``) at
12,500 municipalities × 4 roles, everyone answering: 50,000 invitations, 50,000 web
responses and about 650,000 answer rows, in a real SQLite file. PostgreSQL is the test
suite's throwaway cluster (``tests/pg.py``: initdb in a temporary directory, a Unix socket,
``fsync=off``, torn down afterwards) with a database that has no tables yet, so the command
also migrates it, as it would a new managed database.

The command runs as the operator runs it, a ``survey migrate-store FROM TO`` process,
and its time includes everything it does: opening both ends, migrating the target, the
copy (COPY on PostgreSQL), the sequences, and the check (every table's count and digest,
every round's export from both sides). Then back from PostgreSQL into a new SQLite file,
the SQLite counterpart. Target (issue 18): SQLite to PostgreSQL in at most 60 s.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import PYTHON, ROOT, Figures, main, say, stopwatch, table

sys.path.insert(0, str(ROOT))  # tests.pg: the suite's throwaway cluster

from survey.demo import national_2009_round
from survey.storage import open_database
from tests.pg import Cluster

SURVEY = [PYTHON, "-c", "from survey.cli import main; main()"]
TARGET_S = 60


def migrate(source: str, target: str) -> float:
    """One ``survey migrate-store`` process; its wall-clock seconds."""
    with stopwatch() as elapsed:
        done = subprocess.run(
            [*SURVEY, "migrate-store", "--quiet", source, target],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    if done.returncode != 0:
        raise SystemExit(f"migrate-store failed:\n{done.stdout}{done.stderr}")
    say(f"  {done.stdout.strip()}")
    return elapsed[0]


def run(quick: bool) -> Figures:
    municipalities = 1_250 if quick else 12_500
    with tempfile.TemporaryDirectory(prefix="migrate-store-") as folder:
        sqlite = str(Path(folder) / "national.sqlite3")
        with stopwatch() as generating:
            db = open_database(sqlite)
            national_2009_round(db, municipalities=municipalities, answer_rate=1.0)
            responses = db.execute("SELECT count(*) FROM responses").fetchone()[0]
            answers = db.execute("SELECT count(*) FROM answers").fetchone()[0]
            db.close()
        say(f"generated {responses:,} responses, {answers:,} answers in {generating[0]:.1f} s")
        # its own directory, as in tests/conftest.py: handed to the postgres user under root
        cluster = Cluster(Path(tempfile.mkdtemp(prefix="survey-pg-"))).start()
        try:
            url = cluster.empty_database()
            to_postgres = migrate(sqlite, url)
            back = str(Path(folder) / "back.sqlite3")
            to_sqlite = migrate(url, back)
        finally:
            cluster.stop()
    figures: Figures = {
        "responses": responses,
        "answers": answers,
        "generate_s": round(generating[0], 1),
        "to_postgres_s": round(to_postgres, 1),
        "responses_per_s": round(responses / to_postgres),
        "to_sqlite_s": round(to_sqlite, 1),
        "to_sqlite_responses_per_s": round(responses / to_sqlite),
    }
    say(
        table(
            [
                ["SQLite → PostgreSQL", figures["to_postgres_s"], figures["responses_per_s"]],
                [
                    "PostgreSQL → SQLite",
                    figures["to_sqlite_s"],
                    figures["to_sqlite_responses_per_s"],
                ],
            ],
            ["migrate-store", "seconds", "responses/s"],
        )
    )
    if not quick:
        verdict = "met" if to_postgres <= TARGET_S else "MISSED"
        say(f"target: {responses:,} responses to PostgreSQL in <= {TARGET_S} s: {verdict}")
    return figures


if __name__ == "__main__":
    main("migrate_store", run)
