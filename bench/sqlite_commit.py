"""Bare SQLite: how many transactions of 1 response + 40 answers commit per second.

The product's own schema (survey.storage.migrations) and pragmas (survey.storage.db: WAL,
synchronous=NORMAL), one connection, no web layer: the ceiling of what storage can take,
and the measurement behind the schema having no secondary index on answers(item). Each
variant first fills the table with earlier rounds' answers, because an index only costs
once it is larger than a few pages: every commit then dirties one index leaf page per
distinct item (40) instead of the one or two table pages the new rows fill.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchlib import Figures, main, say, table

from survey.storage import open_database

ITEMS = [f"s{i:02d}" for i in range(1, 41)]


def commits_per_second(
    path: Path,
    *,
    index: bool,
    prefill: int,
    seconds: float,
    synchronous: str = "NORMAL",
    journal: str = "WAL",
) -> Figures:
    db = open_database(path)  # the product's pragmas and schema
    db.execute(f"PRAGMA journal_mode = {journal}")
    db.execute(f"PRAGMA synchronous = {synchronous}")
    conn = db.conn
    now = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute(
        "INSERT INTO questionnaire_versions (questionnaire_id, version, sha256, source, "
        "file_name, published_at) VALUES ('q', '1', 'x', '', 'q.yaml', ?)",
        [now],
    )
    conn.execute(
        "INSERT INTO rounds (name, questionnaire_version_id, created_at) VALUES ('r', 1, ?)",
        [now],
    )
    if index:
        conn.execute("CREATE INDEX answers_item ON answers(item)")
    conn.execute("BEGIN")
    for n in range(prefill):
        _one_response(conn, n, now)
    conn.execute("COMMIT")
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        conn.execute("BEGIN IMMEDIATE")
        _one_response(conn, count, now)
        conn.execute("COMMIT")
        count += 1
    elapsed = time.perf_counter() - started
    conn.close()
    return {
        "journal": journal,
        "synchronous": synchronous,
        "index_on_item": index,
        "transactions": count,
        "per_second": round(count / elapsed),
        "ms_per_transaction": round(elapsed / count * 1000, 3),
    }


def _one_response(conn: object, n: int, now: str) -> None:
    cursor = conn.execute(  # type: ignore[attr-defined]
        "INSERT INTO responses (round_id, role, unit, submitted, started_on) "
        "VALUES (1, 'leder', ?, 1, ?)",
        [f"Enhet {n % 200}", now],
    )
    response_id = cursor.lastrowid
    conn.executemany(  # type: ignore[attr-defined]
        "INSERT INTO answers (response_id, item, code, number) VALUES (?, ?, '', ?)",
        [(response_id, item, float(1 + (n + i) % 6)) for i, item in enumerate(ITEMS)],
    )


def run(quick: bool) -> Figures:
    prefill = 2_000 if quick else 10_000
    seconds = 1.0 if quick else 2.5
    variants = [
        {"index": False},
        {"index": True},
    ]
    if not quick:  # what the pragmas are worth
        variants += [
            {"index": False, "synchronous": "FULL"},
            {"index": False, "journal": "DELETE", "synchronous": "FULL"},
        ]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as tmp:
        for n, variant in enumerate(variants):
            path = Path(tmp) / f"v{n}.sqlite3"
            results.append(commits_per_second(path, prefill=prefill, seconds=seconds, **variant))
    say(
        f"1 response + 40 answers per transaction, product schema, after {prefill:,} "
        f"responses ({prefill * 40:,} answer rows) already stored"
    )
    guide = {
        (False, "WAL", "NORMAL"): "guide ~6,900/s",
        (True, "WAL", "NORMAL"): "guide ~900/s",
    }
    say(
        table(
            [
                [
                    r["journal"],
                    r["synchronous"],
                    "yes" if r["index_on_item"] else "no",
                    r["transactions"],
                    r["per_second"],
                    r["ms_per_transaction"],
                    guide.get((r["index_on_item"], r["journal"], r["synchronous"]), ""),
                ]
                for r in results
            ],
            ["journal", "synchronous", "index(item)", "transactions", "tx/s", "ms/tx", ""],
        )
    )
    ratio = results[0]["per_second"] / results[1]["per_second"]
    say(f"an index on answers(item) costs {ratio:.1f}x in commit rate")
    return {"variants": results, "index_cost_ratio": round(ratio, 2), "prefill": prefill}


if __name__ == "__main__":
    main("sqlite_commit", run)
