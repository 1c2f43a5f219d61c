"""A small group's answers per scale point, worked out from two reports of one snapshot.

Each report is audited on its own, points and all (``test_scale_points.py``), and the
cross-report audit (``scoring.linked``) reads every group released before from the same
snapshot. It used to read their counts only. A report by role and one by unit then each
passed alone, while together they pinned a small group's count at a point: in Kommune A
one mayor answered 6 and five rådmenn 2, in Kommune B everyone answered 2; the report by
role shows one answer of 6 among the mayors, the report by unit one in Kommune A, so the
lone mayor of Kommune A answered 6 (the cell's count is free, its count at 6 is not).
Now a released group's counts per point enter the cross-report audit too, and the later
report hides more until nothing is pinned by everything released from the snapshot.

Against the real app: a real HTTP server on 127.0.0.1, an analyst (or a unit leader)
signed in through its sign-in page, each report's HTML preview read back (counts from
the table, shares from the chart's caption), and the independent judge of
``tests/scoring/oracle.py`` over every (cell, point) count consistent with everything
read from all the reports together.
"""

from __future__ import annotations

import io
import json
import urllib.parse
import zipfile

import pytest

from survey import create_app
from survey.accounts import operator
from survey.operations.report_packs import order_report_pack, pack_zip
from survey.storage import open_database
from survey.storage.users import add_user
from survey.workers.loop import Options, Worker
from survey.workers.tasks import Setup
from tests.confidentiality.conftest import (
    ANALYST,
    PASSWORD,
    add_answers,
    q5_read,
    round_of_answers,
    signed_in_analyst,
)
from tests.conftest import server_thread
from tests.scoring.oracle import point_leaks

K = 5
POINTS = range(1, 7)
A, B = "Kommune A", "Kommune B"
LEADER_A = "leder@a.kommune.no"

LONE_MAYOR = {  # (role, unit): each respondent's answer to q5 (1 helt uenig … 6 helt enig)
    ("ordforer", A): [6],
    ("ordforer", B): [2, 2, 2, 2, 2],
    ("radmann", A): [2, 2, 2, 2, 2],
    ("radmann", B): [2, 2, 2, 2, 2, 2],
}
TWO_MAYORS = {  # the review's pattern of test_scale_points.py
    ("ordforer", A): [6, 6],
    ("ordforer", B): [6, 6, 6, 2, 2, 2],
    ("radmann", A): [6, 6, 6, 2, 2, 2, 2, 2],
    ("radmann", B): [2, 2, 2, 2, 2, 2, 2],
}
LEADERS_MAYORS = {
    ("ordforer", A): [6, 6],
    ("radmann", A): [2, 2, 2, 2, 2, 2],
    ("ordforer", B): [2, 2, 2, 2, 2, 2],
    ("radmann", B): [2, 2, 2, 2, 2, 2],
}


def read_reports(tmp_path, q5, sequence, leaders=()):
    """Every shown group's count and shares, over all the reports of ``sequence`` ((who,
    etter, enhet or None) in the order read), as rows for the oracle."""
    counts = {cell: [answers.count(p) for p in POINTS] for cell, answers in q5.items()}
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, labels = round_of_answers(db_path, q5, K, seed=5)
    db = open_database(db_path)
    add_user(db, ANALYST, PASSWORD, "analyst", ())
    for email, unit in leaders:
        add_user(db, email, PASSWORD, "unit-leader", (unit,))
    db.close()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test"})
    rows: list = []
    shown_per_report = []
    with server_thread(app) as base:
        clients: dict = {}
        for who, etter, unit in sequence:
            if who not in clients:
                clients[who] = signed_in_analyst(base, who)
            address = f"{base}/sekretariat/runder/{round_id}/rapport?etter={etter}"
            if unit:
                address += "&enhet=" + urllib.parse.quote(unit)
            read = q5_read(clients[who].open(address, timeout=120).read().decode())
            assert read, f"no q5 table in the report by {etter}"
            shown_per_report.append({label for label, got in read.items() if got})
            for label, got in read.items():
                if got is None:
                    continue
                n, shares = got
                parts = [] if label == "Alle" else label.split(", ")
                cells = [
                    c
                    for c in q5
                    if (unit is None or c[1] == unit)
                    and all(p in (labels[c[0]], c[1]) for p in parts)
                ]
                assert n == sum(len(q5[c]) for c in cells), (label, n, cells)
                rows.append((cells, None, n, n))
                for p, share in enumerate(shares):
                    allowed = [c for c in range(n + 1) if abs(100 * c / n - share) <= 0.5]
                    rows.append((cells, [p], min(allowed), max(allowed)))
    return counts, rows, shown_per_report


