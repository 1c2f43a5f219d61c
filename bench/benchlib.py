"""Shared pieces of the benchmarks: servers, the load generator, data, timing, reporting.

Every benchmark module in bench/ runs alone (``python bench/NAME.py [--quick]``) and from
``bench/run_all.py``; both go through ``main`` here, which prints the figures as they are
measured and, with ``--json``, writes them for run_all's summary table. Servers run in their
own process group so that a failing benchmark can never leave a worker behind.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import multiprocessing
import os
import platform
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PYTHON = sys.executable
BIN = Path(sys.executable).parent
QUESTIONNAIRES = ROOT / "questionnaires"
HOST = "127.0.0.1"
SECRET_KEY = "bench-secret-key-not-for-production"
ROLES = ("leder", "medarbeider", "verneombud", "tillitsvalgt")

Figures = dict[str, Any]


# --- command line and reporting -----------------------------------------------------------


def main(name: str, run: Callable[[bool], Figures]) -> None:
    """The one entry point of every benchmark module: ``--quick`` for a smoke run,
    ``--json PATH`` to hand the figures to run_all."""
    parser = argparse.ArgumentParser(description=f"benchmark: {name}")
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    started = time.perf_counter()
    banner(f"{name}{' (quick)' if args.quick else ''}")
    figures = run(args.quick)
    figures["_seconds"] = round(time.perf_counter() - started, 1)
    figures["_loadavg"] = round(os.getloadavg()[0], 2)
    say(
        f"[{name}: {figures['_seconds']} s; 1-minute load average at the end {figures['_loadavg']}]"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str))


def banner(title: str) -> None:
    say("")
    say(f"== {title} " + "=" * max(0, 86 - len(title)))


def say(text: str = "") -> None:
    print(text, flush=True)


def table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    """A plain fixed-width table; numbers right-aligned."""
    cells = [[str(c) for c in header]] + [[_cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        parts = [
            c.rjust(w) if n and _numeric(rows[n - 1][i]) else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 1:
            return f"{value:.2f}"
        return f"{value:.4f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def machine() -> dict[str, str]:
    """What the figures were measured on; also written to docs/performance.md."""
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    load = os.getloadavg()
    return {
        "cores": str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "loadavg_at_start": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    }


# --- timing and memory --------------------------------------------------------------------


@contextlib.contextmanager
def stopwatch() -> Iterator[list[float]]:
    """``with stopwatch() as t: ...`` then ``t[0]`` is the elapsed seconds."""
    elapsed = [0.0]
    started = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed[0] = time.perf_counter() - started


def best_of(repeats: int, fn: Callable[[], object]) -> tuple[float, object]:
    """The fastest of ``repeats`` runs: on a shared 2-core machine the minimum is the figure
    least disturbed by other processes; the result of the last run is returned too."""
    best = float("inf")
    result: object = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of this process (Linux >= 4.0), so the next
    ``peak_rss_mb`` covers only what ran after this call."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB (VmHWM, else ru_maxrss)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation: p99 is a latency someone really saw)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


# --- generated questionnaires -------------------------------------------------------------


def likert_yaml(items: int, *, not_scored: bool = True) -> str:
    """A one-page questionnaire of ``items`` 1–6 Likert statements for four roles: the shape
    of an employee survey, and the same 40-item form the peer app is given."""
    lines = [
        f"id: likert{items}",
        "version: 1",
        f"title: Benchmark med {items} påstander",
        "language: nb",
        "introduction: Et generert skjema for ytelsesmålinger.",
        "confidentiality: Svarene behandles konfidensielt.",
        "closing: Takk for svarene!",
        "roles:",
        *(f"  - {{code: {role}, label: {role.title()}}}" for role in ROLES),
        "scales:",
        "  enighet:",
        "    points: 6",
        "    labels: {1: Helt uenig, 6: Helt enig}",
    ]
    if not_scored:
        lines += ["    not_scored:", "      - {code: vet_ikke, label: Vet ikke}"]
    lines += [
        "pages:",
        "  - id: pastander",
        "    questions:",
        "      - id: q_pastander",
        "        type: likert_matrix",
        "        scale: enighet",
        "        text: Hvor enig eller uenig er du i disse påstandene?",
        "        items:",
        *(f"          - {{id: s{i:02d}, text: Påstand nummer {i}.}}" for i in range(1, items + 1)),
    ]
    return "\n".join(lines) + "\n"


def likert_questionnaire(items: int) -> Any:
    from survey.questionnaire import load_text

    result = load_text(likert_yaml(items), f"likert{items}.yaml")
    assert result.questionnaire is not None, result.problems
    return result.questionnaire


# --- servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server process in its own session (process group), killed as a group."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server's whole process group: the
        master and every worker. Differences of it give server CPU per request, a figure
        other load on a shared machine hardly moves, unlike requests per second."""
        return group_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        # gunicorn's workers share the group; make sure none outlived the master.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


