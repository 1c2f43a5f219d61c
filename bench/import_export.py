"""Bulk import and CSV export of 50,000 responses (1,000,000 answers).

Import goes through the product's own path with every check on, exactly as
``survey import-responses`` does: ``transfer.read_responses`` (decoding, separator
sniffing, row numbers, ``parse_answer`` and ``check_answers`` per row, identity lookup)
and then ``storage.responses.import_responses`` into a real SQLite file. Export is
``survey export --format csv``: ``submitted_responses``, ``export_table`` and the csv
writer to a file. Both are timed in their parts, so a slow stage is visible at once.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from benchlib import (
    Figures,
    Population,
    likert_yaml,
    main,
    population,
    say,
    stopwatch,
    table,
)

from survey.invitation_list import Person
from survey.questionnaire import load_text
from survey.questionnaire.model import Questionnaire
from survey.responses_csv import export_table, read_responses
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.responses import import_responses, respondents_of, submitted_responses
from survey.storage.rounds import create_round

ITEMS = 20


def make_csv(pop: Population, emails: list[str]) -> bytes:
    """One row per respondent: e-mail and 20 answers, as a secretariat's file would be."""
    ids = [f"s{i:02d}" for i in range(1, ITEMS + 1)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["email", *ids])
    cells = ["vet_ikke", "1", "2", "3", "4", "5", "6"]
    for email, row in zip(emails, pop.points[:, :ITEMS].tolist(), strict=True):
        writer.writerow([email, *(cells[p] for p in row)])
    return out.getvalue().encode("utf-8")


def read_round(db_path: Path, questionnaire: Questionnaire, round_id: int) -> tuple[list, float]:
    """What both exports start from: the round's submitted responses, and the seconds."""
    db = open_database(db_path, migrate=False)
    try:
        with stopwatch() as t_read:
            rows = submitted_responses(db, questionnaire, round_id)
    finally:
        db.conn.close()
    return rows, t_read[0]


def export_csv(db_path: Path, questionnaire: Questionnaire, round_id: int, out: Path) -> Figures:
    """``survey export ROUND --format csv -o FILE``, step by step."""
    rows, read_s = read_round(db_path, questionnaire, round_id)
    with stopwatch() as t_table:
        data = export_table(questionnaire, rows, identity=True)
    with stopwatch() as t_write, open(out, "w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows(data)
    return {
        "responses": len(data) - 1,
        "submitted_responses_s": round(read_s, 3),
        "export_table_s": round(t_table[0], 3),
        "write_s": round(t_write[0], 3),
        "total_s": round(read_s + t_table[0] + t_write[0], 3),
    }


def export_xlsx(db_path: Path, questionnaire, round_id: int, out: Path) -> dict[str, float]:
    """The Excel export as `survey export --format xlsx` does it: read, then three sheets."""
    from survey.spreadsheet import write_workbook

    rows, read_s = read_round(db_path, questionnaire, round_id)
    with stopwatch() as t_write:
        write_workbook(questionnaire, rows, out, identity=True)
    return {
        "submitted_responses_s": round(read_s, 3),
        "write_s": round(t_write[0], 3),
        "total_s": round(read_s + t_write[0], 3),
        "megabytes": round(out.stat().st_size / 1e6, 1),
    }


def run(quick: bool) -> Figures:
    respondents = 5_000 if quick else 50_000
    pop = population(respondents, ITEMS, seed=5)
    with tempfile.TemporaryDirectory(prefix="bench-transfer-") as tmp:
        db_path = Path(tmp) / "import.sqlite3"
        db = open_database(db_path)
        result = load_text(likert_yaml(ITEMS), "likert20.yaml")
        questionnaire = result.questionnaire
        assert questionnaire is not None
        publish(db, result)
        round_id = create_round(db, "likert20", "Import").id
        people = [
            Person(f"P {n}", f"p{n}@bench.no", pop.role(n), pop.unit(n), {})
            for n in range(respondents)
        ]
        emails = [inv.email for inv in add_invitations(db, round_id, people)]
        data = make_csv(pop, emails)
        say(f"{respondents:,} responses × {ITEMS} answers, CSV {len(data) / 1e6:.1f} MB")

        with stopwatch() as t_lookup:
            known = respondents_of(db, round_id)
        with stopwatch() as t_check:
            imported = read_responses(data, questionnaire, respondents=known)
        with stopwatch() as t_store:
            count = import_responses(db, questionnaire, round_id, imported).stored
        stored = db.execute(
            "SELECT count(*) FROM responses WHERE round_id = ? AND submitted = 1", [round_id]
        ).fetchone()[0]
        answers = db.execute("SELECT count(*) FROM answers").fetchone()[0]
        db.conn.close()
        assert count == stored == respondents, (count, stored)
        assert answers == respondents * ITEMS, answers
        import_s = t_lookup[0] + t_check[0] + t_store[0]

        exported = export_csv(db_path, questionnaire, round_id, Path(tmp) / "export.csv")
        excel = export_xlsx(db_path, questionnaire, round_id, Path(tmp) / "export.xlsx")
        text = (Path(tmp) / "export.csv").read_text(encoding="utf-8-sig")
        lines = text.splitlines()
        assert len(lines) == respondents + 1
        original = data.decode().splitlines()
        # Same answers back: the exported row ends with the 20 cells the import read.
        for n in range(0, respondents, max(1, respondents // 100)):
            assert lines[n + 1].endswith(original[n + 1].split(",", 1)[1]), n

    figures: Figures = {
        "responses": respondents,
        "answers": respondents * ITEMS,
        "import": {
            "respondents_of_s": round(t_lookup[0], 3),
            "read_responses_s": round(t_check[0], 3),
            "import_responses_s": round(t_store[0], 3),
            "total_s": round(import_s, 3),
        },
        "export_csv": exported,
        "export_excel": excel,
    }
    say(
        table(
            [
                ["import: respondents_of (e-mails)", t_lookup[0], ""],
                ["import: read_responses (parse + check)", t_check[0], ""],
                ["import: import_responses (SQLite)", t_store[0], ""],
                ["import total", import_s, "<= 10 s"],
                ["export: submitted_responses", exported["submitted_responses_s"], ""],
                ["export: export_table", exported["export_table_s"], ""],
                ["export: csv write", exported["write_s"], ""],
                ["CSV export total", exported["total_s"], "<= 5 s"],
                ["Excel export (three sheets)", excel["total_s"], "<= 30 s"],
            ],
            ["", "seconds", "target"],
        )
    )
    say(
        f"import {respondents / import_s:,.0f} responses/s, CSV export "
        f"{respondents / exported['total_s']:,.0f} responses/s; Excel export "
        f"{respondents / excel['total_s']:,.0f} responses/s"
    )
    return figures


if __name__ == "__main__":
    main("import_export", run)
