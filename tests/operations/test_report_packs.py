"""The report pack (issue 18): an admin orders it on the round's pack page, real worker
processes decide its reports (one job) and render one report per unit plus the overall
one (a job each), the page shows each unit's progress, the zip holds every unit's own
report with that unit's figures and records one release per report in it, and a unit
leader sees and gets only their own unit's report. Each report is decided after the
pack's earlier ones, as the zip releases them (issue 14). On both stores."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from survey.demo import employee_round
from survey.operations.report_packs import make_pack, order_report_pack, pack_progress
from survey.questionnaire import load_questionnaire
from survey.resources import EMPLOYEE_QUESTIONNAIRE
from survey.storage.report_packs import pack_entries
from survey.storage.users import add_user
from survey.workers.loop import Options, Worker
from survey.workers.tasks import Setup
from tests.operations.conftest import ADMIN, PASSWORD, Edges
from tests.web.conftest import csrf

LEADER = "leder@enhet002.example.no"
UNITS = ["Enhet 001", "Enhet 002", "Enhet 003", "Enhet 004"]
PER_UNIT = 7  # six employees (shown, k = 5) and their leader (hidden) in each unit


@pytest.fixture
def pack(edges: Edges):
    round_ = employee_round(edges.db, units=len(UNITS), per_unit=PER_UNIT)
    add_user(edges.db, LEADER, PASSWORD, "unit-leader", ("Enhet 002",))
    edges.app.config["WORKERS"] = 0  # only the worker processes below render
    return edges, round_.id, Path(edges.app.instance_path) / "reports"


def _signed_in(edges: Edges, email: str):
    client = edges.app.test_client()
    page = client.get("/logg-inn").get_data(as_text=True)
    answer = client.post(
        "/logg-inn", data={"csrf_token": csrf(page), "email": email, "password": PASSWORD}
    )
    assert answer.status_code == 302
    return client


def _work(edges: Edges, cache: Path) -> int:
    """What `survey worker --once --concurrency 2` does: every job in a fresh process."""
    worker = Worker(Setup(edges.path, str(cache)), Options(concurrency=2, retry_delay=0))
    return worker.run(drain=True)


def _rows(page: str) -> dict[str, str]:
    """The pack page's table: report -> status."""
    return dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([^<(]+?)\s*(?:\(|</td>)', page))


def _releases(edges: Edges) -> list[tuple[str, str | None, str]]:
    """The releases of report PDFs (the round page releases its own figures)."""
    rows = edges.db.execute(
        "SELECT account, unit, channel FROM releases WHERE channel = 'report PDF' ORDER BY id"
    ).fetchall()
    return [tuple(row) for row in rows]


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def _top_item_mean(edges: Edges, round_id: int, unit: str) -> str:
    """The unit's highest statement mean, computed from the stored answers (not by the
    scoring; reverse-coded statements turned), as the report writes it: 4,8."""
    items = {item.id: item for item in load_questionnaire(EMPLOYEE_QUESTIONNAIRE).items}
    rows = edges.db.execute(
        "SELECT a.item, a.number FROM answers a JOIN responses r ON r.id = a.response_id "
        "JOIN invitations i ON i.id = r.invitation_id "
        "WHERE i.round_id = ? AND i.unit = ? AND a.number IS NOT NULL",
        [round_id, unit],
    ).fetchall()
    values: dict[str, list[float]] = {}
    for item, number in rows:
        scale = items[item].scale
        value = float(number)
        values.setdefault(item, []).append(
            scale.high + scale.low - value if items[item].reverse else value
        )
    top = max(sum(v) / len(v) for v in values.values() if len(v) >= 5)
    return f"{top:.1f}".replace(".", ",")


def test_a_pack_is_ordered_rendered_by_workers_and_handed_out_report_by_report(pack):
    edges, round_id, cache = pack
    admin = edges.web()
    base = f"/sekretariat/runder/{round_id}/rapportpakke"
    round_page = admin.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    assert f'href="{base}"' in round_page
    assert "Det er ikke laget noen rapportpakke" in admin.get(base).get_data(as_text=True)
    assert admin.post(base, data={}).status_code == 400  # no CSRF token, no pack
    assert edges.count("report_packs") == 0

    assert edges.post(admin, base, {}).status_code == 302
    assert edges.post(admin, base, {}).status_code == 302  # again while it runs: same pack
    assert edges.count("report_packs") == 1 and edges.count("jobs") == 1  # the pack's job
    page = admin.get(base).get_data(as_text=True)
    assert _rows(page) == {"Hele runden": "I kø", **{unit: "I kø" for unit in UNITS}}
    assert "0 av 5 rapporter er ferdige" in page and ".zip" not in page
    early = admin.get(f"{base}.zip")
    assert early.status_code == 422 and "ikke ferdig" in early.get_data(as_text=True)

    assert _work(edges, cache) == 1 + 1 + len(UNITS)  # the pack's job, then one per report
    page = admin.get(base).get_data(as_text=True)
    assert _rows(page) == {"Hele runden": "Ferdig", **{unit: "Ferdig" for unit in UNITS}}
    assert "Alle rapportene er ferdige" in page and f'href="{base}.zip"' in page
    assert _releases(edges) == []  # rendering released nothing

    response = admin.get(f"{base}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = [f"rapport-runde-{round_id}-hele-runden.pdf"] + [
        f"rapport-runde-{round_id}-enhet-00{n}.pdf" for n in range(1, 5)
    ]
    assert archive.namelist() == names
    overall = _text(archive.read(names[0]))
    assert "Enhet:" not in overall and re.search(r"Inviterte\s+28\b", overall)
    for unit, name in zip(UNITS, names[1:], strict=True):
        text = _text(archive.read(name))
        assert f"Enhet: {unit}" in text
        assert re.search(rf"Inviterte\s+{PER_UNIT}\b", text)
        top = f"Høyest vurdert av alle: «[^»]+» \\(snitt {_top_item_mean(edges, round_id, unit)}\\)"
        assert re.search(top, " ".join(text.split())), unit
        for other in set(UNITS) - {unit}:
            assert other not in text
    assert _releases(edges) == [(ADMIN, None, "report PDF")] + [
        (ADMIN, unit, "report PDF") for unit in UNITS
    ]
    assert ("report pack downloaded", f"round {round_id}: 5 reports") in [
        (action, detail) for _, action, detail in edges.audit()
    ]

    leader = _signed_in(edges, LEADER)
    mine = leader.get(base)
    assert mine.status_code == 200
    assert _rows(mine.get_data(as_text=True)) == {"Enhet 002": "Ferdig"}
    assert ".zip" not in mine.get_data(as_text=True)
    assert leader.get(f"{base}.zip").status_code == 403
    assert (
        leader.post(base, data={"csrf_token": csrf(mine.get_data(as_text=True))}).status_code == 403
    )
    link = re.search(r'href="([^"]*rapport\.pdf[^"]*)"', mine.get_data(as_text=True)).group(1)
    own = leader.get(link.replace("&amp;", "&"))
    assert own.status_code == 200 and own.data == archive.read(names[2])  # the pack's file
    assert edges.count("jobs") == 1 + 1 + len(UNITS)  # nothing rendered again
    assert _releases(edges)[-1] == (LEADER, "Enhet 002", "report PDF")
    other = f"/sekretariat/runder/{round_id}/rapport.pdf?enhet=Enhet+001&etter=role"
    assert leader.get(other).status_code == 403


def test_progress_follows_the_jobs_and_ordering_again_after_a_pack_is_done_makes_a_new_one(
    pack,
):
    edges, round_id, cache = pack
    first = order_report_pack(edges.db, edges.admin, round_id)
    again = order_report_pack(edges.db, edges.admin, round_id)
    assert first.new and not again.new and again.pack == first.pack

    def states() -> list[tuple[str | None, str]]:
        progress = pack_progress(edges.db, edges.admin, round_id, cache)
        assert progress is not None
        return [(r.unit, r.state) for r in progress.reports]

    everyone = [None, *UNITS]
    assert states() == [(unit, "queued") for unit in everyone]
    edges.db.execute("UPDATE jobs SET state = 'running' WHERE kind = 'report-pack'")
    assert states() == [(unit, "queued") for unit in everyone]  # being decided

    (payload,) = edges.db.execute("SELECT payload FROM jobs WHERE kind = 'report-pack'").fetchone()
    assert make_pack(edges.db, json.loads(payload), cache, lambda *_: None) == "5 reports"
    edges.db.execute("UPDATE jobs SET state = 'done' WHERE kind = 'report-pack'")
    keys = [entry.job_key for entry in pack_entries(edges.db, first.pack.id)]
    assert all(key.startswith("report-pdf:runde-") for key in keys)
    assert sorted(p.suffix for p in cache.iterdir()) == [".html"] * 5  # each one's page
    edges.db.execute(  # the worker holding the first unit's report is at its first step
        "UPDATE jobs SET state = 'running', progress_done = 1, progress_total = 2 "
        "WHERE job_key = ?",
        [keys[1]],
    )
    edges.db.execute("UPDATE jobs SET state = 'failed', attempts = 3 WHERE job_key = ?", [keys[2]])
    progress = pack_progress(edges.db, edges.admin, round_id, cache)
    assert progress is not None and not progress.done
    assert states() == [
        (None, "queued"),
        ("Enhet 001", "running"),
        ("Enhet 002", "failed"),
        ("Enhet 003", "queued"),
        ("Enhet 004", "queued"),
    ]
    page = edges.web().get(f"/sekretariat/runder/{round_id}/rapportpakke").get_data(as_text=True)
    assert "Lages (steg 2 av 2)" in page and "Feilet" in page and "1 feilet" in page
    edges.db.execute("UPDATE jobs SET state = 'done'")  # every job ended, no file in the cache
    assert {state for _, state in states()} == {"again"}
    newer = order_report_pack(edges.db, edges.admin, round_id)
    assert newer.new and newer.pack.id == first.pack.id + 1
