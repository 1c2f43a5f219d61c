"""The validation-only ceiling: a tiny Flask app that does what a submission must do at the
least — check the CSRF token against the session and read and check every field with the
product's own functions — and nothing else: no database, no templates, no visit lookup.

Served under the same gunicorn settings as the product, its rate is the most our app could
reach on this machine, so "ours ÷ ceiling" says how much the database, the respondent
lookup and the page machinery cost. ``trivial`` is the floor of the floor: a WSGI callable
that answers "ok", which measures gunicorn plus the load generator themselves; ``bare``
is the guide's "Flask form POST that only validates 40 fields" at its lightest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from benchlib import likert_questionnaire
from flask import Flask, redirect, request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from survey.questionnaire.answers import check_answers
from survey.web.pages import read_page


class CsrfForm(FlaskForm):
    """Only the CSRF token, exactly like the product's form."""


def create_app(items: int = 40) -> Flask:
    """GET /form hands out a CSRF token and session cookie; POST /form validates."""
    app = Flask("ceiling")
    app.config.update(
        SECRET_KEY=os.environ.get("SURVEY_SECRET_KEY", "ceiling"),
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    questionnaire = likert_questionnaire(items)
    questions = list(questionnaire.questions)

    @app.get("/form")
    def form() -> str:
        token = CsrfForm().csrf_token.current_token
        return f'<form method="post"><input name="csrf_token" type="hidden" value="{token}">'

    @app.post("/form")
    def submit() -> Response | tuple[str, int]:
        if not CsrfForm().validate():
            return "csrf", 400
        page = read_page(questions, request.form)
        errors = page.errors + check_answers(questionnaire, None, page.answers, questions)
        if errors:
            return f"{len(errors)} errors", 422
        return redirect("/done")

    return app


def bare(items: int = 40) -> Flask:
    """The issue's guide workload at its lightest: a Flask POST that reads 40 Likert fields
    and checks each is a scale point or "vet ikke", with no session, no CSRF token and
    none of the product's code. Its rate against the guide's ~2,900/s says how this
    machine compares with the one the guide figures were seen on."""
    app = Flask("bare")
    fields = [f"s{n:02d}" for n in range(1, items + 1)]
    allowed = frozenset(("1", "2", "3", "4", "5", "6", "vet_ikke"))

    @app.post("/form")
    def submit() -> Response | tuple[str, int]:
        wrong = sum(request.form.get(name) not in allowed for name in fields)
        return (f"{wrong} errors", 422) if wrong else redirect("/done")

    return app


def trivial(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A bare WSGI app: the ceiling of gunicorn and the load generator together."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
