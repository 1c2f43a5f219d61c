"""Sign-in for the secretariat, and the one place that decides who may open a page.

The session cookie (signed by Flask, HttpOnly, SameSite=Lax, Secure behind HTTPS) holds only
a random session id; the session itself lives in the database (``operations.accounts``), so
signing out, a password change or disabling the account ends it on the server, and a copy
of the cookie opens nothing afterwards. It also ends after ``SESSION_IDLE_MINUTES`` without
a request and ``SESSION_MAX_HOURS`` after sign-in. The account is read with the session on
every request, so a changed role takes effect at once. Every secretariat view is wrapped in
``requires``: not signed in sends to the sign-in page, signed in without the permission is
a 403, decided on the server whatever the URL says.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from survey.accounts import Account
from survey.operations.accounts import session_account, sign_in
from survey.operations.accounts import sign_out as end_session
from survey.storage.users import SignInRefused
from survey.web.database import get_db
from survey.web.forms import Form

SESSION_KEY = "secretariat_session"  # the key in Flask's cookie that holds the session id

bp = Blueprint("auth", __name__)


class SignInForm(Form):
    email = EmailField("E-postadresse", validators=[DataRequired("Skriv e-postadressen din.")])
    password = PasswordField("Passord", validators=[DataRequired("Skriv passordet ditt.")])


class SignOutForm(Form):
    """Only the CSRF token: signing out is a POST so no link can do it."""


def _now() -> datetime:
    """The time sessions are judged by: the real clock, unless a test has put another in
    ``app.extensions["survey_clock"]`` (so expiry is tested by moving it, not by sleeping)."""
    clock = current_app.extensions.get("survey_clock")
    return clock() if clock else datetime.now(UTC)


def _idle() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def _lifetime() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_MAX_HOURS"])


def current_account() -> Account | None:
    if "account" not in g:
        session_id = session.get(SESSION_KEY)
        account = None
        if isinstance(session_id, str):
            account = session_account(
                get_db(), session_id, idle=_idle(), lifetime=_lifetime(), now=_now()
            )
            if account is None:
                session.pop(SESSION_KEY)  # ended or run out: the cookie forgets it too
        g.account = account
    return g.account


def signed_in() -> Account:
    """The signed-in account, inside a view that ``requires`` one."""
    account = current_account()
    assert account is not None, "only inside a view wrapped by requires()"
    return account


def requires(permission: Callable[[Account], bool]) -> Callable:
    """Wrap a view: sign-in first, then ``permission(account)`` or 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            account = current_account()
            if account is None:
                return redirect(url_for("auth.sign_in_page", neste=_come_back_to()))
            if not permission(account):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


MAX_NEXT = 2000  # characters of the page to come back to after signing in


def _come_back_to() -> str:
    """The page to return to after signing in. Its query is dropped when it is long: it goes
    into the redirect's Location header twice over (quoted), and a proxy refuses a header
    of more than a few kilobytes (nginx answers 502), so the sign-in page would never show."""
    if len(request.full_path) <= MAX_NEXT:
        return request.full_path
    return request.path[:MAX_NEXT]


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would make our sign-in page a phishing aid."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("secretariat.rounds")


@bp.route("/logg-inn", methods=["GET", "POST"])
def sign_in_page() -> ResponseReturnValue:
    form = SignInForm()
    problem = None
    if form.validate_on_submit():
        try:
            started = sign_in(
                get_db(),
                form.email.data or "",
                form.password.data or "",
                idle=_idle(),
                lifetime=_lifetime(),
                now=_now(),
            )
        except SignInRefused as refused:
            problem = (
                "For mange feil forsøk. Kontoen er låst i 15 minutter."
                if refused.locked
                else "Feil e-postadresse eller passord."
            )
        else:
            session.clear()  # a fresh session: no fixation of one set before sign-in
            session[SESSION_KEY] = started.session_id
            return redirect(_safe_next(request.args.get("neste")))
    status = 401 if problem else 200
    return render_template("secretariat/sign_in.html", form=form, problem=problem), status


@bp.route("/logg-ut", methods=["POST"])
def sign_out() -> Response:
    if SignOutForm().validate_on_submit():
        session_id = session.get(SESSION_KEY)
        if isinstance(session_id, str):
            end_session(get_db(), session_id)  # on the server: a copied cookie is dead too
        session.clear()
    return redirect(url_for("auth.sign_in_page"))
