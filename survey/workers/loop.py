"""A worker: claims jobs from the queue and runs each, heartbeating while it runs.

One loop in one thread does everything that touches the queue (claim, heartbeat, finish,
fail, release), so a worker never races itself; the jobs run beside it, each in a process
of its own forked from the idle worker (``survey worker``), or in a thread (the web
process's own fallback, ``local.py``).
Every ``lease / 4`` seconds the loop extends the lease of each job it runs, says it is alive
(``workers``) and takes back jobs of workers whose lease ran out. A job whose lease this
worker lost (it was too slow to beat) is dropped: another worker has it now.

Stopping (``stop``, on SIGTERM): no more claims; the running jobs may finish within
``grace`` seconds, and what is still running then is killed and handed back to the queue,
its attempt not counted. A second ``stop`` (``now=True``) does that at once.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, NoReturn

from survey.storage import open_database
from survey.storage.jobs import (
    Job,
    claim,
    fail,
    finish,
    heartbeat,
    reclaim_expired,
    release,
    worker_beat,
    worker_started,
    worker_stopped,
)
from survey.storage.store import Store
from survey.workers.tasks import Context, Outcome, Setup, outcome_of


@dataclass(frozen=True)
class Options:
    lease: float = 60.0
    retry_delay: float = 10.0
    concurrency: int = 1
    fresh_process: bool = True  # False: in threads of this process (the web's fallback)
    grace: float = 30.0

    @property
    def beat(self) -> float:
        return self.lease / 4

    @property
    def idle_poll(self) -> float:
        return min(1.0, self.beat)


class _Forked:
    """A job's forked process, seen as ``subprocess.Popen`` shows one."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            self.wait()

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


def preload() -> None:
    """Import, once in the worker, what a report job uses (WeasyPrint, pandas and ours):
    each job's process is a fork of the idle worker and starts with them, where a fresh
    interpreter spent about 3 seconds importing them for every report of a pack."""
    import pandas  # noqa: F401
    import weasyprint  # noqa: F401

    import survey.mail
    import survey.operations.mail
    import survey.operations.report_files  # noqa: F401


def _run_forked(
    job: Job, setup: Setup, worker: str, output: IO[bytes], errors: IO[bytes]
) -> NoReturn:
    """The job's own process, forked from the worker: run the job, write its outcome as one
    line of JSON to ``output`` and end, never returning into the worker's loop. Its memory
    goes with it, so a render's peak and its collector pauses stay in a process that lives
    for one job."""
    status = 1
    try:
        os.setsid()  # a Ctrl-C in the worker's terminal is the worker's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.dup2(output.fileno(), 1)
        os.dup2(errors.fileno(), 2)
        db = open_database(setup.database, migrate=False)
        try:
            outcome = outcome_of(job.kind, job.payload, Context(db, setup, job.id, worker))
        finally:
            db.close()
        os.write(1, (json.dumps(outcome._asdict()) + "\n").encode())
        status = 0
    except BaseException:
        os.write(2, traceback.format_exc().encode("utf-8", "replace"))
    finally:
        os._exit(status)


@dataclass
class _Running:
    """A job under way: its process (and the files its output goes to) or its thread."""

    job: Job
    process: _Forked | None = None
    output: IO[bytes] | None = None
    errors: IO[bytes] | None = None
    thread: threading.Thread | None = None
    outcome: list[Outcome] = field(default_factory=list)

    def done(self) -> bool:
        if self.process is not None:
            return self.process.poll() is not None
        assert self.thread is not None
        return not self.thread.is_alive()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def result(self) -> Outcome:
        if self.thread is not None:
            return self.outcome[0] if self.outcome else Outcome(error="the job's thread died")
        assert self.process is not None and self.output and self.errors
        self.output.seek(0)
        self.errors.seek(0)
        lines = self.output.read().decode("utf-8", "replace").strip().splitlines()
        stderr = self.errors.read()[-4000:].decode("utf-8", "replace")
        self.output.close()
        self.errors.close()
        if self.process.returncode == 0 and lines:
            try:
                return Outcome(**json.loads(lines[-1]))
            except (ValueError, TypeError):
                pass
        return Outcome(
            error=f"the job's process ended with exit status {self.process.returncode}\n\n{stderr}"
        )


