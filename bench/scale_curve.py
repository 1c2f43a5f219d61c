"""Scale curve: scoring and CSV export at 10k, 100k, 1M and 5M answers (20 per respondent).

The question is the shape, not the level: time per answer should stay flat (linear cost)
or fall. Scoring is the in-memory path (respondents' answers -> ``likert_frame`` ->
``item_scores`` by role × unit with suppression); export is the whole ``survey export``
path from the SQLite file. Each size gets a fresh database; sizes run from small to large
so a super-linear step shows up as a rising µs/answer column.
"""

from __future__ import annotations

import gc
import tempfile
from pathlib import Path

from benchlib import (
    Figures,
    best_of,
    build_database,
    likert_questionnaire,
    main,
    population,
    respondent_list,
    say,
    stopwatch,
    table,
)
from import_export import export_csv
from scoring import score

ITEMS = 20


def run(quick: bool) -> Figures:
    sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000, 5_000_000]
    questionnaire = likert_questionnaire(ITEMS)
    rows = []
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for answers in sizes:
            respondents = answers // ITEMS
            pop = population(respondents, ITEMS, seed=answers)
            people = respondent_list(pop)
            repeats = 3 if answers < 1_000_000 else 1
            scoring_s, _ = best_of(repeats, lambda people=people: score(questionnaire, people))
            del people
            gc.collect()
            path = Path(tmp) / f"scale-{answers}.sqlite3"
            with stopwatch() as t_build:
                round_id = build_database(path, pop, ITEMS)
            exported = export_csv(path, questionnaire, round_id, Path(tmp) / "export.csv")
            path.unlink()
            gc.collect()
            export_s = exported["total_s"]
            result = {
                "answers": answers,
                "respondents": respondents,
                "scoring_s": round(scoring_s, 3),
                "scoring_us_per_answer": round(scoring_s / answers * 1e6, 2),
                "export_s": export_s,
                "export_us_per_answer": round(export_s / answers * 1e6, 2),
                "db_build_s": round(t_build[0], 2),
            }
            results.append(result)
            rows.append(
                [
                    answers,
                    respondents,
                    scoring_s,
                    result["scoring_us_per_answer"],
                    export_s,
                    result["export_us_per_answer"],
                ]
            )
            say(f"  {answers:>9,} answers: scoring {scoring_s:.3f} s, export {export_s:.3f} s")
    say(
        table(
            rows,
            ["answers", "respondents", "scoring s", "µs/answer", "export s", "µs/answer"],
        )
    )
    first, last = results[0], results[-1]
    growth = last["answers"] / first["answers"]
    say(
        f"from {first['answers']:,} to {last['answers']:,} answers ({growth:,.0f}x): scoring "
        f"{last['scoring_s'] / first['scoring_s']:,.0f}x, export "
        f"{last['export_s'] / first['export_s']:,.0f}x the time"
    )
    if quick:
        say("(5M answers and 1M skipped in --quick)")
    return {"sizes": results}


if __name__ == "__main__":
    main("scale_curve", run)
