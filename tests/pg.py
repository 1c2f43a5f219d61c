"""A throwaway PostgreSQL cluster for the tests: initdb and pg_ctl in a temporary directory,
listening on a Unix socket only, torn down after the session. No service, no port.

``initdb`` refuses to run as root, and CI runs as root: there the cluster runs as the
unprivileged ``postgres`` user Debian's package creates (``runuser``), and the directory is
handed to it. The data directory trades durability for speed (``fsync=off``): it is thrown
away. Each test gets its own database, copied from a template that is migrated once, so a
test starts in milliseconds and sees nothing of another."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path

import psycopg

from survey.storage import open_database

USER = "survey"


def _binaries() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError(
            "PostgreSQL's server is not installed: `make test` installs Debian's "
            "`postgresql` package (make system-deps)"
        )
    return found[-1].parent


class Cluster:
    def __init__(self, directory: Path, *, durable: bool = False) -> None:
        self.directory = directory
        self.durable = durable  # fsync on (benchmarks); the tests' cluster skips it
        self.data = directory / "data"
        self.bin = _binaries()
        self._names = itertools.count(1)
        self._template: str | None = None

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> Cluster:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        return self.serve()

    def serve(self) -> Cluster:
        """Start the server (again, after ``halt``)."""
        options = (
            f"-k {self.directory} -c listen_addresses='' -c synchronous_commit=off "
            "-c max_connections=200"
        )
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.directory / "log"),
            "-w",
            "start",
        )
        return self

    def halt(self) -> None:
        """Shut the server down as an administrator does (``-m fast``: every session is
        ended, its transaction rolled back), keeping the data for ``serve``."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@/{database}?host={self.directory}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def fresh_database(self) -> str:
        """A new, migrated, empty survey database; its URL."""
        if self._template is None:
            self._admin("CREATE DATABASE survey_template")
            open_database(self.url("survey_template")).close()
            self._template = "survey_template"
        name = f"t{next(self._names)}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {self._template}")
        return self.url(name)

    def empty_database(self) -> str:
        """A new database without the survey's tables (for migrations themselves)."""
        name = f"e{next(self._names)}"
        self._admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.split("@/")[1].split("?")[0]
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