def group_cpu_seconds(pgid: int) -> float:
    """Sum of utime + stime of live processes in process group ``pgid`` (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:  # fields[0] is the state; pgrp is the 5th field overall
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


@contextlib.contextmanager
def gunicorn(
    name: str,
    app: str,
    *,
    workdir: Path,
    logdir: Path | None = None,
    env: dict[str, str] | None = None,
    gunicorn_bin: Path | None = None,
    ready_path: str = "/",
    workers: int = 2,
) -> Iterator[Server]:
    """``app`` under gunicorn with ``workers`` sync workers on a free loopback port — the
    same settings for the product, the validation ceiling and the peer app. The app is
    imported from ``workdir``; gunicorn's log goes to ``logdir`` (default: ``workdir``)."""
    port = free_port()
    log = (logdir or workdir) / f"{name}-gunicorn.log"
    command = [
        str(gunicorn_bin or BIN / "gunicorn"),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "60",
        app,
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, port, process, log)
    try:
        _wait_ready(server, ready_path)
        yield server
    finally:
        server.stop()


def _wait_ready(server: Server, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited early:\n{server.log.read_text()[-3000:]}")
        if http_get(server.port, path).status:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s")


def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> Reply:
    """One blocking request, for set-up and checks (not for timed load)."""
    return exchange(port, request_bytes("GET", path, port, headers=headers))


# --- the load generator -------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    seconds: float
    cookies: dict[str, str] = field(default_factory=dict)
    captured: str | None = None
    location: str | None = None
    error: str | None = None
    body_bytes: int = 0


def request_bytes(
    method: str,
    path: str,
    port: int,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> bytes:
    """A complete HTTP/1.1 request. ``Connection: close`` because gunicorn's sync workers
    close every connection anyway; the client pays a TCP connect per request, as a browser
    talking to a sync worker does."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if method == "POST":
        lines.append("Content-Type: application/x-www-form-urlencoded")
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


_COOKIE = re.compile(rb"^set-cookie:\s*([^=;\s]+)=([^;\r\n]*)", re.I | re.M)
_LOCATION = re.compile(rb"^location:\s*(\S+)", re.I | re.M)


def exchange(port: int, raw: bytes, capture: re.Pattern[bytes] | None = None) -> Reply:
    """Send one request on a new connection and read the reply to the end."""
    started = time.perf_counter()
    try:
        with socket.create_connection((HOST, port), timeout=30) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.sendall(raw)
            chunks = []
            while True:
                chunk = sock.recv(262144)
                if not chunk:
                    break
                chunks.append(chunk)
    except OSError as exc:
        return Reply(0, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - started
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return Reply(0, seconds, error=f"unreadable reply {data[:80]!r}")
    cookies = {m.group(1).decode(): m.group(2).decode() for m in _COOKIE.finditer(head)}
    location = _LOCATION.search(head)
    found = capture.search(body) if capture is not None else None
    return Reply(
        status,
        seconds,
        cookies,
        found.group(1).decode() if found else None,
        location.group(1).decode() if location else None,
        body_bytes=len(body),
    )


@dataclass
class Load:
    """What one load run did: every reply in request order (None if never sent)."""

    replies: list[Reply | None]
    elapsed: float
    cpu_seconds: float  # the load generator's own CPU time (user + system)
    connections: int
    server_cpu_seconds: float | None = None  # the server's process group, when known

    @property
    def done(self) -> list[Reply]:
        return [r for r in self.replies if r is not None]

    @property
    def rate(self) -> float:
        return len(self.done) / self.elapsed if self.elapsed else 0.0

    def latencies_ms(self) -> list[float]:
        return [r.seconds * 1000 for r in self.done]

    def errors(self, ok: Callable[[Reply], bool]) -> list[Reply]:
        return [r for r in self.done if not ok(r)]

    def summary(self, ok: Callable[[Reply], bool]) -> Figures:
        lat = self.latencies_ms()
        bad = self.errors(ok)
        statuses = Counter(r.status for r in self.done)
        return {
            "requests": len(self.done),
            "seconds": round(self.elapsed, 2),
            "rate": round(self.rate, 1),
            "p50_ms": round(percentile(lat, 50), 2),
            "p99_ms": round(percentile(lat, 99), 2),
            "max_ms": round(max(lat), 2) if lat else None,
            "errors": len(bad),
            "statuses": dict(statuses),
            "first_error": (bad[0].error or f"HTTP {bad[0].status} {bad[0].location}")
            if bad
            else None,
            "loader_cpu_us_per_request": round(self.cpu_seconds / max(1, len(self.done)) * 1e6),
            "server_cpu_ms_per_request": round(
                self.server_cpu_seconds / max(1, len(self.done)) * 1000, 3
            )
            if self.server_cpu_seconds is not None
            else None,
        }


def run_load(
    port: int,
    requests: Sequence[bytes],
    *,
    connections: int = 8,
    duration: float | None = None,
    capture: re.Pattern[bytes] | None = None,
    server: Server | None = None,
) -> Load:
    """Send ``requests`` over ``connections`` concurrent connections from a separate
    process (so the benchmark's own interpreter never competes for its GIL), stopping
    early after ``duration`` seconds. Each connection sends its next request as soon as
    the previous reply is complete: a closed-loop load of exactly ``connections``. With
    ``server``, the server's CPU time over the run is recorded too."""
    cpu_before = server.cpu_seconds() if server is not None else 0.0
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_load_process, args=(sender, port, list(requests), connections, duration, capture)
    )
    process.start()
    sender.close()
    try:
        result: Load = receiver.recv()
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
    if server is not None:
        result.server_cpu_seconds = server.cpu_seconds() - cpu_before
    return result


def _load_process(
    sender: Any,
    port: int,
    requests: list[bytes],
    connections: int,
    duration: float | None,
    capture: re.Pattern[bytes] | None,
) -> None:
    replies: list[Reply | None] = [None] * len(requests)
    counter = itertools.count()
    started = time.perf_counter()
    deadline = started + duration if duration else float("inf")
    finished = [started]

    def connection() -> None:
        while True:
            index = next(counter)  # atomic under the GIL
            if index >= len(requests) or time.perf_counter() >= deadline:
                return
            replies[index] = exchange(port, requests[index], capture)
            finished[0] = max(finished[0], time.perf_counter())

    cpu_before = _cpu()
    threads = [threading.Thread(target=connection) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = _cpu() - cpu_before
    sender.send(Load(replies, finished[0] - started, cpu, connections))
    sender.close()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def form_body(fields: Sequence[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(list(fields)).encode()


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


# --- generated answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Population:
    """Respondents of a national employee survey as arrays: role and unit per respondent,
    and per item a scale point 1–6 or 0 for "vet ikke". Units differ in size the way
    municipalities do (a few large, many small) and most respondents are employees, so
    some role × unit cells fall below the minimum group size and suppression has work."""

    roles: Any  # numpy array of role indexes
    units: Any  # numpy array of unit indexes
    points: Any  # numpy int8 matrix respondents × items, 0 = "vet ikke"
    unit_count: int

    @property
    def size(self) -> int:
        return len(self.roles)

    def role(self, n: int) -> str:
        return ROLES[int(self.roles[n])]

    def unit(self, n: int) -> str:
        return f"Enhet {int(self.units[n]) + 1}"


def population(respondents: int, items: int = 20, units: int = 200, seed: int = 2009) -> Population:
    import numpy as np

    rng = np.random.default_rng(seed)
    unit_weights = 1 / np.arange(1, units + 1) ** 0.7
    unit_of = rng.choice(units, size=respondents, p=unit_weights / unit_weights.sum())
    role_of = rng.choice(len(ROLES), size=respondents, p=[0.08, 0.80, 0.06, 0.06])
    # Mostly favourable answers, a respondent-level tendency, and 3 % "vet ikke".
    tendency = rng.normal(0, 0.8, size=(respondents, 1))
    raw = np.rint(4.3 + tendency + rng.normal(0, 1.0, size=(respondents, items)))
    points = np.clip(raw, 1, 6).astype(np.int8)
    points[rng.random((respondents, items)) < 0.03] = 0
    return Population(role_of, unit_of, points, units)


def respondent_list(pop: Population, items: int | None = None) -> list[tuple[dict, dict]]:
    """The scoring functions' input: (group values, answers by item id) per respondent.
    Answer objects are immutable, so equal answers share one object, as an interned
    value would; the scoring code cannot tell the difference."""
    from survey.questionnaire.answers import Answer

    count = pop.points.shape[1] if items is None else items
    ids = [f"s{i:02d}" for i in range(1, count + 1)]
    shared = [Answer("vet_ikke")] + [Answer(p) for p in range(1, 7)]
    units = [f"Enhet {u + 1}" for u in range(pop.unit_count)]
    return [
        (
            {"role": ROLES[r], "unit": units[u]},
            {item: shared[p] for item, p in zip(ids, row, strict=True)},
        )
        for r, u, row in zip(
            pop.roles.tolist(), pop.units.tolist(), pop.points[:, :count].tolist(), strict=True
        )
    ]


def build_database(path: Path, pop: Population, items: int) -> int:
    """A submitted round of the generated ``items``-item questionnaire holding ``pop``,
    written straight into the product's schema (fast set-up for the scoring and export
    benchmarks; the import benchmark goes through the product's import path instead).
    Answer rows are exactly what ``survey.storage.responses.encode`` writes. Returns the
    round id."""
    import secrets
    from datetime import UTC, datetime

    from survey.questionnaire import load_text
    from survey.questionnaire.answers import Answer
    from survey.storage import open_database
    from survey.storage.questionnaires import publish
    from survey.storage.responses import encode
    from survey.storage.rounds import create_round

    db = open_database(path)
    result = load_text(likert_yaml(items), f"likert{items}.yaml")
    assert result.questionnaire is not None
    questionnaire = result.questionnaire
    publish(db, result)
    round_id = create_round(db, f"likert{items}", f"Benchmark {pop.size}").id
    ids = [f"s{i:02d}" for i in range(1, items + 1)]
    shapes = {p: (p and float(p), "" if p else "vet_ikke") for p in range(7)}
    for p, (number, code) in shapes.items():  # the same rows the product's write path makes
        answer = Answer(p) if p else Answer("vet_ikke")
        assert encode(questionnaire, "s01", answer) == [("s01", code, number or None, None)]
    now = datetime.now(UTC)
    stamp, today = now.isoformat(timespec="seconds"), now.date().isoformat()
    roles = pop.roles.tolist()
    units = [f"Enhet {u + 1}" for u in pop.units.tolist()]
    conn = db.conn
    conn.execute("BEGIN")
    first = 1 + (conn.execute("SELECT coalesce(max(id), 0) FROM invitations").fetchone()[0])
    conn.executemany(
        "INSERT INTO invitations (id, round_id, token, name, email, role, unit, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                first + n,
                round_id,
                secrets.token_urlsafe(24),
                f"P {n}",
                f"p{n}@bench.no",
                ROLES[roles[n]],
                units[n],
                stamp,
            )
            for n in range(pop.size)
        ),
    )
    conn.executemany(
        "INSERT INTO responses (id, round_id, invitation_id, role, unit, page, submitted, "
        "started_on, submitted_on) VALUES (?, ?, ?, ?, ?, 1, 1, ?, ?)",
        (
            (first + n, round_id, first + n, ROLES[roles[n]], units[n], today, today)
            for n in range(pop.size)
        ),
    )
    rows = pop.points[:, :items].tolist()
    conn.executemany(
        "INSERT INTO answers (response_id, item, code, number) VALUES (?, ?, ?, ?)",
        (
            (first + n, item, shapes[p][1], shapes[p][0] or None)
            for n, row in enumerate(rows)
            for item, p in zip(ids, row, strict=True)
        ),
    )
    conn.execute("COMMIT")
    conn.close()
    return round_id


@contextlib.contextmanager
def postgres_cluster(_workdir: Path) -> Iterator[Any]:
    """The tests' throwaway PostgreSQL cluster (tests/pg.py: initdb and pg_ctl in a
    temporary directory of its own, a Unix socket, as the ``postgres`` user when run as
    root), torn down afterwards, with the durability SQLite's file has here: WAL with
    synchronous=NORMAL survives the application's crash and may lose the last commits to
    the operating system's, which is PostgreSQL's fsync=on with synchronous_commit=off."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.pg import Cluster

    cluster = Cluster(Path(tempfile.mkdtemp(prefix="bench-pg-")), durable=True).start()
    try:
        yield cluster
    finally:
        cluster.stop()
