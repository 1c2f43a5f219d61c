"""Report rendering: the 2009 national report and a long employee-survey report.

Targets (issue 6): the 2009 report of a national round (138 municipalities, 4 roles,
~550 responses) in <= 5 s end to end (database to PDF bytes); a ~100-page employee-survey
report at >= 5 pages/s (here: 30 units by unit, and the 200-unit organisation by role);
peak memory <= 400 MB per render. The guide figure for
WeasyPrint 70 is 3–6 table-and-chart pages/s, printed as a ratio.

Each report is made in a fresh process of its own (as ``survey report`` makes one), with
the high-water mark reset right before the step, so its peak is its own and does not
depend on which report ran before it in the same interpreter.
"""

from __future__ import annotations

import ctypes.util
import multiprocessing
import random
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchlib import Figures, main, peak_rss_mb, reset_peak_rss, say, table

GUIDE_PAGES_PER_SECOND = (3.0, 6.0)


def pages_of(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True, check=True)
    pages = (line.split()[1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    return int(next(pages))


def national_2009(folder: Path) -> tuple[float, float, int, float]:
    """(seconds end to end, of which rendering, pages, peak MB) for the 2009 report."""
    from survey.demo import national_2009_round
    from survey.report.content import build_report
    from survey.report.render import render_html, render_pdf
    from survey.storage import open_database
    from survey.storage.results import round_results

    db = open_database(folder / "national.sqlite3")
    earlier = national_2009_round(db, answer_rate=0.95)
    later = national_2009_round(db, name="2010", seed=7, shift=0.3, answer_rate=0.95)
    reset_peak_rss()
    start = time.perf_counter()
    results, before = round_results(db, later.id), round_results(db, earlier.id)
    report = build_report(results, ["role"], before)
    html = render_html(report)
    render_start = time.perf_counter()
    pdf = render_pdf(html)
    end = time.perf_counter()
    return end - start, end - render_start, pages_of(pdf), peak_rss_mb()


def employee_respondents(units: int, per_unit: int, seed: int = 1) -> list:
    from survey.questionnaire import load_questionnaire
    from survey.questionnaire.answers import Answer

    q = load_questionnaire(
        Path(__file__).resolve().parents[1] / "questionnaires" / "medarbeiderundersokelse.yaml"
    )
    rng = random.Random(seed)
    people = []
    for unit in range(1, units + 1):
        lean = rng.gauss(0, 0.4)
        for person in range(per_unit):
            role = "leder" if person == 0 else "medarbeider"
            answers = {"rolle": Answer(role)}
            for item in q.items:
                if item.question_id == "q_lederrollen" and role != "leder":
                    continue
                point = round(rng.gauss(4.4 + lean, 1.0))
                answers[item.id] = Answer(min(6, max(1, point)))
            people.append(({"role": role, "unit": f"Enhet {unit:03d}"}, answers))
    return q, people


def employee(by: list[str], units: int, per_unit: int) -> tuple[float, int, float]:
    """(seconds, pages, peak MB) for an employee-survey report broken down by ``by``."""
    from survey.report.content import build_report
    from survey.report.render import render_html, render_pdf
    from survey.storage.results import RoundResults
    from survey.storage.rounds import Round

    q, people = employee_respondents(units, per_unit)
    round_ = Round(1, "Medarbeiderundersøkelse", 1, True, 5, None, None, None, True, "2026-11-01")
    results = RoundResults(round_, q, people, [], "2026-11-02", "2026-11-20")
    reset_peak_rss()
    start = time.perf_counter()
    pdf = render_pdf(render_html(build_report(results, by)))
    return time.perf_counter() - start, pages_of(pdf), peak_rss_mb()


def alone(step: Callable[..., Any], *args: object) -> Any:
    """``step(*args)`` in a fresh interpreter (spawned, not forked: nothing inherited)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as process:
        return process.submit(step, *args).result()


def run(quick: bool) -> Figures:
    subsetter = ctypes.util.find_library("harfbuzz-subset")
    say(f"HarfBuzz subsetting library: {subsetter or 'NOT FOUND (WeasyPrint will be slow)'}")
    with tempfile.TemporaryDirectory() as folder:
        seconds, rendering, pages, peak = alone(national_2009, Path(folder))
    # the whole organisation (200 units) by role, and a ~100-page report by unit: 30 units
    # with a chart bar and a table row each under every statement
    units, unit_pages = (20, 4) if quick else (200, 30)
    by_role = alone(employee, ["role"], units, 20)
    by_unit = alone(employee, ["unit"], unit_pages, 20)
    rows = [
        (
            "2009 national (by role, compared)",
            f"{seconds:.2f}",
            pages,
            f"{pages / rendering:.1f}",
            f"{peak:.0f}",
        ),
        (
            f"employee, {units} units, by role",
            f"{by_role[0]:.2f}",
            by_role[1],
            f"{by_role[1] / by_role[0]:.1f}",
            f"{by_role[2]:.0f}",
        ),
        (
            f"employee, {unit_pages} units, by unit",
            f"{by_unit[0]:.2f}",
            by_unit[1],
            f"{by_unit[1] / by_unit[0]:.1f}",
            f"{by_unit[2]:.0f}",
        ),
    ]
    say(table(rows, ["report", "seconds", "pages", "pages/s", "peak MB"]))
    low, high = GUIDE_PAGES_PER_SECOND
    rate = by_unit[1] / by_unit[0]
    say(f"pages/s against the guide ({low:g}–{high:g}): {rate / low:.2f}× to {rate / high:.2f}×")
    return {
        "harfbuzz_subset": subsetter,
        "national_2009": {
            "seconds": seconds,
            "render_seconds": rendering,
            "pages": pages,
            "peak_mb": peak,
        },
        "employee_by_role": {
            "seconds": by_role[0],
            "pages": by_role[1],
            "peak_mb": by_role[2],
            "pages_per_second": by_role[1] / by_role[0],
        },
        "employee_by_unit": {
            "seconds": by_unit[0],
            "pages": by_unit[1],
            "peak_mb": by_unit[2],
            "pages_per_second": rate,
        },
    }


if __name__ == "__main__":
    main("reports", run)
