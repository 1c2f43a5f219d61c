"""Scoring a national round: 50,000 respondents × 20 Likert items (4 roles, 200 units).

End to end as ``survey scores --by role,unit`` does it: the list of respondents' answers
goes through ``likert_frame`` and ``item_scores`` (n, mean, sd, median, the 1–6
distribution, favourable shares, margins, primary and complementary suppression) to the
final table. Its time is set against a bare pandas group-by(item, role, unit) with
count/mean/std on the very frame ``likert_frame`` made — the least any implementation has
to do — and that group-by is shown with categorical and with string keys, the reason the
frame's keys are categorical.

Also measured: the same starting from the SQLite file, because a secretariat's click starts
from the database: as ``survey scores`` reads it (``likert_columns``: a row per response, its
Likert answers packed by SQLite and unpacked by numpy) and as the reports do
(``submitted_responses``: typed answers first).
Peak memory is the process's resident high-water mark (reset before the step) above the
resident size before it; this module runs in its own process under run_all.
"""

from __future__ import annotations

import gc
import tempfile
import time
from pathlib import Path

import pandas as pd
from benchlib import (
    Figures,
    best_of,
    build_database,
    likert_questionnaire,
    main,
    peak_rss_mb,
    population,
    reset_peak_rss,
    respondent_list,
    rss_mb,
    say,
    table,
)

from survey.operations.snapshots import current_snapshot
from survey.scoring.likert import columns_frame, item_scores, likert_frame
from survey.storage import open_database
from survey.storage.responses import submitted_responses
from survey.storage.results import likert_columns

BY = ["role", "unit"]
MIN_GROUP_SIZE = 5


def score(questionnaire: object, respondents: list, by: list[str] = BY) -> pd.DataFrame:
    """The product's path from respondents to the item table (cf. cli.scores_command)."""
    frame = likert_frame(questionnaire, respondents, by)  # type: ignore[arg-type]
    return item_scores(questionnaire, frame, by, MIN_GROUP_SIZE)  # type: ignore[arg-type]


