"""The report PDF made by a `survey worker` process: the web queues it and shows how far it
is, the worker renders it as the account that asked, and the web hands it out, recording
the release then, as before workers. A worker that cannot write the cache fails the job
after its attempts; the secretariat sees why and asks again."""

from __future__ import annotations

import re
import subprocess

import pytest

from survey import create_app
from survey.demo import national_2009_round
from survey.storage import open_database
from survey.storage.users import add_user
from tests.web.conftest import csrf
from tests.web.test_secretariat import ready_report, signed_in
from tests.workers.conftest import SURVEY, jobs, worker_env

ANALYST = "analytiker@sekretariatet.no"


@pytest.fixture
def installation(tmp_path):
    database = tmp_path / "survey.sqlite3"
    db = open_database(database)
    round_ = national_2009_round(db, municipalities=4, answer_rate=1.0)
    add_user(db, ANALYST, "et langt og godt passord", "analyst", ())
    db.close()
    return database, round_.id


def _app(database, cache, workers: int, attempts: int = 3):
    config = {"DATABASE": str(database), "SECRET_KEY": "workers", "TESTING": True}
    settings = {"WORKERS": workers, "REPORT_CACHE": str(cache), "JOB_ATTEMPTS": attempts}
    return create_app(config | settings)


def _worker(database, cache, **settings: str) -> subprocess.CompletedProcess[str]:
    env = worker_env(database, SURVEY_REPORT_CACHE=str(cache), **settings)
    done = subprocess.run(
        [*SURVEY, "worker", "--once"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done


def _text(pdf: bytes, tmp_path) -> str:
    (tmp_path / "r.pdf").write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _releases(database) -> list[tuple[str, str]]:
    db = open_database(database)
    try:
        return db.execute("SELECT account, channel FROM releases ORDER BY id").fetchall()
    finally:
        db.close()


def test_a_worker_process_renders_the_report_the_web_hands_out(installation, tmp_path):
    database, round_id = installation
    cache = tmp_path / "delt"
    app = _app(database, cache, workers=0)  # production: only `survey worker` renders
    client = signed_in(app, ANALYST)
    url = f"/sekretariat/runder/{round_id}/rapport.pdf"
    waiting = client.get(url)
    html = waiting.get_data(as_text=True)
    assert waiting.status_code == 202 and "Rapporten står i kø" in html
    status = client.get(re.search(r'data-status="([^"]+)"', html).group(1)).get_json()
    assert status == {
        "state": "running",
        "message": "Rapporten står i kø og lages straks en arbeidsprosess er ledig.",
    }
    assert client.get(url).status_code == 202 and len(jobs(database)) == 1  # asked twice: one job
    assert _releases(database) == []  # nothing released while it waits
    done = _worker(database, cache)
    (job,) = jobs(database)
    assert job.state == "done" and job.attempts == 1 and (cache / job.result).is_file()
    assert f"job {job.id} (report-pdf) done: {job.result}" in done.stdout
    assert job.progress_text == "Ferdig" and job.progress_done == job.progress_total == 3
    pdf = client.get(url)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert _releases(database) == [(ANALYST, "report PDF")]  # released when handed out, once
    by_worker = _text(pdf.data, tmp_path)
    # the same report rendered by the web process itself (WORKERS=1), as before workers
    local = signed_in(_app(database, tmp_path / "lokal", workers=1), ANALYST)
    in_process = _text(ready_report(local, url).data, tmp_path)
    assert by_worker == in_process and "Inviterte" in by_worker


def test_a_worker_that_cannot_write_the_cache_fails_the_job_and_the_secretariat_asks_again(
    installation, tmp_path
):
    database, round_id = installation
    cache = tmp_path / "delt"
    app = _app(database, cache, workers=0, attempts=2)  # the web decides a job's attempts
    client = signed_in(app, ANALYST)
    url = f"/sekretariat/runder/{round_id}/rapport.pdf?etter=role"
    assert client.get(url).status_code == 202
    (tmp_path / "fil").write_text("not a folder")
    done = _worker(database, tmp_path / "fil" / "rapporter")
    assert "failed, will retry" in done.stdout and "failed after 2 attempt(s)" in done.stdout
    failed = client.get(url)
    page = failed.get_data(as_text=True)
    assert failed.status_code == 500 and "<h1>Rapporten kunne ikke lages</h1>" in page
    assert "forsøkt laget 2 ganger" in page
    assert re.search(r"Feilmelding: <code>NotADirectoryError: [^<]*fil/rapporter", page), page
    status_url = f"/sekretariat/runder/{round_id}/rapport-status/{jobs(database)[0].key[11:]}"
    assert client.get(status_url).get_json()["state"] == "failed"
    again = client.post(url, data={"csrf_token": csrf(page)})
    assert again.status_code == 302
    (job,) = jobs(database)
    assert (job.state, job.attempts, job.error) == ("queued", 0, None)
    _worker(database, cache)
    assert client.get(url).status_code == 200
