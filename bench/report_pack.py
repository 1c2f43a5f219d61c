"""The report pack of the employee survey: pages per second with one and two workers.

Target (issue 18): the pack of a 200-unit employee survey (the overall report and one per
unit, each about 20 pages) renders at least 1.8 times as many pages per second with two
`survey worker` processes as with one, and no worker process (nor any job process it
starts) peaks above 400 MB.

Both stores are measured: a SQLite file (one machine) and a database of a throwaway
PostgreSQL cluster (the store workers on several machines share). Each timing runs in a
child process of its own (``--timed N``) that starts N real ``survey worker`` processes
against the same database, stops them when every job has ended and waits for them, so its
``RUSAGE_CHILDREN`` high-water mark is the largest of those workers and of the process
each of them forks per job (the worker waits for it). The pack is ordered again before
each timing, with an empty report cache, so both timings render the same reports from
scratch.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import BENCH, PYTHON, Figures, main, postgres_cluster, say, table

from reports import pages_of

ROOT = BENCH.parent
TARGET_RATIO = 1.8
TARGET_PEAK_MB = 400
DEADLINE = 3 * 3600  # seconds: a timing still running by then has hung
SURVEY = [PYTHON, "-c", "from survey.cli import main; main()"]


def prepare(database: str, units: int, per_unit: int) -> None:
    from survey.demo import employee_round
    from survey.storage import open_database

    db = open_database(database)
    employee_round(db, units=units, per_unit=per_unit)
    db.close()


def order(database: str) -> int:
    """A new pack of round 1 (the previous one is done); returns its number of reports."""
    from survey.accounts import operator
    from survey.operations.report_packs import order_report_pack
    from survey.storage import open_database
    from survey.storage.report_packs import pack_entries

    db = open_database(database)
    try:
        ordered = order_report_pack(db, operator(), 1)
        assert ordered.new
        return len(pack_entries(db, ordered.pack.id))
    finally:
        db.close()


def timed(workers: int, database: str, cache: Path) -> dict[str, float]:
    """In a child of its own: N `survey worker` processes until every job has ended. Not
    `--once`: a worker that finds nothing to claim while the pack's first job decides the
    reports would stop before that job queues their PDFs, so the workers run as they do
    in use and are stopped (SIGTERM) when the queue holds nothing queued or running."""
    from survey.storage import open_database
    from survey.storage.jobs import list_jobs

    env = {
        **os.environ,
        "SURVEY_DATABASE": str(database),
        "SURVEY_REPORT_CACHE": str(cache),
        "SURVEY_SECRET_KEY": "bench",
    }
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [*SURVEY, "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    db = open_database(database)
    try:
        while (  # until the jobs have ended, or every worker has (then something is wrong)
            any(job.state in ("queued", "running") for job in list_jobs(db))
            and any(process.poll() is None for process in processes)
            and time.perf_counter() - started < DEADLINE
        ):
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        failed_jobs = sum(job.state != "done" for job in list_jobs(db))
    finally:
        db.close()
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    failed = sum(p.returncode != 0 for p in processes)
    return {"seconds": seconds, "peak_mb": peak, "failed": failed, "jobs_not_done": failed_jobs}


def run_timed(workers: int, database: str, cache: Path) -> dict[str, float]:
    shutil.rmtree(cache, ignore_errors=True)
    command = [PYTHON, str(BENCH / "report_pack.py"), "--timed", str(workers), database]
    done = subprocess.run(
        [*command, str(cache)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(label: str, database: str, cache: Path, units: int, per_unit: int) -> Figures:
    """Both timings of one store: the pack rendered by one worker, then by two."""
    prepare(database, units, per_unit)
    figures: dict[str, dict[str, float]] = {}
    pages = reports = 0
    for workers in (1, 2):
        reports = order(database)
        figures[str(workers)] = run_timed(workers, database, cache)
        pdfs = sorted(cache.glob("*.pdf"))
        assert len(pdfs) == reports, (len(pdfs), reports)
        if not pages:
            pages = sum(pages_of(pdf.read_bytes()) for pdf in pdfs)
        figures[str(workers)]["pages_per_second"] = pages / figures[str(workers)]["seconds"]
    one, two = figures["1"], figures["2"]
    ratio = two["pages_per_second"] / one["pages_per_second"]
    peak = max(one["peak_mb"], two["peak_mb"])
    say(f"{label}: employee survey, {units} units of {per_unit}; {reports} reports, {pages} pages")
    say(
        table(
            [
                (n, f"{f['seconds']:.1f}", f"{f['pages_per_second']:.2f}", f"{f['peak_mb']:.0f}")
                for n, f in figures.items()
            ],
            ["workers", "seconds", "pages/s", "peak MB (one process)"],
        )
    )
    say(f"{label}: 2 workers ÷ 1: {ratio:.2f}× (target ≥ {TARGET_RATIO}×)")
    say(
        f"{label}: peak memory of any worker or job process: {peak:.0f} MB "
        f"(target ≤ {TARGET_PEAK_MB})"
    )
    return {
        "units": units,
        "reports": reports,
        "pages": pages,
        "one_worker": one,
        "two_workers": two,
        "ratio": ratio,
        "peak_mb": peak,
    }


def run(quick: bool) -> Figures:
    """The pack on SQLite (one machine) and on PostgreSQL (where workers on several
    machines share the queue), each with one worker and then two."""
    units, per_unit = (4, 7) if quick else (200, 8)
    with tempfile.TemporaryDirectory(prefix="bench-pack-") as tmp:
        folder = Path(tmp)
        sqlite = measure("SQLite", str(folder / "pack.sqlite3"), folder / "r1", units, per_unit)
        with postgres_cluster(folder) as cluster:
            url = cluster.fresh_database()
            postgresql = measure("PostgreSQL", url, folder / "r2", units, per_unit)
    say(f"cores: {os.cpu_count()}; 1-minute load average now {os.getloadavg()[0]:.2f}")
    return {**sqlite, "postgresql": postgresql}


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--timed":
        print(json.dumps(timed(int(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))))
    else:
        main("report_pack", run)
