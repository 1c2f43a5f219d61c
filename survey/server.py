"""``survey serve``: the web app under gunicorn, configured from the settings.

Through gunicorn's application API (``BaseApplication``), not a command line: the options
come from ``survey.settings`` like every other setting, are checked the same way, and
nothing is read from gunicorn's own sources (``GUNICORN_CMD_ARGS``, ``gunicorn.conf.py``,
``FORWARDED_ALLOW_IPS``), so ``survey config`` shows all there is.

The defaults, for this load (short CPU-bound requests: a page of answers is ~2 ms of CPU,
one short write; now and then a slow one: a report preview, a batch of mail over SMTP, an
upload):

- ``WEB_WORKERS``: one process per core, at least 2. A request is CPU work under the GIL,
  so a process per core uses the machine; gunicorn's usual 2 × cores + 1 (5 here) was
  measured slower than 2 on this 2-core machine, 505–528 POSTs/s against 608–806/s, each
  finding its caches cold (docs/performance.md, "Sync gunicorn workers, one per core").
  Where the web processes render reports themselves (``WORKERS`` above 0,
  ``workers/local.py``), each renders at most that many at a time (up to 400 MB each), so
  the count also bounds report memory. Two at least, so that one busy or
  restarting process never stops the service.
- ``WEB_THREADS`` 4: a request that waits (on the SMTP server, SQLite's write lock, the send
  page's probe of BASE_URL, a slow client downloading a PDF) holds a thread, not a process;
  more threads would only queue for the same GIL. With threads the worker is gunicorn's
  ``gthread``, whose main loop keeps telling the master it is alive while a request runs,
  so a long request is not mistaken for a hung process.
- ``WEB_TIMEOUT`` 120 s: a process silent that long is stuck (the heartbeat above does not
  wait for requests), and is restarted.
- ``WEB_GRACEFUL_TIMEOUT`` 60 s: on reload or stop, a process finishes its requests and a
  report it is rendering (a national one takes ~30 s) before it is killed; under systemd's
  default stop timeout of 90 s.

SIGHUP reloads: the settings are read again (the instance config file), new processes are
started with them, and the old ones finish what they are doing first, so no request is
dropped. A wrong setting refuses the reload (``Arbiter.reload``): it is logged, and the
processes serving go on as they were, where new ones would fail to start and gunicorn
would stop altogether. Code is not reloaded: the master has imported it (a restart is).

The access log never holds a personal link: ``/s/``, ``/a/`` and ``/k/`` tokens in any
line, in the request, the referrer or anywhere a log format puts them, are written as
``[token]`` (``TokenMask``), in the error log too.

Forwarded headers are left to one place, ``survey.web.proxies`` (the ``PROXY_X_*``
settings): gunicorn's own handling of X-Forwarded-Proto and friends, which trusts
127.0.0.1 by default and every client on a Unix socket, is switched off here.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from typing import Any

from flask import Config, Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter as GunicornArbiter
from gunicorn.glogging import Logger

from survey.settings import SettingError, resolve

TOKEN_IN_PATH = re.compile(r"(/[sak]/)[^/?#\s\"']+")
MASKED = r"\1[token]"


def mask_tokens(text: str) -> str:
    """``text`` with every respondent token in a path (``/s/<token>``, ``/a/``, ``/k/``)
    replaced by ``[token]``."""
    return TOKEN_IN_PATH.sub(MASKED, text)


class TokenMask(logging.Filter):
    """Masks tokens in the finished line, whatever format put them there."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class MaskingLogger(Logger):
    """gunicorn's logger with ``TokenMask`` on its access and error logs."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)  # runs again on every reload; the filter is added once
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, TokenMask) for f in log.filters):
                log.addFilter(TokenMask())


def default_workers() -> int:
    return max(2, len(os.sched_getaffinity(0)))


def options(settings: Mapping[str, Any], host: str, port: int) -> dict[str, Any]:
    """gunicorn's settings for serving on ``host:port`` with ``settings``."""
    threads = settings["WEB_THREADS"]
    return {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": settings["WEB_WORKERS"] or default_workers(),
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": settings["WEB_TIMEOUT"],
        "graceful_timeout": settings["WEB_GRACEFUL_TIMEOUT"],
        "accesslog": settings["ACCESS_LOG"],
        "errorlog": "-",
        "logger_class": MaskingLogger,
        "proc_name": "survey",
        # forwarded headers are survey.web.proxies' alone
        "secure_scheme_headers": {},
        "forwarded_allow_ips": "",
        "forwarder_headers": "",
        # one way to control the server, its signals; no socket in the home folder that two
        # installations (or two test runs) on one machine would share
        "control_socket_disable": True,
    }


def read_settings(instance_path: str) -> dict[str, Any]:
    """The settings as ``create_app`` resolves them (default, instance config file,
    environment), read afresh; raises SettingError."""
    config_file = Config(instance_path)
    config_file.from_pyfile("config.py", silent=True)
    resolved = resolve(config_file, instance_path=instance_path)
    return {name: setting.value for name, setting in resolved.items()}


class Server(BaseApplication):
    """The app under gunicorn. ``follow`` is the address links are built on when BASE_URL is
    not configured (the address served, as ``survey run`` does); each process builds its own
    app, so a reload takes a changed instance config file into account."""

    def __init__(self, instance_path: str, host: str, port: int, follow: str | None) -> None:
        self.instance_path = instance_path
        self.host, self.port, self.follow = host, port, follow
        read_settings(instance_path)  # a wrong setting stops here, as a CLI error
        super().__init__(prog="survey serve")

    def load_config(self) -> None:
        for name, value in options(read_settings(self.instance_path), self.host, self.port).items():
            self.cfg.set(name, value)

    def run(self) -> None:
        try:
            Arbiter(self).run()
        except RuntimeError as error:  # as gunicorn's own run: a message, no traceback
            raise SystemExit(f"Error: {error}") from None

    def load(self) -> Flask:
        from survey.web import create_app

        app = create_app()
        if self.follow and app.extensions["survey_settings"]["BASE_URL"].source == "default":
            app.config["BASE_URL"] = self.follow
        return app


class Arbiter(GunicornArbiter):
    """gunicorn's master, refusing a reload with wrong settings instead of dying of it."""

    def reload(self) -> None:
        try:
            read_settings(self.app.instance_path)
        except SettingError as error:
            self.log.error("not reloaded, still serving with the settings before: %s", error)
            return
        super().reload()


def serve(instance_path: str, host: str, port: int, follow: str | None = None) -> None:
    """Serve until stopped (SIGTERM, SIGINT: finish requests, then exit; SIGQUIT: now)."""
    Server(instance_path, host, port, follow).run()
