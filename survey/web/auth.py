"""Sign-in for the secretariat, and the one place that decides who may open a page.

The session cookie holds only the account id (signed by Flask, HttpOnly, SameSite=Lax,
Secure behind HTTPS); the account is read from the database on every request, so a removed
account or a changed role takes effect at once. Every secretariat view is wrapped in
``requires``: not signed in sends to the sign-in page, signed in without the permission is
a 403, decided on the server whatever the URL says.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from survey.accounts import Account
from survey.storage.users import SignInRefused, get_account, sign_in
from survey.web.database import get_db

bp = Blueprint("auth", __name__)


class SignInForm(FlaskForm):
    email = EmailField("E-postadresse", validators=[DataRequired("Skriv e-postadressen din.")])
    password = PasswordField("Passord", validators=[DataRequired("Skriv passordet ditt.")])


class SignOutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST so no link can do it."""


def current_account() -> Account | None:
    if "account" not in g:
        account_id = session.get("account")
        g.account = get_account(get_db(), account_id) if isinstance(account_id, int) else None
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
                return redirect(url_for("auth.sign_in_page", neste=request.full_path))
            if not permission(account):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


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
            account = sign_in(get_db(), form.email.data or "", form.password.data or "")
        except SignInRefused as refused:
            problem = (
                "For mange feil forsøk. Kontoen er låst i 15 minutter."
                if refused.locked
                else "Feil e-postadresse eller passord."
            )
        else:
            session.clear()  # a fresh session: no fixation of one set before sign-in
            session["account"] = account.id
            return redirect(_safe_next(request.args.get("neste")))
    status = 401 if problem else 200
    return render_template("secretariat/sign_in.html", form=form, problem=problem), status


@bp.route("/logg-ut", methods=["POST"])
def sign_out() -> Response:
    if SignOutForm().validate_on_submit():
        session.clear()
    return redirect(url_for("auth.sign_in_page"))
