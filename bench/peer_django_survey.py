"""Side by side with a peer: django-survey-and-report 1.5 against our app, in one run.

The peer is installed from the package registry into a throwaway virtualenv under /tmp
(deleted afterwards), given a minimal Django project (SQLite in WAL mode with
synchronous=NORMAL, the same pragmas as ours, so storage settings are not what differs),
and loaded with the same 40-item 1–6 questionnaire on one page. Both apps then get the same
treatment under the same gunicorn settings (2 sync workers, 127.0.0.1): each respondent
GETs the form (CSRF token and cookie), then POSTs 40 answers over 8 connections. Rows are
counted afterwards in both databases, and each app exports its responses as CSV the way it
offers it (ours: ``survey export``'s path; theirs: the /csv/<id>/ view, first generation).

If the peer cannot be installed or started, this says why and skips; it never fails the
whole benchmark run.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from benchlib import (
    Figures,
    Reply,
    cookie_header,
    form_body,
    gunicorn,
    http_get,
    likert_questionnaire,
    main,
    request_bytes,
    run_load,
    say,
    table,
)
from import_export import export_csv
from submissions import CONNECTIONS, prepare_likert, product_run

PACKAGE = "django-survey-and-report"
VERSION = "1.5.0"
ITEMS = 40
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class PeerUnavailable(Exception):
    """The peer could not be installed or run here; the message says why."""


SETTINGS = """
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-peer-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "survey",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "peersite.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE / "peer.sqlite3",
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
LANGUAGE_CODE = "en"
STATIC_URL = "/static/"
LOGIN_URL = "/login/"
CSV_DIRECTORY = BASE / "csv"
LOGGING = {"version": 1, "disable_existing_loggers": True}
"""

URLS = """
from django.urls import include, path

urlpatterns = [path("survey/", include("survey.urls"))]
"""

WSGI = """
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersite.settings")
application = get_wsgi_application()
"""

SETUP = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersite.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from survey.models import Question, Survey
survey = Survey.objects.create(
    name="Benchmark 40", description="40 statements, 1-6", is_published=True,
    need_logged_user=False, editable_answers=True, display_method=Survey.ALL_IN_ONE_PAGE,
)
ids = []
for i in range(1, ITEMS + 1):
    q = Question.objects.create(
        text=f"Statement number {i}.", order=i, required=True, survey=survey,
        type=Question.RADIO, choices="1,2,3,4,5,6",
    )
    ids.append(q.pk)
print(json.dumps({"survey": survey.pk, "questions": ids}))
"""


def install(venv: Path, log: Path) -> Path:
    """A fresh virtualenv with the peer and gunicorn; returns its bin directory."""
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"{PACKAGE}=={VERSION}",
            "gunicorn",
        ],
    ]
    for command in steps:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired as exc:
            raise PeerUnavailable(f"'{' '.join(command[:4])}' timed out") from exc
        log.write_text(log.read_text() + done.stdout + done.stderr if log.exists() else "")
        if done.returncode != 0:
            reason = [ln for ln in done.stderr.splitlines() if "is ignored" not in ln][-3:]
            raise PeerUnavailable(f"{' '.join(command[2:6])} failed: {' | '.join(reason)}")
    return venv / "bin"


