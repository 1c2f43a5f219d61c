"""The summary's means by role, read beside the tables they sum up (issue 14).

The report by role after three answers came in (the scenario of
``test_across_snapshots``) hides both roles in every table: with the report by unit
before, they would pin the mayors of the first snapshot. Its summary used to show both
roles' means anyway, decided by the minimum alone: a mean beside the role's count
printed elsewhere (the response rate by role) is the sum of its answers, and the
rådmenn's sum now minus Kommune Y's then is the sum of Kommune X's two rådmenn, and
Kommune X's then minus that, its two mayors' answers. The summary by the tables' own
breakdown now shows the means the audited tables show, and no others, and says that
no role under target is known only of the roles it shows.

Against the real app: a real HTTP server on 127.0.0.1, an analyst signed in through the
sign-in page, both reports' HTML previews read back.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.confidentiality.conftest import (
    ANALYST,
    add_answers,
    analyst_server,
    round_of_counts,
    signed_in_analyst,
)
from tests.confidentiality.test_across_snapshots import ARRIVING, FIRST, K
from tests.confidentiality.test_tables_across_reports import q5_counts


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def summary_table(page: str) -> tuple[list[str], dict[str, list[str]]]:
    """The summary's column heads and, per statement or index, its cells as printed."""
    start = page.index('id="sammendrag"')
    section = page[start : page.index("</section>", start)]
    heads = [_text(h) for h in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", section)]
    rows = {}
    for row in re.findall(r"<tr class=\"(?:item|index)\">(.*?)</tr>", section, re.S):
        label = _text(re.search(r"<th scope=\"row\">(.*?)</th>", row, re.S).group(1))
        rows[label] = [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return heads[1:], rows


@pytest.fixture
def second_report(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, _ = round_of_counts(db_path, FIRST, K, seed=4)
    with analyst_server(db_path) as base:
        analyst = signed_in_analyst(base, ANALYST)
        report = f"{base}/sekretariat/runder/{round_id}/rapport"
        analyst.open(f"{report}?etter=unit", timeout=60).read()
        add_answers(db_path, round_id, {c: [0] * n for c, n in ARRIVING.items()}, seed=9)
        yield analyst.open(f"{report}?etter=role", timeout=60).read().decode()


def test_the_summary_shows_no_mean_of_a_role_its_tables_hide(second_report):
    counts = q5_counts(second_report)
    hidden = {label for label, n in counts.items() if n is None}
    assert hidden == {"Ordfører", "Rådmann"}  # the tables hide both (as before)
    heads, rows = summary_table(second_report)
    assert heads[:3] == ["Alle", "Ordfører", "Rådmann"]
    assert len(rows) == 8  # the seven statements and the programme's index
    for label, cells in rows.items():
        by_group = dict(zip(heads, cells, strict=False))
        assert re.fullmatch(r"\d,\d( ▼)?", by_group["Alle"]), (label, by_group)
        for role in hidden:
            assert by_group[role] == "–", (label, role, by_group)


def test_the_index_line_says_no_role_is_under_target_only_of_the_roles_shown(second_report):
    start = second_report.index('id="sammendrag"')
    summary = _text(second_report[start : second_report.index("</section>", start)])
    line = re.search(r"Vurdering av programmet: snitt [^.]*\.", summary).group(0)
    assert "ingen rolle under målet" not in line
    assert "▼ under mål for" not in line  # no role named: none is shown
    assert "ingen av rollene som vises, er under målet" in line, line
