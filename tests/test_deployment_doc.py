"""docs/deployment.md is run, not just read: every file it shows is written and every command
it gives is run, in order, on a scratch copy of the machine under tmp_path.

What a test machine cannot do is translated, each way named in ``Machine.run`` (a line no
rule knows fails the test, so a new command in the guide needs a way to be run here):

- users and root: ``sudo``, ``sudo -u survey`` and the wrapper's ``setpriv`` are dropped, so
  everything runs as the test's user; ``useradd`` only makes the home folder; ``install -o
  survey -g survey`` and ``chown survey:survey`` drop the owner (the file must exist);
  ``apt-get install`` is simulated (``-s``: every package exists);
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
  the ports (80, 443, 8000) become free ones under tmp_path and on 127.0.0.1;
- PostgreSQL (several machines) is the tests' throwaway cluster (tests/pg.py): the guide's
  ``postgresql://USER@db.kommune.no/DB`` URLs lead to its socket, the administrator
  ``postgres`` is the cluster's superuser, and the role and database ``survey`` get a name of
  their own (the cluster's superuser is called survey); ``psql`` runs for real; a ``Type=exec`` unit is started without waiting for a notification; the load
  balancer's address (``set_real_ip_from``) is 127.0.0.1, where the test's curl asks from.

Then what the guide promises is checked through nginx. One machine: a respondent's page over
https with a Secure cookie, the browser's address in the engine's access log (never a
spoofed one), no personal token in any log, a reload that replaced every process, a nightly
backup. Several machines (the same scratch machine playing a web and a worker machine):
``/helse`` passing every check, the worker's among them, before and after the upgrade, and
failing on a schema ahead of the release and "degraded" (still 200) once every worker
stopped; a page answered
over https whose answer is a row in PostgreSQL; the browser's address as the load balancer
gave it; connections within the guide's sizing; a worker restarted cleanly (SIGTERM).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
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
from survey.storage import open_database
from tests.conftest import ROOT
from tests.faults.conftest import free_port, invited_round, plan
from tests.pg import USER as CLUSTER_SUPERUSER
from tests.pg import Cluster

DOC = ROOT / "docs" / "deployment.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCK = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<kind>\w*)\n(?P<body>.*?)```", re.S)
MACHINE_PATHS = ("/srv/survey", "/etc/survey", "/etc/nginx", "/etc/systemd/system", "/etc/ssl")
PUBLIC = "survey.kommune.no"
SEVERAL = "\n## Several machines\n"
DATABASE_URL = re.compile(
    r"postgresql://(?P<role>\w+)@db\.kommune\.no/(?P<database>\w+)(?:\?(?P<query>[^\s\"']*))?"
)
LOAD_BALANCER = "set_real_ip_from 10.20.0.5;"
ADMIN = "post@levanger.kommune.no"  # the first account, in both parts of the guide


def blocks(text: str = TEXT) -> list[tuple[str | None, str, str]]:
    return [(m["file"], m["kind"], m["body"]) for m in BLOCK.finditer(text)]


def one_machine() -> str:
    return TEXT.split(SEVERAL, 1)[0]


def several_machines() -> str:
    return TEXT.split(SEVERAL, 1)[1]


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
class Postgres:
    """Where the guide's database server is in the test: a cluster, and the name the
    guide's role and database ``survey`` have there."""

    cluster: Cluster
    name: str = field(default_factory=lambda: f"survey_{secrets.token_hex(4)}")

    def url(self, match: re.Match) -> str:
        role = CLUSTER_SUPERUSER if match["role"] == "postgres" else self.name
        database = "postgres" if match["database"] == "postgres" else self.name
        url = f"postgresql://{role}@/{database}?host={self.cluster.directory}"
        return url + (f"&{match['query']}" if match["query"] else "")

    def rewrite(self, text: str) -> str:
        return DATABASE_URL.sub(self.url, text)

    def app_url(self) -> str:
        return f"postgresql://{self.name}@/{self.name}?host={self.cluster.directory}"


