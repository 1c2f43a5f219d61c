"""Run every benchmark in sequence and print a summary of figures, ratios and targets.

Each benchmark runs as its own process (``python bench/NAME.py --json FILE``): peak memory
is then the benchmark's own, a crash or time-out in one cannot take the others down, and
every module stays runnable alone. ``--quick`` is the smoke run (reduced sizes, no peer
install, well under a minute) that a test can call; its figures are not held against the
targets because the sizes are not the issue's.

Exit status: 0 when every benchmark ran (a skipped peer or a pending report is fine),
1 when any benchmark failed. Missed targets are reported, not failed: the machine is
shared and noisy, and a benchmark is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import BENCH, PYTHON, banner, machine, say, table

MODULES = [
    "sqlite_commit",
    "submissions",
    "scoring",
    "import_export",
    "scale_curve",
    "reports",
    "audit",
    "paper_forms",
    "migrate_store",
    "report_pack",
    "peer_django_survey",
]
TIME_LIMIT = {"full": 420, "quick": 90}  # per module, seconds
# the report pack renders 4 × 201 reports of ~20 pages (two stores, 1 and 2 workers)
LONGER = {("report_pack", "full"): 7200, ("report_pack", "quick"): 240}


def run_module(name: str, quick: bool, out: Path) -> tuple[dict[str, Any] | None, str]:
    """Run one module as a child process; its output goes straight to ours."""
    command = [PYTHON, str(BENCH / f"{name}.py"), "--json", str(out)]
    if quick:
        command.append("--quick")
    try:
        size = "quick" if quick else "full"
        done = subprocess.run(command, timeout=LONGER.get((name, size), TIME_LIMIT[size]))
    except subprocess.TimeoutExpired:
        return None, "timed out"
    if done.returncode != 0 or not out.exists():
        return None, f"failed (exit {done.returncode})"
    return json.loads(out.read_text()), "ok"


Check = Callable[[Any], bool]
ROWS: list[tuple[str, str, str, str, Check | None]] = [
    # (label, module, figure path, target text, check)
    (
        "2009 final-page POSTs/s",
        "submissions",
        "final_2009.post.rate",
        ">= 1,000",
        lambda v: v >= 1000,
    ),
    ("  p99 latency ms", "submissions", "final_2009.post.p99_ms", "< 25", lambda v: v < 25),
    ("  errors", "submissions", "final_2009.post.errors", "0", lambda v: v == 0),
    ("  lost rows (counted after)", "submissions", "final_2009.lost", "0", lambda v: v == 0),
    (
        "  ÷ validation-only ceiling",
        "submissions",
        "final_2009.ratio_to_ceiling",
        ">= 50 %",
        lambda v: v >= 0.5,
    ),
    (
        "  ÷ ceiling by server CPU/request",
        "submissions",
        "final_2009.cpu_ratio_to_ceiling",
        "",
        None,
    ),
    (
        "  server CPU ms per POST",
        "submissions",
        "final_2009.post.server_cpu_ms_per_request",
        "",
        None,
    ),
    ("2009 page GETs/s", "submissions", "final_2009.get.rate", ">= 1,000", lambda v: v >= 1000),
    ("40-item form POSTs/s", "submissions", "likert40.post.rate", "", None),
    (
        "  ÷ ceiling (same 40 fields)",
        "submissions",
        "likert40.ratio_to_ceiling",
        ">= 50 %",
        lambda v: v >= 0.5,
    ),
    ("ceiling POSTs/s (validate only)", "submissions", "ceiling.post.rate", "", None),
    ("bare Flask POSTs/s (40 fields)", "submissions", "bare.post.rate", "guide ~2,900", None),
    ("  this machine ÷ the guide's", "submissions", "machine_vs_guide", "", None),
    ("trivial WSGI req/s", "submissions", "trivial.get.rate", "", None),
    (
        "SQLite tx/s (1+40 rows, WAL, NORMAL)",
        "sqlite_commit",
        "variants.0.per_second",
        "guide ~6,900",
        None,
    ),
    ("  with index on answers(item)", "sqlite_commit", "variants.1.per_second", "guide ~900", None),
    ("scoring, end to end s", "scoring", "end_to_end_s", "<= 1", lambda v: v <= 1),
    ("  peak memory MiB", "scoring", "peak_mb_above_input", "<= 500 MB", lambda v: v <= 500),
    ("  ÷ bare categorical group-by", "scoring", "ratio_to_bare", "", None),
    ("  from SQLite, end to end s", "scoring", "from_sqlite_s", "(<= 1)", lambda v: v <= 1),
    ("  from SQLite through typed answers s", "scoring", "through_answers_s", "", None),
    ("  bare group-by categorical s", "scoring", "bare_groupby_categorical_s", "guide 0.07", None),
    ("  bare group-by string keys s", "scoring", "bare_groupby_str_s", "guide 0.34", None),
    ("import, every check on, s", "import_export", "import.total_s", "<= 10", lambda v: v <= 10),
    ("CSV export s", "import_export", "export_csv.total_s", "<= 5", lambda v: v <= 5),
    ("Excel export s", "import_export", "export_excel.total_s", "<= 30", lambda v: v <= 30),
    ("2009 national report s", "reports", "national_2009.seconds", "<= 5", lambda v: v <= 5),
    ("  peak memory MB", "reports", "national_2009.peak_mb", "<= 400", lambda v: v <= 400),
    (
        "2009 report: the auditor adds s (worst breakdown)",
        "audit",
        "max_added_s",
        "<= 1",
        lambda v: v <= 1,
    ),
    (
        "  with the ledger and the numbers invited, as reports are made, s",
        "audit",
        "linked.max_added_s",
        "<= 1",
        lambda v: v <= 1,
    ),
    (
        "employee report by unit, pages/s",
        "reports",
        "employee_by_unit.pages_per_second",
        ">= 5",
        lambda v: v >= 5,
    ),
    ("  pages", "reports", "employee_by_unit.pages", "~100", None),
    ("  peak memory MB", "reports", "employee_by_unit.peak_mb", "<= 400", lambda v: v <= 400),
    (
        "report pack, 2 workers ÷ 1 (pages/s)",
        "report_pack",
        "ratio",
        ">= 1.8x",
        lambda v: v >= 1.8,
    ),
    ("  pages/s, 1 worker", "report_pack", "one_worker.pages_per_second", "", None),
    ("  pages/s, 2 workers", "report_pack", "two_workers.pages_per_second", "", None),
    ("  peak memory MB per worker", "report_pack", "peak_mb", "<= 400", lambda v: v <= 400),
    (
        "  on PostgreSQL, 2 workers ÷ 1",
        "report_pack",
        "postgresql.ratio",
        ">= 1.8x",
        lambda v: v >= 1.8,
    ),
    ("  pages/s, 1 worker", "report_pack", "postgresql.one_worker.pages_per_second", "", None),
    ("  pages/s, 2 workers", "report_pack", "postgresql.two_workers.pages_per_second", "", None),
    ("  peak memory MB", "report_pack", "postgresql.peak_mb", "<= 400", lambda v: v <= 400),
    ("690 personal 2009 paper forms s", "paper_forms", "merge_s", "<= 300", lambda v: v <= 300),
    ("  per form s", "paper_forms", "per_form_s", "", None),
    ("  per form ÷ the blank form", "paper_forms", "per_form_vs_blank", "", None),
    ("  peak memory MB", "paper_forms", "peak_mb", "<= 400", lambda v: v <= 400),
    (
        "migrate-store 50,000 responses to PostgreSQL s",
        "migrate_store",
        "to_postgres_s",
        "<= 60",
        lambda v: v <= 60,
    ),
    ("  responses/s", "migrate_store", "responses_per_s", "", None),
    ("  back to SQLite s", "migrate_store", "to_sqlite_s", "", None),
    (
        "peer: submissions ours ÷ theirs",
        "peer_django_survey",
        "ratio_submissions",
        ">= 40x",
        lambda v: v >= 40,
    ),
    (
        "peer: CSV export ours ÷ theirs",
        "peer_django_survey",
        "ratio_export",
        ">= 100x",
        lambda v: v >= 100,
    ),
    ("  by server CPU per POST", "peer_django_survey", "ratio_submissions_cpu", "", None),
    ("peer", "peer_django_survey", "skipped", "", None),
]


def lookup(results: dict[str, Any], module: str, path: str) -> Any:
    figures = results.get(module)
    if figures is None:
        return None
    parts = path.split(".")
    value: Any = figures
    for part in parts:
        if isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            value = None
    return value


def summary(results: dict[str, Any], statuses: dict[str, str], quick: bool) -> list[list[Any]]:
    rows = []
    for label, module, path, target, check in ROWS:
        if statuses.get(module) != "ok":
            if label.startswith(("peer", "report")) or not label.startswith(" "):
                rows.append([label, f"({module}: {statuses.get(module, 'not run')})", target, ""])
            continue
        value = lookup(results, module, path)
        if value is None:
            continue
        verdict = ""
        if check is not None and not quick:
            try:
                verdict = "met" if check(value) else "MISSED"
            except TypeError:
                verdict = "MISSED" if isinstance(value, str) else ""
        if isinstance(value, float) and math.isnan(value):
            value = "n/a"
        elif path.endswith(("ratio_to_ceiling", "machine_vs_guide")):  # also cpu_ratio_…
            value = f"{value:.0%}"
        elif path.startswith("ratio") or path.endswith("ratio_to_bare"):
            value = f"{value:.1f}x"
        rows.append([label, value, target, verdict])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description="run every benchmark in bench/")
    parser.add_argument("--quick", action="store_true", help="smoke run, < 60 s")
    parser.add_argument("--only", nargs="+", choices=MODULES, help="run just these")
    parser.add_argument("--json", type=Path, help="write all figures to this file")
    args = parser.parse_args()
    started = time.perf_counter()
    info = machine()
    banner("survey benchmarks" + (" (quick)" if args.quick else ""))
    say(
        f"machine: {info['cores']} cores, {info['cpu']}, {info['memory']}, Python "
        f"{info['python']}, load average {info['loadavg_at_start']}"
    )
    results: dict[str, Any] = {}
    statuses: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for name in args.only or MODULES:
            figures, status = run_module(name, args.quick, Path(tmp) / f"{name}.json")
            statuses[name] = status
            if figures is not None:
                results[name] = figures
            if status != "ok":
                say(f"!! {name}: {status}")
    total = time.perf_counter() - started
    banner("summary" + (" (quick: reduced sizes, targets not judged)" if args.quick else ""))
    say(table(summary(results, statuses, args.quick), ["figure", "measured", "target", ""]))
    say("")
    say(
        "module times: "
        + ", ".join(f"{n} {results[n].get('_seconds', '?')} s" for n in results)
        + f"; total {total:.0f} s"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"machine": info, "quick": args.quick, "statuses": statuses, "results": results},
                indent=1,
            )
        )
    failed = [n for n, s in statuses.items() if s != "ok"]
    if failed:
        say(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
