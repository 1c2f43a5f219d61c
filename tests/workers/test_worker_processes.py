"""Several `survey worker` processes share one queue: each job runs once, a killed worker's
job is finished by another, a failing job is retried and then failed, SIGTERM lets the
job under way finish. Real processes, a real SQLite file, the selftest job kind."""

from __future__ import annotations

import os
import re
import signal
import subprocess

from survey.storage import open_database
from survey.storage.jobs import enqueue, worker_heartbeat
from tests.workers.conftest import SURVEY, jobs, start_worker, wait_for, worker_env


def _queue(database, count: int, **payload) -> None:
    db = open_database(database)
    for n in range(count):
        enqueue(db, "selftest", f"test:{n}", payload, max_attempts=3)
    db.close()


def _registered(database) -> int:
    db = open_database(database)
    try:
        return db.execute("SELECT count(*) FROM workers WHERE stopped_at IS NULL").fetchone()[0]
    finally:
        db.close()


def test_two_workers_run_twenty_jobs_each_exactly_once(tmp_path, database):
    open_database(database).close()
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = [start_worker(database, "--concurrency", "2", log=log) for log in logs]
    try:
        wait_for(lambda: _registered(database) == 2)
        _queue(database, 20, seconds=0.05)
        wait_for(lambda: all(j.state == "done" for j in jobs(database)))
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        assert [worker.wait(timeout=30) for worker in workers] == [0, 0]
    done = jobs(database)
    assert len(done) == 20 and {j.attempts for j in done} == {1}
    assert len({j.claimed_by for j in done}) == 2  # both took a share
    assert len({j.result for j in done}) == 20  # each ran in a process of its own
    said = [re.findall(r"job (\d+) \(selftest\) done", log.read_text()) for log in logs]
    ran = sorted(int(n) for found in said for n in found)
    assert ran == [j.id for j in done]  # the workers' own words: every job once, none twice
    assert all(found for found in said)
    assert _registered(database) == 0  # both said they stopped


def test_a_job_of_a_worker_killed_mid_job_is_finished_by_another(tmp_path, database):
    open_database(database).close()
    _queue(database, 1, seconds=3)
    first = start_worker(database, log=tmp_path / "a.log")
    wait_for(lambda: jobs(database)[0].state == "running" and jobs(database)[0].progress_done > 0)
    os.kill(first.pid, signal.SIGKILL)  # no goodbye, no release: only the lease runs out
    first.wait()
    held = jobs(database)[0]
    assert held.state == "running" and held.attempts == 1
    second = subprocess.run(
        [*SURVEY, "worker", "--once"],
        cwd=tmp_path,
        env=worker_env(database),
        capture_output=True,
        text=True,
        timeout=60,
    )
    # --once ends when nothing is left to run now; the killed worker's lease (2 s) may
    # still be running when it starts, so it is run until the job is taken back and done
    while jobs(database)[0].state == "running" and "taken back" not in second.stdout:
        second = subprocess.run(
            [*SURVEY, "worker", "--once"],
            cwd=tmp_path,
            env=worker_env(database),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finished = jobs(database)[0]
    assert finished.state == "done" and finished.attempts == 2, second.stdout + second.stderr
    assert finished.claimed_by != held.claimed_by
    assert f"job {finished.id} taken back: its worker stopped answering" in second.stdout


def test_a_failing_job_is_retried_then_failed_with_its_error(tmp_path):
    database = tmp_path / "survey.sqlite3"
    open_database(database).close()
    _queue(database, 1, fail="kan ikke lese malen")
    done = subprocess.run(
        [*SURVEY, "worker", "--once"],
        env=worker_env(database),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    (job,) = jobs(database)
    assert (job.state, job.attempts) == ("failed", 3)
    assert job.error.splitlines()[0] == "RuntimeError: kan ikke lese malen"
    assert "Traceback" in job.error  # the details, for whoever runs the installation
    assert done.stdout.count("failed, will retry") == 2
    assert f"job {job.id} (selftest) failed after 3 attempt(s)" in done.stdout


def test_sigterm_lets_the_job_under_way_finish_and_claims_nothing_more(tmp_path):
    database = tmp_path / "survey.sqlite3"
    open_database(database).close()
    _queue(database, 2, seconds=1.5)
    worker = start_worker(database, log=tmp_path / "w.log")
    wait_for(lambda: any(j.state == "running" for j in jobs(database)))
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    assert sorted(j.state for j in jobs(database)) == ["done", "queued"]
    db = open_database(database)
    assert worker_heartbeat(db) is None  # it said it stopped
    db.close()


def test_a_second_sigterm_hands_the_job_back_at_once(tmp_path):
    database = tmp_path / "survey.sqlite3"
    open_database(database).close()
    _queue(database, 1, seconds=30)
    worker = start_worker(database, log=tmp_path / "w.log")
    wait_for(lambda: jobs(database)[0].state == "running")
    worker.send_signal(signal.SIGTERM)
    wait_for(lambda: "stopping" in (tmp_path / "w.log").read_text())  # two at once are one
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    (job,) = jobs(database)
    assert (job.state, job.attempts) == ("queued", 0)  # back in the queue, nothing counted
    assert "handed back" in (tmp_path / "w.log").read_text()


def test_worker_check_says_whether_a_worker_runs_the_queue(tmp_path):
    database = tmp_path / "survey.sqlite3"
    open_database(database).close()
    nobody = subprocess.run(
        [*SURVEY, "worker", "--check"],
        env=worker_env(database, SURVEY_JOB_LEASE="0.2"),  # waits 2 leases and 5 s
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert nobody.returncode == 1 and "no worker ran the test job" in nobody.stderr
    worker = start_worker(database, log=tmp_path / "w.log")
    try:
        check = subprocess.run(
            [*SURVEY, "worker", "--check"],
            env=worker_env(database),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert check.returncode == 0 and re.search(r"was run by worker \S+:\d+:", check.stdout)