def make_project(root: Path, bin_dir: Path) -> tuple[int, list[int]]:
    """The Django project and its 40-item survey; returns (survey id, question ids)."""
    site = root / "peersite"
    site.mkdir()
    (root / "csv").mkdir()
    (site / "__init__.py").write_text("")
    (site / "settings.py").write_text(SETTINGS)
    (site / "urls.py").write_text(URLS)
    (site / "wsgi.py").write_text(WSGI)
    script = root / "setup_peer.py"
    script.write_text(f"ITEMS = {ITEMS}\n" + textwrap.dedent(SETUP))
    done = subprocess.run(
        [str(bin_dir / "python"), str(script)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise PeerUnavailable(f"setting up the Django project failed: {done.stderr[-500:]}")
    made = json.loads(done.stdout.strip().splitlines()[-1])
    return int(made["survey"]), [int(q) for q in made["questions"]]


def peer_load(
    root: Path, bin_dir: Path, survey: int, questions: list[int], duration: float, count: int
) -> Figures:
    """GET the survey page per respondent, then POST its 40 answers; count rows; export."""
    path = f"/survey/{survey}/"
    with gunicorn(
        "peer",
        "peersite.wsgi:application",
        workdir=root,
        gunicorn_bin=bin_dir / "gunicorn",
        ready_path=path,
    ) as server:
        port = server.port
        if http_get(port, path).status != 200:
            raise PeerUnavailable(f"GET {path} answered {http_get(port, path).status}")
        run_load(port, [request_bytes("GET", path, port)] * 16, connections=CONNECTIONS)
        gets = run_load(
            port,
            [request_bytes("GET", path, port)] * count,
            connections=CONNECTIONS,
            duration=duration,
            capture=TOKEN,
            server=server,
        )
        ready = [r for r in gets.done if r.status == 200 and r.captured and r.cookies]
        posts_raw = [
            request_bytes(
                "POST",
                path,
                port,
                body=form_body(
                    [
                        ("csrfmiddlewaretoken", reply.captured or ""),
                        *(
                            (f"question_{q}", str(1 + (n * 7 + i) % 6))
                            for i, q in enumerate(questions, start=1)
                        ),
                    ]
                ),
                headers={"Cookie": cookie_header(reply.cookies)},
            )
            for n, reply in enumerate(ready)
        ]
        posts = run_load(port, posts_raw, connections=CONNECTIONS, duration=duration, server=server)
        started = time.perf_counter()
        exported = http_get(port, f"/survey/csv/{survey}/")
        export_s = time.perf_counter() - started
    ok = [r for r in posts.done if _peer_saved(r)]
    db = sqlite3.connect(root / "peer.sqlite3")
    try:
        responses = db.execute("SELECT count(*) FROM survey_response").fetchone()[0]
        answers = db.execute("SELECT count(*) FROM survey_answer").fetchone()[0]
    finally:
        db.close()
    return {
        "get": gets.summary(lambda r: r.status == 200),
        "post": posts.summary(_peer_saved),
        "saved_302": len(ok),
        "rows_responses": responses,
        "rows_answers": answers,
        "lost": (len(ok) - responses) + (len(ok) * ITEMS - answers),
        "export_status": exported.status,
        "export_s": round(export_s, 3),
        "export_responses": responses,
        "export_responses_per_s": round(responses / export_s, 1) if export_s else None,
    }


def _peer_saved(reply: Reply) -> bool:
    return reply.status == 302 and "/confirm/" in (reply.location or "")


def ours(workdir: Path, duration: float, invited: int) -> Figures:
    """Our app with the same 40-item form, the same load; then our CSV export."""
    db_path = workdir / "ours.sqlite3"
    respondents = prepare_likert(db_path, invited, ITEMS)
    figures = product_run("ours-likert40", workdir, db_path, respondents, 1, 0, duration)
    exported = export_csv(db_path, likert_questionnaire(ITEMS), 1, workdir / "ours.csv")
    figures["export_s"] = exported["total_s"]
    figures["export_responses"] = exported["responses"]
    figures["export_responses_per_s"] = round(exported["responses"] / exported["total_s"], 1)
    return figures


def run(quick: bool) -> Figures:
    if quick:
        say("peer comparison: skipped in --quick (it installs Django into a fresh virtualenv)")
        return {"skipped": "--quick"}
    duration = 6.0
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        root = Path(tmp)
        try:
            with_time = time.perf_counter()
            bin_dir = install(root / "venv", root / "pip.log")
            say(
                f"installed {PACKAGE} {VERSION} into a throwaway virtualenv in "
                f"{time.perf_counter() - with_time:.0f} s"
            )
            survey, questions = make_project(root, bin_dir)
            theirs = peer_load(root, bin_dir, survey, questions, duration, 4_000)
        except (PeerUnavailable, RuntimeError, OSError) as exc:
            say(f"peer comparison SKIPPED: {exc}")
            return {"skipped": str(exc)}
        mine = ours(root, duration, 20_000)
    ratio_post = mine["post"]["rate"] / theirs["post"]["rate"] if theirs["post"]["rate"] else None
    ratio_export = mine["export_responses_per_s"] / theirs["export_responses_per_s"]
    ratio_cpu = (
        theirs["post"]["server_cpu_ms_per_request"] / mine["post"]["server_cpu_ms_per_request"]
    )
    say(
        table(
            [
                ["form GET/s", mine["get"]["rate"], theirs["get"]["rate"], ""],
                ["submission POST/s", mine["post"]["rate"], theirs["post"]["rate"], ""],
                ["POST p50 ms", mine["post"]["p50_ms"], theirs["post"]["p50_ms"], ""],
                ["POST p99 ms", mine["post"]["p99_ms"], theirs["post"]["p99_ms"], ""],
                ["POST errors", mine["post"]["errors"], theirs["post"]["errors"], ""],
                [
                    "server CPU ms per POST",
                    mine["post"]["server_cpu_ms_per_request"],
                    theirs["post"]["server_cpu_ms_per_request"],
                    "",
                ],
                ["lost rows", mine["lost"], theirs["lost"], ""],
                ["CSV export responses", mine["export_responses"], theirs["export_responses"], ""],
                ["CSV export s", mine["export_s"], theirs["export_s"], ""],
                [
                    "CSV export responses/s",
                    mine["export_responses_per_s"],
                    theirs["export_responses_per_s"],
                    "guide: peer ~62/s",
                ],
            ],
            ["40-item 1–6 form", "ours", f"{PACKAGE} {VERSION}", ""],
        )
    )
    say(
        f"ours ÷ theirs: submissions {ratio_post:.1f}x (target >= 40x; by server CPU per "
        f"POST {ratio_cpu:.1f}x), CSV export {ratio_export:.1f}x (target >= 100x)"
    )
    return {
        "ours": mine,
        "theirs": theirs,
        "ratio_submissions": round(ratio_post, 1) if ratio_post else None,
        "ratio_export": round(ratio_export, 1),
        "ratio_submissions_cpu": round(ratio_cpu, 1),
    }


if __name__ == "__main__":
    main("peer_django_survey", run)
