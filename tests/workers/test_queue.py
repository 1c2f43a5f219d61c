"""The job queue's storage functions on a real SQLite file, with a frozen clock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from survey.storage import open_database
from survey.storage.jobs import (
    claim,
    enqueue,
    fail,
    finish,
    get_job,
    heartbeat,
    list_jobs,
    reclaim_expired,
    release,
    requeue,
    set_progress,
    worker_beat,
    worker_heartbeat,
    worker_started,
    worker_stopped,
)

T0 = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def db(database):
    opened = open_database(database)
    yield opened
    opened.close()


def test_the_same_key_asked_twice_is_one_job(db):
    first = enqueue(db, "selftest", "k", {"a": 1}, max_attempts=3, now=T0)
    second = enqueue(db, "selftest", "k", {"a": 2}, max_attempts=3, now=at(1))
    assert first.id == second.id and second.payload == {"a": 1}
    assert [j.key for j in list_jobs(db)] == ["k"]


def test_a_claim_takes_the_oldest_due_job_once_and_a_lost_lease_refuses_the_old_holder(db):
    enqueue(db, "selftest", "a", {}, max_attempts=2, now=T0)
    enqueue(db, "selftest", "b", {}, max_attempts=2, now=at(1))
    job = claim(db, "w1", lease=10, now=at(2))
    assert job is not None and job.key == "a" and job.attempts == 1 and job.state == "running"
    assert claim(db, "w2", lease=10, now=at(2)).key == "b"
    assert claim(db, "w3", lease=10, now=at(2)) is None
    assert heartbeat(db, job.id, "w1", lease=10, now=at(8))  # lease now until 18 s
    assert set_progress(db, job.id, "w1", 1, 3, "Leser tallene")
    assert reclaim_expired(db, now=at(15)) == [2]  # b's lease (until 12 s) ran out; a's did not
    assert reclaim_expired(db, now=at(19)) == [1]
    assert not heartbeat(db, job.id, "w1", lease=10, now=at(20))
    assert claim(db, "w3", lease=10, now=at(20)).key == "b"  # queued again first
    again = claim(db, "w3", lease=10, now=at(20))
    assert again.id == job.id and again.attempts == 2 and again.claimed_by == "w3"
    assert not finish(db, job.id, "w1", "late", now=at(21))  # w1 lost it: its result is not taken
    assert finish(db, job.id, "w3", "fil.pdf", now=at(21))
    done = get_job(db, job.id)
    assert (done.state, done.result, done.claimed_by) == ("done", "fil.pdf", "w3")


def test_a_failing_job_waits_twice_as_long_each_time_then_fails_and_can_be_asked_again(db):
    job = enqueue(db, "selftest", "k", {}, max_attempts=3, now=T0)
    claim(db, "w", lease=10, now=T0)
    after = fail(db, job.id, "w", "RuntimeError: boom\n\ntrace", retry_delay=5, now=at(1))
    assert after.state == "queued" and after.error.startswith("RuntimeError")
    assert claim(db, "w", lease=10, now=at(5)) is None  # not before 1 + 5 s
    assert claim(db, "w", lease=10, now=at(6)).attempts == 2
    fail(db, job.id, "w", "boom", retry_delay=5, now=at(7))
    assert claim(db, "w", lease=10, now=at(16)) is None  # 7 + 10 s
    assert claim(db, "w", lease=10, now=at(17)).attempts == 3
    last = fail(db, job.id, "w", "RuntimeError: boom", retry_delay=5, now=at(18))
    assert (last.state, last.attempts, last.error) == ("failed", 3, "RuntimeError: boom")
    # asking for it again does not retry it behind anyone's back; requeue does, afresh
    assert enqueue(db, "selftest", "k", {}, max_attempts=3, now=at(19)).state == "failed"
    assert requeue(db, "k", now=at(20)).state == "queued"
    assert claim(db, "w", lease=10, now=at(20)).attempts == 1


def test_an_error_no_attempt_can_mend_fails_at_once_and_a_released_job_keeps_its_attempts(db):
    a = enqueue(db, "selftest", "a", {}, max_attempts=3, now=T0)
    b = enqueue(db, "selftest", "b", {}, max_attempts=3, now=T0)
    claim(db, "w", lease=10, now=T0)
    assert fail(db, a.id, "w", "Forbidden", retry_delay=5, retry=False, now=T0).state == "failed"
    claim(db, "w", lease=10, now=T0)
    assert release(db, b.id, "w", now=at(1))
    again = claim(db, "w2", lease=10, now=at(1))
    assert again.id == b.id and again.attempts == 1


def test_a_lease_that_runs_out_on_the_last_attempt_fails_the_job(db):
    job = enqueue(db, "selftest", "k", {}, max_attempts=1, now=T0)
    claim(db, "w", lease=10, now=T0)
    assert reclaim_expired(db, now=at(11)) == [job.id]
    lost = get_job(db, job.id)
    assert lost.state == "failed" and "lease ran out" in lost.error and lost.claimed_by == "w"


def test_many_claimers_at_once_get_each_job_exactly_once(database, db):
    path = database
    for n in range(60):
        enqueue(db, "selftest", f"k{n}", {}, max_attempts=1)
    got: dict[str, list[int]] = {}

    def claimer(name: str) -> None:
        own = open_database(path)
        got[name] = []
        while (job := claim(own, name, lease=60)) is not None:
            got[name].append(job.id)
        own.close()

    threads = [threading.Thread(target=claimer, args=(f"w{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [job_id for ids in got.values() for job_id in ids]
    assert sorted(claimed) == [j.id for j in list_jobs(db)]  # each once, none left


def test_the_health_check_sees_the_newest_heartbeat_of_a_running_worker(db):
    assert worker_heartbeat(db) is None
    worker_started(db, "a", "host", 1, now=T0)
    worker_started(db, "b", "host", 2, now=T0)
    worker_beat(db, "a", now=at(30))
    worker_beat(db, "b", now=at(40))
    assert worker_heartbeat(db) == at(40)
    worker_stopped(db, "b", now=at(45))
    assert worker_heartbeat(db) == at(30)
