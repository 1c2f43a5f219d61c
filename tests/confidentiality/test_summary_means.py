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

from survey.questionnaire import load_file
from survey.scoring.linked import MEAN_ONLY
from survey.storage import open_database
from survey.storage.releases import released_at
from tests.confidentiality.conftest import (
    ANALYST,
    add_answers,
    analyst_server,
    round_of_answers,
    round_of_counts,
    signed_in_analyst,
)
from tests.confidentiality.test_across_snapshots import ARRIVING, FIRST, K
from tests.confidentiality.test_tables_across_reports import q5_counts
from tests.conftest import QUESTIONNAIRES
from tests.scoring.oracle import leaks


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


def report_by_unit(db_path: str, round_id: int) -> str:
    """The report by unit's HTML preview, as a signed-in analyst reads it."""
    with analyst_server(db_path) as base:
        analyst = signed_in_analyst(base, ANALYST)
        report = f"{base}/sekretariat/runder/{round_id}/rapport?etter=unit"
        return analyst.open(report, timeout=60).read().decode()


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


BY_UNIT = {  # (role, unit): respondents; Kommune B is four mayors
    ("ordforer", "Kommune A"): 1,
    ("radmann", "Kommune A"): 2,
    ("ordforer", "Kommune B"): 4,
    ("radmann", "Kommune C"): 3,
}


def test_a_report_by_unit_shows_no_role_mean_that_gives_a_small_group_away(tmp_path):
    """The report by unit shows each unit (3, 4 and 3 answers) and its summary showed
    the mayors' and the rådmenn's means: five mayors' mean less Kommune B's four is
    Kommune A's one mayor's answer (the count is on the report by role and the response
    rates). The summary is now audited with the report's own tables, each mean read as
    its count and sum, and hides both (one alone would give the other by the total)."""
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, _ = round_of_counts(db_path, BY_UNIT, K, seed=0)
    page = report_by_unit(db_path, round_id)
    shown = q5_counts(page)
    assert shown == {"Alle": 10, "Kommune A": 3, "Kommune B": 4, "Kommune C": 3}
    heads, rows = summary_table(page)
    assert heads[:3] == ["Alle", "Ordfører", "Rådmann"]
    for label, cells in rows.items():
        by_group = dict(zip(heads, cells, strict=False))
        assert by_group["Ordfører"] == by_group["Rådmann"] == "–", (label, by_group)
        assert by_group["Alle"] != "–"
    # the judge, reading every shown group (the summary's too) as a known count
    cells = sorted(BY_UNIT)
    figures = [[c for c in cells if c[1] == unit] for unit in shown if unit != "Alle"]
    figures += [cells]
    assert leaks(dict(BY_UNIT), figures, K) == []
    assert leaks(dict(BY_UNIT), [*figures, [c for c in cells if c[0] == "ordforer"]], K)


SHOWN_ROLES = {  # every role × unit cell of three or more: the summary shows both roles
    ("ordforer", "Kommune A"): 3,
    ("radmann", "Kommune A"): 3,
    ("ordforer", "Kommune B"): 3,
    ("radmann", "Kommune B"): 4,
}


def test_the_ledger_holds_the_summarys_means_as_means_until_their_counts_are_shown(tmp_path):
    """What the summary released is read by every later audit of the snapshot as means
    (count and sum, ``storage.releases.released_at``'s "mean:" measures), not as the
    distributions a report by role prints: that would let the report by role print them
    again unaudited, as figures already out."""
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, _ = round_of_counts(db_path, SHOWN_ROLES, K, seed=5)
    with analyst_server(db_path) as base:
        analyst = signed_in_analyst(base, ANALYST)
        report = f"{base}/sekretariat/runder/{round_id}/rapport"
        page = analyst.open(f"{report}?etter=unit", timeout=60).read().decode()
        _, rows = summary_table(page)
        assert all("–" not in cells[:3] for cells in rows.values())  # both roles shown
        db = open_database(db_path)
        (snapshot,) = db.execute(
            "SELECT DISTINCT snapshot_id FROM releases WHERE round_id = ?", [round_id]
        ).fetchone()
        out = released_at(db, round_id, snapshot)
        roles = [{"role": "ordforer"}, {"role": "radmann"}]
        assert out[f"{MEAN_ONLY}item:q5"] == roles
        assert {"role": "ordforer"} not in out["item:q5"]
        analyst.open(f"{report}?etter=role", timeout=60).read()
        out = released_at(db, round_id, snapshot)
        assert f"{MEAN_ONLY}item:q5" not in out  # now printed with their counts
        assert all(group in out["item:q5"] for group in roles)
        db.close()


AT_THE_ENDS = {  # q5 answers per (role, unit): Kommune A at the bottom, B at the top
    ("ordforer", "Kommune A"): [1, 1],
    ("radmann", "Kommune A"): [1, 1, 1],
    ("ordforer", "Kommune B"): [6, 6, 6],
    ("radmann", "Kommune B"): [6, 6, 6],
}


def test_a_mean_with_the_units_answers_at_the_ends_of_the_scale_is_hidden(tmp_path):
    """No count pins Kommune A's two mayors (5 mayors, units of 5 and 6), but the
    mayors' mean does: Kommune A answered 1 and Kommune B 6 throughout, so the mayors'
    sum, 5 × their mean, is 6 × (5 − A's mayors) + 1 × A's mayors, which leaves one
    number of them, 2, and what they answered. Found by review: the summary was audited
    by counts only; its means are now checked with the points the tables print."""
    db_path = str(tmp_path / "survey.sqlite3")
    round_id, _ = round_of_answers(db_path, AT_THE_ENDS, K, seed=1)
    page = report_by_unit(db_path, round_id)
    assert q5_counts(page) == {"Alle": 11, "Kommune A": 5, "Kommune B": 6}
    heads, rows = summary_table(page)
    statement = next(label for label in rows if "styrket samarbeidet" in label)  # q5
    by_group = dict(zip(heads, rows[statement], strict=False))
    assert by_group["Alle"] == "3,7"
    assert by_group["Ordfører"] == by_group["Rådmann"] == "–", by_group


def test_an_index_mean_is_hidden_with_its_items_means(tmp_path):
    """The same round with every statement of "Vurdering av programmet" answered at the
    ends: each statement's means by role are hidden, and the index's were still shown
    (an index has no points for the check; its sum is its statements' sums): 4,0 for
    the five mayors gave Kommune A's two, as q5 did. Found by review. Now an index's
    mean by role is hidden where one of its statements' is."""
    programme = next(
        index
        for index in load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml").questionnaire.indexes
        if index.id == "vurdering_av_programmet"
    )
    db_path = str(tmp_path / "survey.sqlite3")
    asked = [item.id for item in programme.items]
    round_id, _ = round_of_answers(db_path, AT_THE_ENDS, K, seed=1, question=asked)
    page = report_by_unit(db_path, round_id)
    heads, rows = summary_table(page)
    assert len(rows) == len(asked) + 1
    for label, cells in rows.items():
        by_group = dict(zip(heads, cells, strict=False))
        assert by_group["Alle"].startswith("3,7"), (label, by_group)
        assert by_group["Ordfører"] == "–" and by_group["Rådmann"] == "–", (label, by_group)
