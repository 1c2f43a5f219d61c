"""The disclosure auditor's cost: the 2009 national report with it and without it.

A national round of the 2009 evaluation (138 municipalities × 4 roles, in five cohorts;
"annet", the fifth role, is residual and enters no figure) is reported by each breakdown
a secretariat would declare. Each report is built twice in this run, with the auditor
(``scoring.audit`` behind every table) and with it switched off (line-by-line suppression
alone, the baseline), best of three; the difference is what the auditor adds. Also shown:
how many more cells it hides. Target (issue 14): the auditor adds at most 1 s to a report.

The harder case is printed too: 5,000 respondents scattered over 200 units × 4 roles
(about six per cell, so hundreds of small hidden cells per item) by role × unit.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from unittest import mock

from benchlib import (
    Figures,
    best_of,
    likert_questionnaire,
    main,
    population,
    respondent_list,
    say,
    table,
)

from survey.demo import national_2009_round
from survey.report.content import build_report
from survey.scoring import suppression
from survey.scoring.likert import item_scores, likert_frame
from survey.storage import open_database
from survey.storage.results import round_results

BREAKDOWNS = [["role"], ["pulje"], ["role", "pulje"], ["unit"], ["role", "unit"]]


def without_auditor():  # type: ignore[no-untyped-def]
    return mock.patch.object(suppression, "_audited", lambda *args: set())


def run(quick: bool) -> Figures:
    import survey.scoring.audit  # noqa: F401 - SciPy's import once, not in the first figure

    repeats = 1 if quick else 3
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "national.sqlite3")
        round_ = national_2009_round(db, municipalities=40 if quick else 138, cohorts=5)
        results = round_results(db, round_.id)
        db.conn.close()
    rows = []
    figures: Figures = {}
    for by in BREAKDOWNS:
        audited_s, audited = best_of(repeats, lambda by=by: build_report(results, by))
        with without_auditor():
            lines_s, lines = best_of(repeats, lambda by=by: build_report(results, by))
        name = "×".join(by)
        added = audited_s - lines_s
        figures[name] = {
            "with_s": round(audited_s, 3),
            "without_s": round(lines_s, 3),
            "added_s": round(added, 3),
            "hidden_with": audited.suppressed_cells,
            "hidden_without": lines.suppressed_cells,
        }
        rows.append(
            [
                name,
                audited_s,
                lines_s,
                added,
                audited_s / lines_s,
                f"{lines.suppressed_cells} → {audited.suppressed_cells}",
            ]
        )
    say(f"2009 national round, {len(results.respondents):,} respondents, five cohorts")
    say(table(rows, ["breakdown", "with s", "without s", "added s", "ratio", "hidden cells"]))
    figures["max_added_s"] = round(max(f["added_s"] for f in figures.values()), 3)

    if not quick:
        questionnaire = likert_questionnaire(20)
        frame = likert_frame(
            questionnaire, respondent_list(population(5_000, 20)), ["role", "unit"]
        )
        started = time.perf_counter()
        item_scores(questionnaire, frame, ["role", "unit"], 5)
        audited_s = time.perf_counter() - started
        with without_auditor():
            started = time.perf_counter()
            item_scores(questionnaire, frame, ["role", "unit"], 5)
            lines_s = time.perf_counter() - started
        say(
            f"5,000 respondents in 200 units × 4 roles by role × unit, 20 items: "
            f"{audited_s:.2f} s with the auditor, {lines_s:.2f} s without"
        )
        figures["scattered"] = {"with_s": round(audited_s, 3), "without_s": round(lines_s, 3)}
    return figures


if __name__ == "__main__":
    main("audit", run)
