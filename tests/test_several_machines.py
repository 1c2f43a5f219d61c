"""The installation issue 18 asks for, run for real on one machine: `survey serve` with
several gunicorn workers and two `survey worker` processes, all against one PostgreSQL
cluster (the throwaway one of tests/pg.py), invitations sent by a worker through an SMTP
server on loopback, many respondents answering over HTTP at once, a report rendered by a
worker and a report pack spread over both; then every row counted. Each process has its
own connections, as it would on its own machine."""

from __future__ import annotations

import io
import re
import subprocess
import threading
import zipfile

from aiosmtpd.controller import Controller

from survey.storage import open_database
from survey.storage.jobs import list_jobs
from survey.storage.users import add_user
from tests.faults.conftest import (
    Browser,
    expected_rows,
    free_port,
    invited_round,
    plan,
    rows_by_respondent,
)
from tests.mail.test_mail import Collector
from tests.test_serve import WORKERS, serving
from tests.workers.conftest import start_worker, wait_for

PEOPLE = 40
UNITS = 7  # tests.faults.conftest.invited_round: Kommune 0 to Kommune 6
ADMIN, PASSWORD = "admin@ks.example.no", "et langt og godt passord"
SENDER = "Sekretariatet <post@ks.example.no>"


def sign_in(base: str) -> Browser:
    browser = Browser(base)
    browser.request("/logg-inn")
    reply = browser.request(
        "/logg-inn", {"csrf_token": browser.csrf, "email": ADMIN, "password": PASSWORD}
    )
    assert reply.status == 302, reply.body[:500]
    return browser


def answer(base: str, i: int, token: str, failures: list[str]) -> None:
    """Respondent i through every page of their plan, then sent in."""
    try:
        browser = Browser(base)
        browser.request(f"/s/{token}")
        for step in plan(i):
            browser.request(f"/s/{token}/side/{step.page}")
            reply = browser.post(f"/s/{token}/side/{step.page}", step.data)
            assert reply.status == 302, (i, step.page, reply.status, reply.body[:300])
        last = plan(i)[-1].page
        browser.request(f"/s/{token}/side/{last}")
        reply = browser.request(
            f"/s/{token}/side/{last}",
            {"csrf_token": browser.csrf, **plan(i)[-1].data, "action": "submit"},
        )
        assert reply.status == 302 and reply.location.endswith("/ferdig"), reply.location
    except Exception as error:  # reported by the test, with the respondent's number
        failures.append(f"respondent {i}: {error!r}")


def test_serve_and_two_workers_on_one_postgresql_cluster(tmp_path, pg_cluster):
    url = pg_cluster.fresh_database()
    tokens = invited_round(url, PEOPLE)
    db = open_database(url)
    add_user(db, ADMIN, PASSWORD, "admin")
    round_id = db.execute("SELECT id FROM rounds").fetchone()[0]
    db.close()

    collector = Collector()
    smtp = Controller(collector, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    smtp.start()
    cache = tmp_path / "reports"  # shared by the web and the workers (docs/deployment.md)
    port = free_port()
    settings = {
        "WORKERS": 0,  # the web process runs no jobs: the two workers do
        "REPORT_CACHE": cache,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_SENDER": SENDER,
    }
    on_workers = {f"SURVEY_{name}": str(value) for name, value in settings.items()}
    workers = [start_worker(url, log=tmp_path / f"worker-{n}.log", **on_workers) for n in range(2)]
    try:
        with serving(tmp_path, url, port=port, **settings) as served:
            assert len(served.all_workers(WORKERS)) == WORKERS
            admin = sign_in(served.base)

            # invitations, through the secretariat's page, to a real SMTP server
            admin.request(f"/sekretariat/runder/{round_id}/invitasjoner")
            sent = admin.request(
                f"/sekretariat/runder/{round_id}/send/invitation",
                {"csrf_token": admin.csrf, "bekreft": "ja"},
            )
            # the batch is a job: a worker sends it; the page waits a few seconds for it,
            # then shows how far it is (whichever came first on this machine)
            assert sent.status == 302, sent.body[:300]
            assert re.search(r"\?(sendt=40/0|utsending=\d+)$", sent.location), sent.location
            wait_for(lambda: "Sendt: 40." in admin.request(sent.location).body, timeout=120)
            mailed = {m.rcpt_tos[0]: m.body for m in collector.take()}
            assert len(mailed) == PEOPLE
            for i, token in tokens.items():
                assert f"/s/{token}" in mailed[f"person{i}@kommune.example.no"]

            # every respondent at once, each in their own browser
            failures: list[str] = []
            threads = [
                threading.Thread(target=answer, args=(served.base, i, token, failures))
                for i, token in tokens.items()
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=300)
            assert failures == []

            # a report, rendered by one of the two workers, handed to the admin
            path = f"/sekretariat/runder/{round_id}/rapport.pdf?etter=role"
            pending = admin.request(path)
            assert pending.status == 202 and "lages" in pending.body
            name = re.search(r"rapport-status/([^\"']+)", pending.body).group(1)
            wait_for(
                lambda: (
                    '"ready"'
                    in admin.request(
                        f"/sekretariat/runder/{round_id}/rapport-status/{name}"
                    ).body.replace(" ", "")
                ),
                timeout=180,
            )
            with admin.opener.open(served.base + path, timeout=60) as response:
                assert response.status == 200
                pdf = response.read()
            (cached,) = cache.glob("*.pdf")
            assert pdf == cached.read_bytes() and pdf.startswith(b"%PDF")
            text = subprocess.run(
                ["pdftotext", "-layout", str(cached), "-"], capture_output=True, text=True
            ).stdout
            assert "Ordfører" in text and "40" in text

            # the report pack: each unit's report and the overall one, a job each, spread
            # over both workers, downloaded as one zip
            pack = f"/sekretariat/runder/{round_id}/rapportpakke"
            admin.request(pack)
            ordered = admin.request(pack, {"csrf_token": admin.csrf})
            assert ordered.status == 302, ordered.body[:300]
            wait_for(lambda: "Alle rapportene er ferdige" in admin.request(pack).body, 400)
            with admin.opener.open(served.base + pack + ".zip", timeout=300) as response:
                archive = zipfile.ZipFile(io.BytesIO(response.read()))
            pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
            assert len(pdfs) == 1 + UNITS
            for name in pdfs:
                assert archive.read(name).startswith(b"%PDF")
        assert served.process.returncode == 0
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        smtp.stop()

    # every row counted: one response per person, exactly what each sent, mailed once
    stored = rows_by_respondent(url)
    assert set(stored) == set(tokens)
    for i in tokens:
        assert stored[i] == (True, expected_rows(i)), i
    db = open_database(url)
    try:
        (responses,) = db.execute("SELECT count(*) FROM responses").fetchone()
        (mailings, errors) = db.execute(
            "SELECT count(*), count(error) FROM mailings WHERE kind = 'invitation'"
        ).fetchone()
        jobs = list_jobs(db)
    finally:
        db.close()
    assert responses == PEOPLE and (mailings, errors) == (PEOPLE, 0)
    kinds = [(job.kind, job.state) for job in jobs]
    # the pack's overall report is the one downloaded before it (its file is kept)
    assert (
        kinds
        == [("mail-batch", "done"), ("report-pdf", "done"), ("report-pack", "done")]
        + [("report-pdf", "done")] * UNITS
    )
    assert all(job.claimed_by is not None and job.attempts == 1 for job in jobs)
    assert len({job.claimed_by for job in jobs[3:]}) == 2  # the pack on both workers
    assert "Traceback" not in served.logs()
