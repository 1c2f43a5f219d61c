"""`survey serve` as an operator runs it: a real process on 127.0.0.1 with several gunicorn
workers, answered over HTTP, reloaded with SIGHUP, its access log read back."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from survey.server import Arbiter, Server, default_workers, mask_tokens, options
from survey.settings import BY_NAME
from tests.conftest import ROOT
from tests.faults.conftest import (
    Browser,
    free_port,
    invited_round,
    rows_by_respondent,
    wait_until_serving,
)

SURVEY = [sys.executable, "-c", "from survey.cli import main; main()"]
WORKERS = 2


@dataclass
class Served:
    base: str
    process: subprocess.Popen
    access_log: Path
    error_log: Path

    def workers(self) -> set[int]:
        pid = self.process.pid
        return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}

    def all_workers(self, count: int, timeout: float = 30) -> set[int]:
        """The worker processes once ``count`` are running: the first may answer before
        gunicorn has forked the last (a fraction of a second apart, more on a busy machine)."""
        deadline = time.monotonic() + timeout
        while len(found := self.workers()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return found

    def logs(self) -> str:
        return self.access_log.read_text() + self.error_log.read_text()


@contextmanager
def serving(
    tmp_path: Path, db_path: Path | str, *, port: int | None = None, **settings: object
) -> Iterator[Served]:
    """`survey serve` on a free port (or ``port``) with WORKERS processes and ``settings``
    (SURVEY_*), stopped with SIGTERM (gracefully) afterwards, and killed as a group if it
    hangs."""
    port = port or free_port()
    access_log, error_log = tmp_path / f"access-{port}.log", tmp_path / f"error-{port}.log"
    env = {
        **os.environ,
        "SURVEY_DATABASE": str(db_path),
        "SURVEY_SECRET_KEY": "serve-tests",
        "SURVEY_WEB_WORKERS": str(WORKERS),
        "SURVEY_WEB_THREADS": "2",
        "SURVEY_ACCESS_LOG": str(access_log),
        **{f"SURVEY_{name}": str(value) for name, value in settings.items()},
    }
    with open(error_log, "wb") as errors:
        process = subprocess.Popen(
            [*SURVEY, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=errors,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(f"http://127.0.0.1:{port}", process, access_log, error_log)
    try:
        wait_until_serving(served.base, process, timeout=30)
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_serve_answers_through_several_workers_and_logs_no_personal_token(tmp_path):
    """Pages answered over HTTP and stored; health ok; then the access log: paths with a
    token (/s/, /a/, /k/), also in a Referer, are written as [token], and the error log
    gets the same treatment, while the log still says what was asked for."""
    db_path = tmp_path / "survey.sqlite3"
    tokens = invited_round(db_path, 2)
    token = tokens[0]
    with serving(tmp_path, db_path) as served:
        assert len(served.all_workers(WORKERS)) == WORKERS
        status, headers, body = get(served.base + "/helse")
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert "Set-Cookie" not in headers

        browser = Browser(served.base)
        assert browser.request(f"/s/{token}").status == 200
        assert browser.request(f"/s/{token}/side/1").status == 200
        answered = browser.post(f"/s/{token}/side/1", {"q1": "ordforer"})
        assert answered.status == 302 and answered.location.endswith("/side/3")
        get(f"{served.base}/s/{token}/ferdig?x=1", {"Referer": f"{served.base}/s/{token}"})
        get(f"{served.base}/a/{tokens[1]}/side/2")
        get(f"{served.base}/k/{tokens[1]}")

    assert served.process.returncode == 0  # SIGTERM: requests finished, then a clean exit
    assert rows_by_respondent(db_path)[0] == (False, {("q1", "ordforer", None, None)})
    logs = served.logs()
    assert "Traceback" not in logs
    assert token not in logs and tokens[1] not in logs
    access = served.access_log.read_text()
    assert '"GET /s/[token] HTTP/1.1" 200' in access
    assert '"POST /s/[token]/side/1 HTTP/1.1" 302' in access
    referred = rf'"GET /s/\[token\]/ferdig\?x=1 HTTP/1.1" 302 \d+ "{served.base}/s/\[token\]"'
    assert re.search(referred, access)
    assert '"GET /a/[token]/side/2 HTTP/1.1" 404' in access
    assert '"GET /k/[token] HTTP/1.1" 404' in access
    assert '"GET /helse HTTP/1.1" 200' in access


def test_sighup_reloads_every_worker_without_dropping_a_request(tmp_path):
    """A request already under way when SIGHUP arrives (its headers half sent) is answered
    by its old worker after the new workers are up; requests sent all through the reload
    are all answered."""
    db_path = tmp_path / "survey.sqlite3"
    tokens = invited_round(db_path, 1)
    with serving(tmp_path, db_path) as served:
        old = served.all_workers(WORKERS)
        answers: list[int | str] = []
        stop = threading.Event()

        def keep_asking() -> None:
            while not stop.is_set():
                try:
                    answers.append(get(f"{served.base}/s/{tokens[0]}")[0])
                except OSError as error:  # a dropped connection, refused or reset
                    answers.append(repr(error))

        asking = threading.Thread(target=keep_asking)
        asking.start()
        port = int(served.base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as in_flight:
            in_flight.sendall(f"GET /s/{tokens[0]} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
            time.sleep(0.2)  # taken up by an old worker's thread
            reloaded_at = time.monotonic()
            served.process.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 15
            while len(served.workers() - old) != WORKERS and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(served.workers() - old) == WORKERS, "new workers did not start"
            new_workers_after = time.monotonic() - reloaded_at
            in_flight.sendall(b"Connection: close\r\n\r\n")
            reply = in_flight.makefile("rb").read().decode()
        while served.workers() & old and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        asking.join(timeout=15)

        assert reply.startswith("HTTP/1.1 200"), reply[:200]
        assert not served.workers() & old, "the old workers did not stop"
        assert new_workers_after < 10
        assert len(answers) > 10 and set(answers) == {200}, answers
        assert "Handling signal: hup" in served.error_log.read_text()


def guesses(served: Served, addresses: list[str]) -> list[int]:
    return [
        get(f"{served.base}/s/gjetning{n}", {"X-Forwarded-For": address})[0]
        for n, address in enumerate(addresses)
    ]


def test_forwarded_headers_are_honoured_only_from_a_trusted_proxy(tmp_path):
    """Without PROXY_X_*, a client that names a new address each time is still braked
    (each worker keeps its own count, so within LIMIT × workers + 1 guesses), its cookie
    is not made Secure by saying https, and the log shows where it really came from. With
    them, each named client is counted, logged and served as the proxy says."""
    db_path = tmp_path / "survey.sqlite3"
    invited_round(db_path, 1)
    limit = 2
    spoofed = [f"198.51.100.{n}" for n in range(limit * WORKERS + 1)]
    https = {"X-Forwarded-Proto": "https"}

    with serving(tmp_path, db_path, TOKEN_FAILURE_LIMIT=limit) as untrusted:
        braked = guesses(untrusted, spoofed)
        _, plain_headers, _ = get(untrusted.base + "/logg-inn", https)
    with serving(
        tmp_path, db_path, TOKEN_FAILURE_LIMIT=limit, PROXY_X_FOR=1, PROXY_X_PROTO=1
    ) as trusted:
        counted_apart = guesses(trusted, spoofed)
        _, secure_headers, _ = get(trusted.base + "/logg-inn", https)

    assert 429 in braked
    assert counted_apart == [404] * len(spoofed)
    assert "Secure" not in plain_headers["Set-Cookie"]
    assert "; Secure" in secure_headers["Set-Cookie"]
    untrusted_log = untrusted.access_log.read_text()
    assert "198.51.100." not in untrusted_log
    assert re.search(r"^127\.0\.0\.1 .*GET /s/\[token\] ", untrusted_log, re.M)
    assert re.search(r"^198\.51\.100\.3 .*GET /s/\[token\] ", trusted.access_log.read_text(), re.M)


def test_the_gunicorn_options_follow_the_settings():
    defaults = {name: setting.default for name, setting in BY_NAME.items()}

    chosen = options(defaults, "::1", 8000)

    assert chosen["bind"] == ["[::1]:8000"]
    assert chosen["workers"] == default_workers() >= 2
    assert (chosen["threads"], chosen["worker_class"]) == (4, "gthread")
    assert (chosen["timeout"], chosen["graceful_timeout"]) == (120, 60)
    assert chosen["accesslog"] == "-"
    # forwarded headers are survey.web.proxies' alone; gunicorn trusts none of them
    assert chosen["secure_scheme_headers"] == {} and chosen["forwarded_allow_ips"] == ""
    single = options({**defaults, "WEB_THREADS": 1, "WEB_WORKERS": 3}, "127.0.0.1", 1)
    assert (single["workers"], single["worker_class"], single["bind"]) == (
        3,
        "sync",
        ["127.0.0.1:1"],
    )


def test_tokens_are_masked_and_nothing_else():
    assert mask_tokens("GET /s/AbC-_9/side/2?x=1 HTTP/1.1") == "GET /s/[token]/side/2?x=1 HTTP/1.1"
    assert mask_tokens('"https://x.no/survey/a/tok" "/k/tok"') == (
        '"https://x.no/survey/a/[token]" "/k/[token]"'
    )
    unchanged = "GET /sekretariat/runder/3 /static/survey.css /s/ /tilgjengelighet"
    assert mask_tokens(unchanged) == unchanged


def test_a_reload_with_a_wrong_setting_is_refused_and_serving_goes_on(tmp_path, capfd):
    """New processes would fail on the wrong value and gunicorn would then stop altogether:
    the master checks the settings first, says why, and keeps what it has."""
    arbiter = Arbiter(Server(str(tmp_path), "127.0.0.1", free_port(), follow=None))
    before = arbiter.cfg
    (tmp_path / "config.py").write_text("WEB_THREADS = 'many'\n")

    arbiter.reload()

    assert arbiter.cfg is before
    assert (
        "not reloaded, still serving with the settings before: WEB_THREADS in the instance "
        "config file: 'many' is not a whole number" in capfd.readouterr().err
    )


def test_a_wrong_setting_stops_serve_with_the_message_and_no_traceback(tmp_path):
    env = {**os.environ, "SURVEY_DATABASE": str(tmp_path / "s.sqlite3"), "SURVEY_WEB_WORKERS": "0"}
    result = subprocess.run([*SURVEY, "serve"], capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: environment variable SURVEY_WEB_WORKERS: '0' is below the minimum of 1\n"
    )
