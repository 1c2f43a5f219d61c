"""A small group's answer in an earlier round, from a report compared with it.

A report compared with an earlier round shows each group's change, and its mean beside
it: the earlier round's mean for the group follows (to within 0.1), and a comparison by a
breakdown the earlier round never released is a new breakdown of that round. Round 1
released its report by role: the eleven rådmenn all answered 2 (100 % at 2), the six
mayors 17 % at 6. Round 2's report by unit compared with round 1 then gave Kommune A's
round-1 mean, 2.7 of six answers: a sum of 16, the five rådmenn's 10, so Kommune A's lone
mayor answered 6. The earlier round's tables behind a comparison are now audited with
everything that round has released (``report.content.Ledger``), and a change is shown only
where that round's figure is safe to release too; its count enters that round's ledger.

Against the real app: a real HTTP server on 127.0.0.1, an analyst signed in, both
reports' HTML previews read back, and the attack computed from what they print.
"""

from __future__ import annotations

import html as entities
import math
import re

from survey.storage import open_database
from tests.confidentiality.conftest import (
    ANALYST,
    analyst_server,
    round_of_answers,
    signed_in_analyst,
)

K = 5
A, B = "Kommune A", "Kommune B"
ROUND_1 = {  # q5: 1 helt uenig … 6 helt enig
    ("ordforer", A): [6],
    ("ordforer", B): [2, 2, 2, 2, 2],
    ("radmann", A): [2, 2, 2, 2, 2],
    ("radmann", B): [2, 2, 2, 2, 2, 2],
}
ROUND_2 = {cell: [3, 3, 3, 4, 4, 4] for cell in ROUND_1}


def q5_rows(page: str) -> dict[str, tuple[int, float, float | None] | None]:
    """The q5 table of a compared preview: label -> (n, mean, change), None if hidden."""
    found = re.search(r'id="q-q5".*?<table class="likert">(.*?)</table>', page, re.S)
    assert found is not None, "no q5 table"
    rows: dict[str, tuple[int, float, float | None] | None] = {}
    for label, cells in re.findall(
        r'<th scope="row">(.*?)</th>(.*?)</tr>', entities.unescape(found.group(1)), re.S
    ):
        values = [
            re.sub(r"<[^>]+>", "", v).strip()
            for v in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        ]
        if "hidden-cell" in cells:
            rows[label] = None
            continue
        number = [v.replace(",", ".").replace("−", "-").replace("±", "") for v in values]
        change = float(number[-1]) if number[-1] else None
        rows[label] = (int(number[0]), float(number[1]), change)
    return rows


def test_a_comparison_gives_no_small_group_of_the_earlier_round_away(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    first, _ = round_of_answers(db_path, ROUND_1, K, seed=5)
    second, _ = round_of_answers(db_path, ROUND_2, K, seed=6)
    with analyst_server(db_path) as base:
        analyst = signed_in_analyst(base, ANALYST)
        reports = f"{base}/sekretariat/runder"
        by_role = analyst.open(f"{reports}/{first}/rapport?etter=role", timeout=120).read()
        assert "hidden-cell" not in q5_rows_plain(by_role.decode())
        address = f"{reports}/{second}/rapport?etter=unit&sammenlign={first}"
        compared = q5_rows(analyst.open(address, timeout=120).read().decode())
    assert compared["Alle"] is not None and compared["Alle"][2] is not None  # a change shown
    # the attack: Kommune A's round-1 mean is its mean now minus its change (each printed
    # to one decimal); its six answers sum to a whole number in that range, the five
    # rådmenn's to 10 (all answered 2, as the report by role showed), and the mayor's
    # answer is the rest, a point of the scale
    row = compared[A]
    if row is not None and row[2] is not None:
        _, mean, change = row
        low, high = (mean - change - 0.1) * 6, (mean - change + 0.1) * 6
        sums = range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)
        mayor = [total - 10 for total in sums if 1 <= total - 10 <= 6]
        assert len(mayor) > 1, f"Kommune A's mayor answered {mayor}"
    # the comparison released round 1's overall mean: in round 1's ledger with its count,
    # so that round's later tables are audited with it
    db = open_database(db_path)
    try:
        entered = db.execute(
            "SELECT f.grp, f.statistic FROM released_figures f JOIN releases r "
            "ON r.id = f.release_id WHERE r.round_id = ? AND r.breakdown = 'unit' "
            "AND f.measure = 'item:q5' ORDER BY f.grp, f.statistic",
            [first],
        ).fetchall()
    finally:
        db.close()
    assert [tuple(row) for row in entered] == [("{}", "mean"), ("{}", "n")]


def q5_rows_plain(page: str) -> str:
    """The q5 table of a report, as HTML."""
    found = re.search(r'id="q-q5".*?<table class="likert">(.*?)</table>', page, re.S)
    assert found is not None
    return found.group(1)
