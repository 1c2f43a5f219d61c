"""The same report, made in two processes, hides the same cells.

Python orders a set by its members' hashes, and a string's hash differs from one process
to the next (``PYTHONHASHSEED``). The cross-report audit kept the groups released before
in a set and handed them to the attacker's programs in that order, and a program's
optimum (so the tables it finds, and so which cell the repair hides) follows the order of
its rows: an employee survey's report by unit hid 100 cells in one process and 99 in
another. Both were safe, but a secretariat who makes a report again must get the same
report, and two servers must print the same figures. Each process here makes the same
round's reports by role and then by unit, as a secretariat would, under another hash
seed; every figure printed must be the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MAKE_REPORTS = """
import sys
from pathlib import Path
from survey.accounts import operator
from survey.demo import employee_round
from survey.operations.results import make_report
from survey.report.figures import report_figures
from survey.storage import open_database

db = open_database(Path(sys.argv[1]))
round_ = employee_round(db, units=12, per_unit=6)
for by in (["role"], ["unit"]):
    report = make_report(db, operator(), round_.id, by)
    print(by, report.suppressed_cells)
    for figure in sorted(
        repr((f.measure, f.group, f.statistic, f.value)) for f in report_figures(report, by)
    ):
        print(figure)
"""


def _reports(folder: Path, seeds: tuple[str, ...]) -> list[str]:
    """Each seed's output, the processes side by side."""
    running = [
        subprocess.Popen(
            [sys.executable, "-c", MAKE_REPORTS, str(folder / f"round-{seed}.sqlite3")],
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in seeds
    ]
    outputs = [process.communicate(timeout=300)[0] for process in running]
    assert [process.returncode for process in running] == [0] * len(seeds)
    return outputs


def test_a_report_hides_the_same_cells_whatever_the_process(tmp_path: Path) -> None:
    first, second = _reports(tmp_path, ("0", "1"))
    assert "['unit']" in first and len(first.splitlines()) > 100  # figures to compare
    assert first == second