SCENARIOS = {
    "lone_mayor": (LONE_MAYOR, [(ANALYST, "role", None), (ANALYST, "unit", None)], ()),
    "lone_mayor_unit_first": (LONE_MAYOR, [(ANALYST, "unit", None), (ANALYST, "role", None)], ()),
    "role_then_unit": (TWO_MAYORS, [(ANALYST, "role", None), (ANALYST, "unit", None)], ()),
    "unit_then_role": (TWO_MAYORS, [(ANALYST, "unit", None), (ANALYST, "role", None)], ()),
    # the crossed report first: it hides the units for q5, while other items (the same
    # counts, other answers) show them; q5's units must still be audited by their points
    "crossed_first": (
        TWO_MAYORS,
        [(ANALYST, "role,unit", None), (ANALYST, "role", None), (ANALYST, "unit", None)],
        (),
    ),
    "role_then_leader": (
        LEADERS_MAYORS,
        [(ANALYST, "role", None), (LEADER_A, "role", A)],
        ((LEADER_A, A),),
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_reports_together_pin_no_small_group_at_a_point(tmp_path, name):
    q5, sequence, leaders = SCENARIOS[name]
    counts, rows, shown = read_reports(tmp_path, q5, sequence, leaders)
    assert any(shown), "every report hid everything: nothing was tested"
    assert point_leaks(counts, rows, K) == []


BEFORE = LONE_MAYOR  # the first snapshot
ARRIVING = {("radmann", B): [2, 2, 2, 2, 2]}  # between the first report and the others


def test_a_later_snapshots_reports_pin_no_small_group_at_a_point(tmp_path):
    """The same lone mayor, once an earlier snapshot has released figures: the report by
    role before five more rådmenn of Kommune B answered, by role and by unit after (the
    counts alone pin nothing; the ledger's audit reads paths then). Cells are
    (role, unit, the snapshot each person entered), as the judge of
    ``test_across_snapshots.py`` has them."""
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, labels = round_of_answers(db_path, BEFORE, K, seed=5)
    db = open_database(db_path)
    add_user(db, ANALYST, PASSWORD, "analyst", ())
    db.close()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test"})
    everyone = {(*c, 0): v for c, v in BEFORE.items()} | {(*c, 1): v for c, v in ARRIVING.items()}
    counts = {cell: [answers.count(p) for p in POINTS] for cell, answers in everyone.items()}
    rows: list = []
    with server_thread(app) as base:
        analyst = signed_in_analyst(base, ANALYST)
        report = f"{base}/sekretariat/runder/{round_id}/rapport"
        reads = [(0, q5_read(analyst.open(f"{report}?etter=role", timeout=120).read().decode()))]
        add_answers(db_path, round_id, ARRIVING, seed=9)
        for etter in ("role", "unit"):
            page = analyst.open(f"{report}?etter={etter}", timeout=120).read().decode()
            reads.append((1, q5_read(page)))
    assert reads[-1][1]["Alle"][0] == 22  # they entered
    for at, read in reads:
        for label, got in read.items():
            if got is None:
                continue
            n, shares = got
            cells = [c for c in everyone if c[2] <= at and label in ("Alle", c[1], labels[c[0]])]
            assert n == sum(len(everyone[c]) for c in cells), (label, n, cells)
            rows.append((cells, None, n, n))
            for p, share in enumerate(shares):
                allowed = [c for c in range(n + 1) if abs(100 * c / n - share) <= 0.5]
                rows.append((cells, [p], min(allowed), max(allowed)))
    assert point_leaks(counts, rows, K) == []


def test_a_packs_reports_are_decided_after_its_earlier_ones(tmp_path):
    """A report pack holds the overall report by role and each unit's own by role, which
    its zip releases one after the other: Kommune A's report after the overall one, so its
    total (one answer of 6 in six) beside the mayors' (one of 6 in six, in the overall
    report) would pin Kommune A's lone mayor. Each report is decided the way the zip will
    find it, after the pack's earlier ones: the zip holds every report (decided as each
    one was made), and the pack's figures pin nobody at a point."""
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, _ = round_of_answers(db_path, LONE_MAYOR, K, seed=5)
    cache = tmp_path / "reports"
    db = open_database(db_path)
    try:
        actor = operator()
        order_report_pack(db, actor, round_id)
        worker = Worker(Setup(db_path, str(cache)), Options(concurrency=2, retry_delay=0))
        worker.run(drain=True)
        zipped = pack_zip(db, actor, round_id, cache)
        archive = zipfile.ZipFile(io.BytesIO(b"".join(zipped.chunks)))
        assert zipped.missing == [] and len(zipped.written) == 3
        assert "LES-MEG.txt" not in archive.namelist()
        shown = db.execute(
            "SELECT r.unit, f.grp, f.value FROM released_figures f "
            "JOIN releases r ON r.id = f.release_id "
            "WHERE f.measure = 'item:q5' AND f.statistic = 'n' ORDER BY f.release_id"
        ).fetchall()
    finally:
        db.close()
    assert [unit for unit, _, _ in shown].count(None) >= 2  # the overall report by role
    counts = {cell: [answers.count(p) for p in POINTS] for cell, answers in LONE_MAYOR.items()}
    rows: list = []
    for _, group, n in shown:
        within = json.loads(group)
        cells = [
            c
            for c in LONE_MAYOR
            if within.get("unit", c[1]) == c[1] and within.get("role", c[0]) == c[0]
        ]
        rows.append((cells, None, int(n), int(n)))
        # each shown group's counts per point as the report prints them: exactly, at most
        for p in range(len(POINTS)):
            at = sum(counts[c][p] for c in cells)
            rows.append((cells, [p], at, at))
    assert point_leaks(counts, rows, K) == []