@dataclass
class Machine:
    root: Path
    ports: dict[str, int] = field(default_factory=dict)
    services: dict[str, subprocess.Popen] = field(default_factory=dict)
    notified: list[str] = field(default_factory=list)
    health: list[dict] = field(default_factory=list)  # what /helse answered through nginx
    postgres: Postgres | None = None

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
        text = text.replace(LOAD_BALANCER, "set_real_ip_from 127.0.0.1;")
        if self.postgres is not None:
            text = self.postgres.rewrite(text)
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
            (r"sudo chown survey:survey (\S+)", lambda m: Path(self.rewrite(m[1])).stat()),
            (r"sudo systemctl daemon-reload", lambda m: self.daemon_reload()),
            (r"sudo systemctl enable --now (\S+)\.service", lambda m: self.start(m[1])),
            (r"sudo systemctl enable --now (\S+)\.timer", lambda m: self.timer(m[1])),
            (r"sudo systemctl reload nginx", lambda m: self.start_nginx()),
            (r"sudo systemctl reload (\S+)\.service", lambda m: self.reload(m[1])),
            (r"sudo systemctl restart (\S+)\.service", lambda m: self.restart(m[1])),
            (r"sudo nginx -t", lambda m: self.nginx("-t")),
            (rf"curl -fsS https://{re.escape(PUBLIC)}(/helse)", lambda m: self.ask_health()),
            # the database's administrator, against the test's cluster
            (r'psql "(\S+)" -c "(.+)"', self.psql),
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

    def psql(self, match: re.Match) -> None:
        """SQL as the administrator runs it, the role and database ``survey`` renamed."""
        assert self.postgres is not None, "psql in the guide before its database server"
        sql = re.sub(r"\bsurvey\b", self.postgres.name, match[2])
        self.sh(shlex.join(["psql", self.rewrite(match[1]), "-c", sql]))

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

    def journal_of(self, name: str) -> Path:
        """A service's stdout and stderr: ``journal`` for survey.service, its own file else."""
        return self.journal if name == "survey" else self.root / f"journal-{name}.log"

    def start(self, name: str) -> None:
        assert name not in self.services, f"{name}.service is running already"
        values = self.unit(f"{name}.service")
        env = self.unit_env(values)
        for line in values.get("ExecStartPre", []):
            self.sh(shlex.join(exec_line(line)), env)
        if values["Type"] == ["oneshot"]:
            self.sh(shlex.join(exec_line(values["ExecStart"][0])), env)
            return
        assert values["Type"] in (["notify"], ["exec"])
        notify = self.root / f"{name}.notify"
        notify.unlink(missing_ok=True)
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
            listener.bind(str(notify))
            listener.settimeout(60)
            if values["Type"] == ["notify"]:
                env["NOTIFY_SOCKET"] = str(notify)
            with open(self.journal_of(name), "ab") as journal:
                self.services[name] = subprocess.Popen(
                    exec_line(values["ExecStart"][0]),
                    env={**os.environ, **env},
                    cwd=values["WorkingDirectory"][0],
                    stdout=journal,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            if values["Type"] == ["exec"]:  # started once the program runs
                return
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

    def curl(self, path: str, *options: str, fail: bool = True) -> str:
        port = self.ports["443"]
        return self.sh(
            shlex.join(
                [
                    "curl",
                    "-fsS" if fail else "-sS",
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
        answer = json.loads(self.curl("/helse"))
        assert answer["status"] == "ok", answer
        self.health.append(answer)

    def health_status(self) -> tuple[int, dict]:
        """/helse through nginx as a load balancer sees it: the status, and the answer."""
        answer = self.curl("/helse", "-w", "\\n%{http_code}", fail=False).rsplit("\n", 1)
        return int(answer[1]), json.loads(answer[0])

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


def run_guide(machine: Machine, text: str) -> list[set[int]]:
    """Write every file and run every command of ``text``, in order; the processes of
    survey.service before each of its reloads."""
    reloads = []
    for path, kind, body in blocks(text):
        if path:
            machine.write(path, body)
        elif kind == "sh":
            for line in body.strip().splitlines():
                before = machine.workers() if "reload survey" in line else None
                machine.run(line)
                if before is not None:
                    reloads.append(before)
    return reloads


def test_every_file_and_command_of_the_deployment_guide_works(tmp_path, pg_cluster):
    machine = Machine(tmp_path)
    try:
        reloads = run_guide(machine, one_machine())
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
    reachable = {"detail": "reachable", "name": "database", "ok": True}
    assert [answer["checks"][0] for answer in machine.health] == [reachable] * 2

    # several machines: this machine, its services stopped, becomes a web machine and a
    # worker machine of an installation on PostgreSQL (the cluster's, for the guide's)
    machine.postgres = Postgres(pg_cluster)
    machine.journal = tmp_path / "journal-several.log"
    machine.health.clear()
    url = machine.postgres.app_url()
    try:
        run_guide(machine, several_machines())
        after_upgrade = machine.health[-1]
        token = invited_round(url, 1)[0]
        answered = answer_first_page(machine, token)
        ahead = schema_ahead(machine, url)
        connections = connections_to(url, machine.postgres.name)
        machine.stop("survey-worker")  # the last worker: what the upgrade must not do
        no_worker = machine.health_status()
        time.sleep(0.2)  # the access log line is written after the response
    finally:
        machine.shut_down()
        pg_cluster.drop(url)

    # /helse through nginx: the database, the schema and a live worker, each time asked
    for answer in machine.health:
        assert answer["status"] == "ok" and all(check["ok"] for check in answer["checks"])
    workers = {c["name"]: c["detail"] for c in after_upgrade["checks"]}["workers"]
    assert workers == "a worker reported within a lease"
    assert len(machine.health) == 2  # section 4's and the upgrade's
    # a web machine still on the old release, once another applied newer migrations
    status, answer = ahead
    assert status == 503 and "ahead of this release" in json.dumps(answer)
    # every worker stopped: monitoring sees it, the web machines keep serving respondents
    status, answer = no_worker
    assert status == 200 and answer["status"] == "degraded"
    assert "no worker has reported" in json.dumps(answer)
    # the answer is a row in PostgreSQL, sent over https through the load balancer's nginx
    assert answered == [("q1", plan(0)[0].data["q1"])]
    journal = machine.journal.read_text()
    assert re.search(r"^198\.51\.100\.9 .*\"POST /s/\[token\]/side/1 HTTP/1.0\" 302", journal, re.M)
    assert token not in journal
    # the worker ran --check's test jobs (twice) and stopped cleanly for the upgrade
    worker_log = machine.journal_of("survey-worker").read_text()
    assert worker_log.count("(selftest) done") == 2 and "stopping" in worker_log
    # the backup before the upgrade: the installation as a SQLite file, its one account
    backup = machine.root / "srv/survey/backups/before-upgrade-postgresql.sqlite3"
    copy = open_database(backup, migrate=False)
    try:
        assert [tuple(r) for r in copy.execute("SELECT email FROM users")] == [(ADMIN,)]
    finally:
        copy.close()
    assert 0 < connections <= sizing(machine)


def answer_first_page(machine: Machine, token: str) -> list[tuple[str, str]]:
    """Respondent 0's first page, fetched and sent with its cookie and CSRF token through
    nginx, as the load balancer would forward it; the answers stored for the token."""
    jar = str(machine.root / "cookies.txt")
    forwarded = ("-H", "X-Forwarded-For: 198.51.100.9")  # the balancer's, for the browser
    page = machine.curl(f"/s/{token}/side/1", "-c", jar, *forwarded)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf, **plan(0)[0].data, "action": "next"}
    fields = [arg for key, value in data.items() for arg in ("--data-urlencode", f"{key}={value}")]
    reply = machine.curl(f"/s/{token}/side/1", "-b", jar, *fields, "-w", "%{http_code}", *forwarded)
    assert reply.endswith("302"), reply[-500:]
    db = open_database(machine.postgres.app_url(), migrate=False)
    try:
        rows = db.execute(
            "SELECT a.item, a.code FROM answers a JOIN responses r ON r.id = a.response_id "
            "JOIN invitations i ON i.id = r.invitation_id WHERE i.token = ?",
            [token],
        ).fetchall()
    finally:
        db.close()
    return [tuple(row) for row in rows]


def schema_ahead(machine: Machine, url: str) -> tuple[int, dict]:
    """What /helse answers once the database has a migration this release does not know
    (another machine was upgraded first): the row is taken away again afterwards."""
    db = open_database(url, migrate=False)
    try:
        db.execute("INSERT INTO _migrations (name, applied_at) VALUES ('9999_future', 'now')")
        return machine.health_status()
    finally:
        db.execute("DELETE FROM _migrations WHERE name = '9999_future'")
        db.close()


def connections_to(url: str, database: str) -> int:
    """Connections to the installation's database, the one asking left out."""
    db = open_database(url, migrate=False)
    try:
        (count,) = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()",
            [database],
        ).fetchone()
    finally:
        db.close()
    return int(count)


def sizing(machine: Machine) -> int:
    """The guide's bound on connections for one web machine and one worker machine."""
    env = environment_file(machine.root / "etc/survey/survey.env")
    web = int(env["SURVEY_WEB_WORKERS"]) * int(env["SURVEY_WEB_THREADS"]) * 2
    worker = machine.unit("survey-worker.service")["ExecStart"][0]
    concurrency = int(re.search(r"--concurrency (\d+)", worker).group(1))
    return web + 1 + concurrency


def test_every_setting_is_in_the_guide_and_every_setting_it_names_exists():
    for setting in SETTINGS:
        assert f"`{setting.name}`" in TEXT, setting.name
    named = set(re.findall(r"SURVEY_([A-Z_]+)", TEXT)) - {"PASSWORD"}
    assert named <= {s.name for s in SETTINGS}
    assert "../README.md#settings" in TEXT


def test_the_guide_for_several_machines_shares_what_must_be_shared():
    """What the running test cannot see on one scratch machine, read from the files."""
    section = several_machines()
    assert "not possible yet" not in TEXT
    files = {path: body for path, _, body in blocks(section) if path}
    web = dict(line.split("=", 1) for line in files["/etc/survey/survey.env"].splitlines())
    worker = dict(line.split("=", 1) for line in files["/etc/survey/worker.env"].splitlines())
    # the worker reads what the web machines write and judge it by: the same values
    shared = ("SURVEY_DATABASE", "SURVEY_REPORT_CACHE", "PGPASSFILE", "SURVEY_JOB_LEASE")
    assert {k: web.get(k) for k in shared} == {k: worker.get(k) for k in shared}
    assert web["SURVEY_WORKERS"] == "0"
    assert not {"SURVEY_SECRET_KEY", "SURVEY_MAIL_PASSWORD"} & set(worker)
    # no password in the URL; libpq's password file names the URL's server, database, role
    url = DATABASE_URL.fullmatch(web["SURVEY_DATABASE"].strip('"'))
    assert url and url["role"] == "survey"
    host, port, database, role, _ = files["/srv/survey/.pgpass"].strip().split(":")
    assert (host, port, database, role) == ("db.kommune.no", "5432", url["database"], "survey")
    # the worker's unit: SIGTERM to the worker alone, and systemd waits out its grace
    unit_values = unit(files["/etc/systemd/system/survey-worker.service"])
    grace = float(re.search(r"--grace (\d+)", unit_values["ExecStart"][0]).group(1))
    assert unit_values["KillMode"] == ["mixed"] and unit_values["KillSignal"] == ["SIGTERM"]
    assert float(unit_values["TimeoutStopSec"][0]) > grace
    assert unit_values["EnvironmentFile"] == ["/etc/survey/worker.env"]
    # the sizing's worked example (four web machines, three workers) is these files'
    processes, threads = int(web["SURVEY_WEB_WORKERS"]), int(web["SURVEY_WEB_THREADS"])
    per_worker = 1 + int(re.search(r"--concurrency (\d+)", unit_values["ExecStart"][0]).group(1))
    total = 4 * processes * threads * 2 + 3 * per_worker
    assert f"4 × {processes} × {threads} × 2 + 3 × {per_worker} = {total}" in section


@pytest.mark.parametrize("kind", ["ini", "nginx"])
def test_every_configuration_block_is_a_file_the_test_writes(kind):
    """A configuration shown without its file marker would never be tried."""
    for path, block_kind, _ in blocks():
        if block_kind == kind:
            assert path, f"a {kind} block in docs/deployment.md has no <!-- file: PATH --> marker"
