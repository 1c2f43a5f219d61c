"""The release ledger: every figure of a round shown to anyone is recorded, with to whom, how
and when, whichever edge showed it (issue 14: "none of this leaves a trace" was attack 7)."""

from __future__ import annotations

import getpass
import re
import time

from survey.demo import national_2009_round
from survey.storage.releases import list_releases, released_figures
from survey.storage.users import add_user
from tests.operations.conftest import PASSWORD
from tests.web.conftest import csrf

LEADER = "leder@kommune001.example.no"
OPERATOR = f"cli:{getpass.getuser()}"  # the CLI acts as the operating-system user


def channels(edges, round_id: int) -> list[tuple[str, str, str, str | None]]:
    return [(r.channel, r.account, r.breakdown, r.unit) for r in list_releases(edges.db, round_id)]


def test_a_report_preview_records_exactly_the_figures_it_shows(edges):
    round_ = national_2009_round(edges.db, municipalities=12)
    client = edges.web()
    html = client.get(f"/sekretariat/runder/{round_.id}/rapport?etter=role").get_data(True)
    (release,) = list_releases(edges.db, round_.id)
    assert (release.channel, release.account, release.breakdown) == (
        "report preview",
        edges.admin.email,
        "role",
    )
    figures = released_figures(edges.db, release.id)
    assert release.figures == len(figures) > 100
    # q5's table as the page shows it: a row per group with its number of answers
    table = re.search(r'id="q-q5".*?<table class="likert">(.*?)</table>', html, re.S).group(1)
    shown = re.findall(r'<th scope="row">(.*?)</th>\s*<td class="num">(\d+)</td>', table)
    recorded = {
        dict(group).get("role", "Alle"): value
        for measure, group, statistic, value in figures
        if measure == "item:q5" and statistic == "n"
    }
    labels = {"Alle": "Alle", "Ordfører": "ordforer", "Rådmann": "radmann"}
    labels |= {"Tillitsvalgt": "tillitsvalgt", "Prosjektleder": "prosjektleder"}
    assert shown and {labels[label]: float(n) for label, n in shown} == recorded
    (respondents,) = edges.db.execute(
        "SELECT count(*) FROM responses WHERE round_id = ? AND submitted = 1", [round_.id]
    ).fetchone()
    assert release.responses == respondents  # what the figures rest on


def test_every_channel_is_recorded(edges, tmp_path):
    round_ = national_2009_round(edges.db, municipalities=12)
    add_user(edges.db, LEADER, PASSWORD, "unit-leader", ("Kommune 001",))
    admin = edges.web()
    r = round_.id
    admin.get(f"/sekretariat/runder/{r}")  # the round page: response rates, answers per day
    admin.get("/sekretariat/")  # the list of rounds: each round's overall rate
    deadline = time.monotonic() + 120
    while admin.get(f"/sekretariat/runder/{r}/rapport.pdf").status_code == 202:
        assert time.monotonic() < deadline, "the PDF was not rendered within two minutes"
        time.sleep(0.3)
    leader = edges.app.test_client()
    page = leader.get("/logg-inn").get_data(as_text=True)
    form = {"csrf_token": csrf(page), "email": LEADER, "password": PASSWORD}
    leader.post("/logg-inn", data=form)
    leader.get(f"/sekretariat/runder/{r}")  # one unit's page
    assert edges.cli("scores", str(r), "--by", "role")[0] == 0
    assert edges.cli("report", str(r), "-o", str(tmp_path / "r.pdf"))[0] == 0
    assert channels(edges, r) == [  # newest first
        ("report file", OPERATOR, "role", None),
        ("scores", OPERATOR, "role", None),
        ("round page", LEADER, "", "Kommune 001"),
        ("report PDF", edges.admin.email, "role", None),
        ("rounds list", edges.admin.email, "", None),
        ("round page", edges.admin.email, "", None),
    ]
    unit_page = next(x for x in list_releases(edges.db, r) if x.unit == "Kommune 001")
    assert all(
        dict(group).get("unit") == "Kommune 001"
        for _, group, _, _ in released_figures(edges.db, unit_page.id)
    )  # a unit's figures are recorded as that unit's
    log = admin.get("/sekretariat/revisjon").get_data(as_text=True)
    assert "Utleverte tall" in log and "rundens side" in log and "rapport (PDF)" in log


def test_survey_scores_records_the_number_who_answered_beside_n(edges):
    """``survey scores`` prints each item's not-scored count beside n: n + not scored is
    the number who answered, a count of its own, recorded as "answered:q" so that later
    releases are audited with it (found by review)."""
    from survey.operations.results import scores

    round_ = national_2009_round(edges.db, municipalities=12)
    table = scores(edges.db, edges.admin, round_.id, "role")
    (release,) = list_releases(edges.db, round_.id)
    recorded = {
        dict(group).get("role", "*"): value
        for measure, group, statistic, value in released_figures(edges.db, release.id)
        if measure == "answered:q5" and statistic == "n"
    }
    shown = table[(table["item"] == "q5") & ~table["suppressed"]]
    assert recorded and recorded == {
        row["role"]: row["n"] + row["not_scored"] for _, row in shown.iterrows()
    }