def bare_groupby(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.groupby(["item", *BY], observed=True)["point"].agg(["count", "mean", "std"])


def measure_memory(fn: object) -> tuple[float, float, object]:
    """(seconds, peak MiB above the resident size before, result) of one call."""
    gc.collect()
    before = rss_mb()
    reset_peak_rss()
    started = time.perf_counter()
    result = fn()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    return seconds, peak_rss_mb() - before, result


def from_database(path: Path, round_id: int, questionnaire: object) -> pd.DataFrame:
    """As ``survey scores`` does it: the Likert answers, packed a response to a row, straight
    into the frame's columns (``likert_columns``), then the same scoring."""
    db = open_database(path, migrate=False)
    try:
        columns = likert_columns(db, questionnaire, round_id, BY)  # type: ignore[arg-type]
    finally:
        db.conn.close()
    frame = columns_frame(questionnaire, columns, BY)  # type: ignore[arg-type]
    return item_scores(questionnaire, frame, BY, MIN_GROUP_SIZE)  # type: ignore[arg-type]


def from_snapshot(path: Path, round_id: int, questionnaire: object) -> tuple[dict, pd.DataFrame]:
    """What ``survey scores`` does now: the round's current snapshot (the first one copies
    every response's version; then, with nothing changed, it is only compared), read as
    ``from_database`` reads the live answers."""
    db = open_database(path, migrate=False)
    try:
        started = time.perf_counter()
        taken = current_snapshot(db, round_id)
        first = time.perf_counter() - started
        started = time.perf_counter()
        assert current_snapshot(db, round_id) == taken
        unchanged = time.perf_counter() - started
        started = time.perf_counter()
        likert_columns(db, questionnaire, round_id, BY)  # type: ignore[arg-type]
        live = time.perf_counter() - started
        started = time.perf_counter()
        columns = likert_columns(db, questionnaire, round_id, BY, snapshot_id=taken.id)  # type: ignore[arg-type]
        read = time.perf_counter() - started
    finally:
        db.conn.close()
    frame = columns_frame(questionnaire, columns, BY)  # type: ignore[arg-type]
    table_ = item_scores(questionnaire, frame, BY, MIN_GROUP_SIZE)  # type: ignore[arg-type]
    return {"first": first, "unchanged": unchanged, "read": read, "live": live}, table_


def through_answers(path: Path, round_id: int, questionnaire: object) -> pd.DataFrame:
    """As the reports do it: typed answers first (``submitted_responses``, which every
    other table of a report needs), then the same scoring."""
    db = open_database(path, migrate=False)
    try:
        respondents = [
            ({"role": role, "unit": unit, **attributes}, answers)
            for _, role, unit, attributes, answers in submitted_responses(
                db,
                questionnaire,
                round_id,  # type: ignore[arg-type]
            )
        ]
    finally:
        db.conn.close()
    return score(questionnaire, respondents)


def run(quick: bool) -> Figures:
    respondents_n = 5_000 if quick else 50_000
    items = 20
    repeats = 1 if quick else 3
    questionnaire = likert_questionnaire(items)
    pop = population(respondents_n, items)
    respondents = respondent_list(pop)
    answers = respondents_n * items
    say(f"{respondents_n:,} respondents × {items} items = {answers:,} answers, by role × unit")

    seconds_memory, peak, table_ = measure_memory(lambda: score(questionnaire, respondents))
    seconds, _ = best_of(repeats, lambda: score(questionnaire, respondents))
    assert isinstance(table_, pd.DataFrame)
    frame_seconds, frame = best_of(repeats, lambda: likert_frame(questionnaire, respondents, BY))
    assert isinstance(frame, pd.DataFrame)
    items_seconds, _ = best_of(
        repeats, lambda: item_scores(questionnaire, frame, BY, MIN_GROUP_SIZE)
    )
    suppressed = int(table_["suppressed"].sum())

    bare_cat, bare_result = best_of(repeats + 2, lambda: bare_groupby(frame))
    as_str = frame.astype({"item": str, "role": str, "unit": str})
    as_object = frame.astype({"item": object, "role": object, "unit": object})
    bare_str, _ = best_of(repeats + 2, lambda: bare_groupby(as_str))
    bare_object, _ = best_of(repeats + 2, lambda: bare_groupby(as_object))

    figures: Figures = {
        "respondents": respondents_n,
        "answers": answers,
        "end_to_end_s": round(seconds, 3),
        "likert_frame_s": round(frame_seconds, 3),
        "item_scores_s": round(items_seconds, 3),
        "peak_mb_above_input": round(peak, 1),
        "first_run_s": round(seconds_memory, 3),
        "table_rows": len(table_),
        "suppressed_rows": suppressed,
        "bare_groupby_categorical_s": round(bare_cat, 4),
        "bare_groupby_str_s": round(bare_str, 4),
        "bare_groupby_object_s": round(bare_object, 4),
        "bare_groups": len(bare_result),  # type: ignore[arg-type]
    }
    figures["ratio_to_bare"] = round(seconds / bare_cat, 1)

    with tempfile.TemporaryDirectory(prefix="bench-scoring-") as tmp:
        path = Path(tmp) / "round.sqlite3"
        round_id = build_database(path, pop, items)
        respondents.clear()  # the input list is not needed any more; keep the peak honest
        _, db_peak, db_table = measure_memory(lambda: from_database(path, round_id, questionnaire))
        db_seconds, _ = best_of(repeats, lambda: from_database(path, round_id, questionnaire))
        typed_seconds, typed_table = best_of(
            repeats, lambda: through_answers(path, round_id, questionnaire)
        )
        taken, snapshot_table = from_snapshot(path, round_id, questionnaire)
        for other in (db_table, typed_table, snapshot_table):  # the same answers and table
            assert isinstance(other, pd.DataFrame)
            pd.testing.assert_frame_equal(other, table_)
    figures["from_sqlite_s"] = round(db_seconds, 3)
    figures["from_sqlite_peak_mb"] = round(db_peak, 1)
    figures["through_answers_s"] = round(typed_seconds, 3)
    figures["first_snapshot_s"] = round(taken["first"], 3)
    figures["unchanged_snapshot_s"] = round(taken["unchanged"], 3)
    figures["snapshot_read_s"] = round(taken["read"], 3)
    figures["snapshot_read_to_live"] = round(taken["read"] / taken["live"], 2)

    say(
        table(
            [
                ["likert_frame + item_scores (end to end)", seconds, "<= 1 s"],
                ["  of which likert_frame", frame_seconds, ""],
                ["  of which item_scores (with suppression)", items_seconds, ""],
                ["from SQLite: likert_columns + the above", db_seconds, "(<= 1 s)"],
                ["  the same through typed answers (as reports)", typed_seconds, ""],
                ["first snapshot of the round (copies every version)", taken["first"], ""],
                ["current snapshot, nothing changed (compared)", taken["unchanged"], ""],
                ["likert_columns of the live answers (baseline)", taken["live"], ""],
                ["likert_columns of the snapshot (survey scores)", taken["read"], ""],
                ["bare groupby(item, role, unit), categorical keys", bare_cat, "guide 0.07 s"],
                ["bare groupby, pandas 'str' keys", bare_str, "guide 0.34 s (strings)"],
                ["bare groupby, object keys", bare_object, ""],
            ],
            ["", "seconds", "target"],
        )
    )
    say(
        f"peak memory above the input: {peak:.0f} MiB (target <= 500 MB); from SQLite "
        f"{db_peak:.0f} MiB; table: {len(table_):,} rows, {suppressed:,} suppressed"
    )
    say(
        f"end to end ÷ bare categorical group-by: {figures['ratio_to_bare']:.1f}x; "
        f"string keys ÷ categorical: {bare_str / bare_cat:.1f}x (object: "
        f"{bare_object / bare_cat:.1f}x)"
    )
    return figures


if __name__ == "__main__":
    main("scoring", run)
