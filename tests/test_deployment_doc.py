"""docs/deployment.md is run, not just read: every file it shows is written and every command
it gives is run, in order, on a scratch copy of the machine under tmp_path.

What a test machine cannot do is translated, each way named in ``Machine.run`` (a line no
rule knows fails the test, so a new command in the guide needs a way to be run here):

- users and root: ``sudo``, ``sudo -u survey`` and the wrapper's ``setpriv`` are dropped, so
  everything runs as the test's user; ``useradd`` only makes the home folder; ``install -o
  survey -g survey`` drops the owner; ``apt-get install`` is simulated (``-s``: every package
  exists);
- the virtual environment is made without pip, and ``pip install`` of the wheel puts the
  checkout's ``survey`` command in its place (installing the wheel itself is
  tests/test_wheel.py's job; here its name must be the one ``make wheel`` builds);
- systemd: ``daemon-reload`` is ``systemd-analyze verify`` of the units (no complaint
  allowed); ``enable --now``, ``reload`` and ``restart`` run the unit's own ``ExecStartPre``,
  ``ExecStart`` and ``ExecReload`` lines with its ``EnvironmentFile``, the service with a
  ``NOTIFY_SOCKET`` that must receive READY=1 (``Type=notify``); the timer's calendar is
  checked by ``systemd-analyze calendar`` and its service run once;
- nginx runs for real with the guide's site (one process, its files under tmp_path, a
  self-signed certificate where the guide's is), ``curl`` asks it over https;
- the paths of the machine (``/srv/survey``, ``/etc/...``, ``/usr/local/bin/survey``) and
  the ports (80, 443, 8000) become free ones under tmp_path and on 127.0.0.1.

Then what the guide promises is checked through nginx: a respondent's page over https with
a Secure cookie, the browser's address in the engine's access log (never a spoofed one),
no personal token in any log, a reload that replaced every process, a nightly backup.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from survey.settings import SETTINGS
from tests.conftest import ROOT
from tests.faults.conftest import free_port, invited_round

DOC = ROOT / "docs" / "deployment.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCK = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<kind>\w*)\n(?P<body>.*?)```", re.S)
MACHINE_PATHS = ("/srv/survey", "/etc/survey", "/etc/nginx", "/etc/systemd/system", "/etc/ssl")
PUBLIC = "survey.kommune.no"


def blocks() -> list[tuple[str | None, str, str]]:
    return [(m["file"], m["kind"], m["body"]) for m in BLOCK.finditer(TEXT)]


def wheel_name() -> str:
    config = (ROOT / "setup.cfg").read_text()
    name = re.search(r"^name = (\S+)$", config, re.M).group(1).replace("-", "_")
    version = re.search(r"^version = (\S+)$", config, re.M).group(1)
    return f"{name}-{version}-py3-none-any.whl"


def unit(text: str) -> dict[str, list[str]]:
    """A systemd unit's keys (of every section) with their values, in order."""
    values: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile reads them (quotes removed)."""
    found = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            found[key.strip()] = " ".join(shlex.split(value))
    return found


def exec_line(line: str, mainpid: int | None = None) -> list[str]:
    """An Exec*= line as systemd runs it: its specifiers and $$ unescaped, $MAINPID set."""
    line = line.replace("%%", "%").replace("$$", "$")
    if mainpid is not None:
        line = line.replace("$MAINPID", str(mainpid))
    return shlex.split(line)


@dataclass
class Machine:
    root: Path
    ports: dict[str, int] = field(default_factory=dict)
    services: dict[str, subprocess.Popen] = field(default_factory=dict)
    notified: list[str] = field(default_factory=list)
    health: list[str] = field(default_factory=list)  # what /helse answered through nginx

    def __post_init__(self) -> None:
        self.ports = {"80": free_port(), "443": free_port(), "8000": free_port()}
        self.journal = self.root / "journal.log"  # the service's stdout and stderr
        self.cert = self.root / "etc/ssl/survey/fullchain.pem"
        (self.root / "etc/nginx/sites-enabled").mkdir(parents=True)  # as Debian's nginx has it

    # -- the machine's paths and ports, under tmp_path and on free ports ----------------

    def rewrite(self, text: str) -> str:
        for path in MACHINE_PATHS:
            text = text.replace(path, f"{self.root}{path}")
        text = text.replace("/usr/local/bin/survey", f"{self.root}/usr/local/bin/survey")
        text = text.replace("127.0.0.1:8000", f"127.0.0.1:{self.ports['8000']}")
        text = text.replace("--port 8000", f"--port {self.ports['8000']}")
        text = text.replace("listen 443 ", f"listen 127.0.0.1:{self.ports['443']} ")
        text = text.replace("listen 80;", f"listen 127.0.0.1:{self.ports['80']};")
        return text

    def write(self, path: str, body: str) -> None:
        target = Path(self.rewrite(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        text = self.rewrite(body)
        text = text.replace("setpriv --reuid=survey --regid=survey --init-groups ", "")
        target.write_text(text)

    def sh(self, command: str, env: dict[str, str] | None = None) -> str:
        path = f"{self.root}/usr/local/bin:{os.environ['PATH']}"
        result = subprocess.run(
            ["sh", "-c", command],
            capture_output=True,
            text=True,
            env={**os.environ, "PATH": path, **(env or {})},
            cwd=self.root,
            timeout=120,
        )
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        return result.stdout

    # -- every command of the guide ---------------------------------------------------

    def run(self, line: str) -> None:
        rules = [
            (r"sudo apt-get install -y (.+)", lambda m: self.sh(f"apt-get install -s {m[1]}")),
            (r"sudo useradd .*--home-dir (\S+) survey", self.useradd),
            (r"sudo -u survey python3 -m venv (\S+)", self.venv),
            (r"sudo -u survey (\S+)/pip install (?:--upgrade )?(\S+\.whl)", self.pip_install),
            (r"sudo install -d -m (\d+) -o survey -g survey (.+)", self.install_dirs),
            (r"sudo systemctl daemon-reload", lambda m: self.daemon_reload()),
            (r"sudo systemctl enable --now (\S+)\.service", lambda m: self.start(m[1])),
            (r"sudo systemctl enable --now (\S+)\.timer", lambda m: self.timer(m[1])),
            (r"sudo systemctl reload nginx", lambda m: self.start_nginx()),
            (r"sudo systemctl reload (\S+)\.service", lambda m: self.reload(m[1])),
            (r"sudo systemctl restart (\S+)\.service", lambda m: self.restart(m[1])),
            (r"sudo nginx -t", lambda m: self.nginx("-t")),
            (rf"curl -fsS https://{re.escape(PUBLIC)}(/helse)", lambda m: self.ask_health()),
            # plain commands: run as written, without sudo, on the machine's paths
            (r"sudo (chmod|ln|survey|SURVEY_\w+=.*survey) .*", lambda m: self.sh(self.plain(line))),
            (r"echo .* \| sudo tee -a \S+ >/dev/null", lambda m: self.sh(self.plain(line))),
        ]
        for pattern, action in rules:
            match = re.fullmatch(pattern, line)
            if match:
                action(match)
                return
        raise AssertionError(f"docs/deployment.md: no way to run {line!r} in the test")

    def plain(self, line: str) -> str:
        return self.rewrite(line.replace("sudo ", ""))

    def useradd(self, match: re.Match) -> None:
        Path(self.rewrite(match[1])).mkdir(parents=True, exist_ok=True)

    def venv(self, match: re.Match) -> None:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", self.rewrite(match[1])])
        assert Path(self.rewrite(match[1]), "bin", "python").exists()

    def pip_install(self, match: re.Match) -> None:
        assert match[2] == wheel_name()  # the file `make wheel` builds
        shim = Path(self.rewrite(match[1])) / "survey"
        shim.write_text(
            f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -c "
            f"'from survey.cli import main; main()' \"$@\"\n"
        )
        shim.chmod(0o755)

    def install_dirs(self, match: re.Match) -> None:
        for folder in match[2].split():
            Path(self.rewrite(folder)).mkdir(parents=True, exist_ok=True)
            Path(self.rewrite(folder)).chmod(int(match[1], 8))

    def units(self) -> Path:
        return self.root / "etc/systemd/system"

    def daemon_reload(self) -> None:
        files = sorted(str(p) for p in self.units().iterdir())
        result = subprocess.run(
            ["systemd-analyze", "verify", *files], capture_output=True, text=True, cwd=self.units()
        )
        assert (result.returncode, result.stdout + result.stderr) == (0, ""), result

    def unit(self, name: str) -> dict[str, list[str]]:
        return unit((self.units() / name).read_text())

    def unit_env(self, values: dict[str, list[str]]) -> dict[str, str]:
        env = {}
        for path in values.get("EnvironmentFile", []):
            env |= environment_file(Path(path))
        return env

    def start(self, name: str) -> None:
        values = self.unit(f"{name}.service")
        env = self.unit_env(values)
        for line in values.get("ExecStartPre", []):
            self.sh(shlex.join(exec_line(line)), env)
        if values["Type"] == ["oneshot"]:
            self.sh(shlex.join(exec_line(values["ExecStart"][0])), env)
            return
        assert values["Type"] == ["notify"]
        notify = self.root / f"{name}.notify"
        notify.unlink(missing_ok=True)
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
            listener.bind(str(notify))
            listener.settimeout(60)
            with open(self.journal, "ab") as journal:
                self.services[name] = subprocess.Popen(
                    exec_line(values["ExecStart"][0]),
                    env={**os.environ, **env, "NOTIFY_SOCKET": str(notify)},
                    cwd=values["WorkingDirectory"][0],
                    stdout=journal,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self.notified.append(listener.recv(1024).decode())  # systemd's "started"
        assert self.notified[-1].startswith("READY=1")

    def reload(self, name: str) -> None:
        values = self.unit(f"{name}.service")
        process = self.services[name]
        for line in values["ExecReload"]:
            self.sh(shlex.join(exec_line(line, mainpid=process.pid)), self.unit_env(values))

    def stop(self, name: str) -> None:
        process = self.services.pop(name)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
            raise
        assert process.returncode == 0

    def restart(self, name: str) -> None:
        self.stop(name)
        self.start(name)

    def timer(self, name: str) -> None:
        calendar = self.unit(f"{name}.timer")["OnCalendar"][0]
        self.sh(f"systemd-analyze calendar {shlex.quote(calendar)}")
        self.start(name)  # the service it starts, once

    def nginx_conf(self) -> Path:
        conf = self.root / "nginx.conf"
        run = self.root / "nginx"
        run.mkdir(exist_ok=True)
        conf.write_text(
            f"daemon off; master_process off; pid {run}/nginx.pid;\n"
            f"error_log {run}/error.log info;\nevents {{}}\n"
            f"http {{\n  access_log {run}/access.log;\n"
            + "".join(
                f"  {kind}_temp_path {run}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"  include {self.root}/etc/nginx/sites-enabled/*;\n}}\n"
        )
        if not self.cert.exists():
            self.cert.parent.mkdir(parents=True, exist_ok=True)
            self.sh(
                f"openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN={PUBLIC} "
                f"-addext subjectAltName=DNS:{PUBLIC} -keyout {self.cert.parent}/privkey.pem "
                f"-out {self.cert}"
            )
        return conf

    def nginx(self, *args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            ["nginx", "-c", str(self.nginx_conf()), "-p", str(self.root / "nginx"), *args],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return result

    def start_nginx(self) -> None:
        self.services["nginx"] = subprocess.Popen(
            ["nginx", "-c", str(self.nginx_conf()), "-p", str(self.root / "nginx")],
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.ports["443"]), timeout=1),
            ):
                return
            time.sleep(0.05)
        raise AssertionError("nginx did not listen")

    def curl(self, path: str, *options: str) -> str:
        port = self.ports["443"]
        return self.sh(
            shlex.join(
                [
                    "curl",
                    "-fsS",
                    "--cacert",
                    str(self.cert),
                    "--resolve",
                    f"{PUBLIC}:{port}:127.0.0.1",
                    *options,
                    f"https://{PUBLIC}:{port}{path}",
                ]
            )
        )

    def ask_health(self) -> None:
        answer = self.curl("/helse")
        assert json.loads(answer)["status"] == "ok", answer
        self.health.append(answer.split("}", 1)[0] + "},")

    def workers(self) -> set[int]:
        pid = self.services["survey"].pid
        return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}

    def shut_down(self) -> None:
        for name, process in list(self.services.items()):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
            del self.services[name]


def test_every_file_and_command_of_the_deployment_guide_works(tmp_path):
    machine = Machine(tmp_path)
    reloads = []
    try:
        for path, kind, body in blocks():
            if path:
                machine.write(path, body)
            elif kind == "sh":
                for line in body.strip().splitlines():
                    before = machine.workers() if "reload survey" in line else None
                    machine.run(line)
                    if before is not None:
                        reloads.append(before)
        env = environment_file(machine.root / "etc/survey/survey.env")
        db_path = Path(env["SURVEY_DATABASE"])
        token = invited_round(db_path, 1)[0]
        page = machine.curl(f"/s/{token}/side/1", "-i", "-H", "X-Forwarded-For: 198.51.100.9")
        time.sleep(0.2)  # the access log line is written after the response
    finally:
        machine.shut_down()

    assert re.search(r"^set-cookie: session=.*; Secure", page, re.M | re.I)
    assert "Evaluering av Kvalitetskommuneprogrammet" in page
    journal = machine.journal.read_text()
    # the browser's address, as nginx saw it (a spoofed header is replaced, not believed)
    assert re.search(r"^127\.0\.0\.1 .*\"GET /s/\[token\]/side/1 HTTP/1.0\" 200", journal, re.M)
    assert "198.51.100.9" not in journal
    nginx_logs = "".join(p.read_text() for p in (machine.root / "nginx").glob("*.log"))
    assert token not in journal and token not in nginx_logs
    assert "/s/" not in nginx_logs  # nginx's own access log is off for the engine
    # the reload replaced every process of the service
    assert reloads and "Handling signal: hup" in journal
    assert journal.count("Booting worker") >= 3 * 2  # start, reload, restart
    # the nightly backup ran, and the one before the upgrade
    folder = machine.root / "srv/survey/backups"
    backups = sorted(p.name for p in folder.iterdir())
    assert backups[0] == "before-upgrade.sqlite3"
    # under `make test-future` the clock is years ahead of the files' times, and the
    # timer's own `find -mtime +14 -delete` prunes the new night's file at once
    clock_ahead = time.time() - folder.stat().st_mtime > 14 * 86400
    assert clock_ahead or re.fullmatch(r"survey-\d{4}-\d\d-\d\d\.sqlite3", backups[1])
    assert machine.health == ['{"checks":[{"detail":"reachable","name":"database","ok":true},'] * 2


def test_every_setting_is_in_the_guide_and_every_setting_it_names_exists():
    for setting in SETTINGS:
        assert f"`{setting.name}`" in TEXT, setting.name
    named = set(re.findall(r"SURVEY_([A-Z_]+)", TEXT)) - {"PASSWORD"}
    assert named <= {s.name for s in SETTINGS}
    assert "../README.md#settings" in TEXT


def test_the_guide_keeps_a_marked_section_for_several_machines():
    section = TEXT.split("\n## Several machines\n", 1)[1]
    assert "not possible yet" in section and "PostgreSQL" in section and "worker" in section


@pytest.mark.parametrize("kind", ["ini", "nginx"])
def test_every_configuration_block_is_a_file_the_test_writes(kind):
    """A configuration shown without its file marker would never be tried."""
    for path, block_kind, _ in blocks():
        if block_kind == kind:
            assert path, f"a {kind} block in docs/deployment.md has no <!-- file: PATH --> marker"