class Worker:
    def __init__(
        self, setup: Setup, options: Options, say: Callable[[str], None] = lambda _line: None
    ) -> None:
        self.setup = setup
        self.options = options
        self.say = say
        self.id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._stopping: float | None = None  # monotonic time stop was asked
        self._now = False

    def stop(self, *, now: bool = False) -> None:
        """Claim nothing more; finish (or, with ``now`` or after the grace, hand back)
        what runs. Safe from a signal handler: it only sets flags."""
        if self._stopping is None:
            self._stopping = time.monotonic()
        self._now = self._now or now

    def run(self, *, drain: bool = False, max_jobs: int | None = None) -> int:
        """Work until stopped, or with ``drain`` until nothing is left to claim, or after
        ``max_jobs`` jobs. Returns how many jobs it ran to an end (done or failed)."""
        if self.options.fresh_process:
            preload()
        db = open_database(self.setup.database)
        worker_started(db, self.id, socket.gethostname(), os.getpid())
        running: list[_Running] = []
        claimed = ended = 0
        next_beat = 0.0
        try:
            while True:
                for entry in [r for r in running if r.done()]:
                    running.remove(entry)
                    ended += self._record(db, entry)
                if self._stopping is not None and (
                    self._now or time.monotonic() - self._stopping > self.options.grace
                ):
                    for entry in running:
                        entry.kill()
                        if release(db, entry.job.id, self.id):
                            self.say(f"job {entry.job.id} ({entry.job.kind}) handed back")
                    running.clear()
                if time.monotonic() >= next_beat:
                    running = [r for r in running if self._beat(db, r)]
                    worker_beat(db, self.id)
                    for job_id in reclaim_expired(db):
                        self.say(f"job {job_id} taken back: its worker stopped answering")
                    next_beat = time.monotonic() + self.options.beat
                full = len(running) >= self.options.concurrency
                enough = max_jobs is not None and claimed >= max_jobs
                job = None
                if self._stopping is None and not full and not enough:
                    job = claim(db, self.id, self.options.lease)
                if job is not None:
                    claimed += 1
                    self.say(f"job {job.id} ({job.kind}) claimed, attempt {job.attempts}")
                    running.append(self._start(job))
                    continue
                if not running and (self._stopping is not None or enough or drain):
                    return ended
                time.sleep(0.02 if running else self.options.idle_poll)
        finally:
            for entry in running:  # an exception of the loop itself: hand back what runs
                entry.kill()
                release(db, entry.job.id, self.id)
            worker_stopped(db, self.id)
            db.close()

    def _beat(self, db: Store, entry: _Running) -> bool:
        if heartbeat(db, entry.job.id, self.id, self.options.lease):
            return True
        entry.kill()
        self.say(f"job {entry.job.id} dropped: its lease ran out and another worker has it")
        return False

    def _start(self, job: Job) -> _Running:
        if self.options.fresh_process:
            # files, not pipes: a job that writes much (WeasyPrint's warnings) must not
            # block on a pipe nobody reads until it ends; closed in ``result``
            output = tempfile.TemporaryFile()  # noqa: SIM115
            errors = tempfile.TemporaryFile()  # noqa: SIM115
            sys.stdout.flush()  # or the child writes what this process had buffered
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _run_forked(job, self.setup, self.id, output, errors)
            return _Running(job, process=_Forked(pid), output=output, errors=errors)
        entry = _Running(job)
        entry.thread = threading.Thread(
            target=self._in_thread, args=(entry,), name=f"job-{job.id}", daemon=True
        )
        entry.thread.start()
        return entry

    def _in_thread(self, entry: _Running) -> None:
        db = open_database(self.setup.database, migrate=False)
        try:
            context = Context(db, self.setup, entry.job.id, self.id)
            entry.outcome.append(outcome_of(entry.job.kind, entry.job.payload, context))
        finally:
            db.close()

    def _record(self, db: Store, entry: _Running) -> int:
        """Enter how the job ended; 1 if it was still this worker's to end, else 0."""
        job, outcome = entry.job, entry.result()
        if outcome.error is None:
            if finish(db, job.id, self.id, outcome.result):
                self.say(f"job {job.id} ({job.kind}) done: {outcome.result}")
                return 1
            return 0
        after = fail(
            db,
            job.id,
            self.id,
            outcome.error,
            retry_delay=self.options.retry_delay,
            retry=outcome.retry,
        )
        if after is None:
            return 0
        first = outcome.error.splitlines()[0]
        if after.state == "failed":
            self.say(f"job {job.id} ({job.kind}) failed after {after.attempts} attempt(s): {first}")
            return 1
        self.say(f"job {job.id} ({job.kind}) attempt {after.attempts} failed, will retry: {first}")
        return 0
