"""The workspace's accounts ("Brukere"): list, add, change the role of, disable and enable.

Admins only. Each view calls the operation the matching ``survey user`` command calls
(``operations.accounts``), so a rule (the password policy, a unit leader's units, never
without an enabled admin) holds in both places, and each change is audited there. A
problem with what was typed is shown at its field with the form as it was filled in
(passwords excepted); disabling asks first, on a page of its own, and ends the account's
sessions at once.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.2
from wtforms.validators import DataRequired, EqualTo

from survey.accounts import Account, AccountEntry
from survey.dates import norwegian_moment
from survey.errors import Conflict, InvalidInput
from survey.operations.accounts import (
    account_entry,
    account_problems,
    add_account,
    change_password,
    change_role,
    disable_account,
    enable_account,
    list_accounts,
)
from survey.web.auth import SignOutForm, requires, signed_in
from survey.web.database import get_db
from survey.web.forms import Form

bp = Blueprint("accounts", __name__, url_prefix="/sekretariat/brukere")

ROLE_NAMES = {"admin": "administrator", "analyst": "analytiker", "unit-leader": "enhetsleder"}
ROLE_CHOICES = [
    SelectChoice("analyst", "Analytiker – leser resultatene for alle enheter"),
    SelectChoice("unit-leader", "Enhetsleder – leser og følger opp egne enheter"),
    SelectChoice("admin", "Administrator – kjører runder og styrer brukere"),
]

# What a page says after a change it was redirected to; the query names one of these only,
# so no text from the address is ever shown.
NOTICES = {
    "lagt-til": "Kontoen er lagt til. Gi personen passordet på en trygg måte.",
    "rolle": "Rollen er endret. Den gjelder fra kontoens neste side.",
    "passord": "Passordet er endret, og alle øktene til kontoen er avsluttet.",
    "deaktivert": "Kontoen er deaktivert, og alle øktene til kontoen er avsluttet.",
    "aktivert": "Kontoen er aktivert igjen og kan logge inn med passordet sitt.",
}


class RoleFields(Form):
    role = SelectField(
        "Rolle", choices=ROLE_CHOICES, validate_choice=False
    )  # the operation checks it
    units = TextAreaField(
        "Enheter (bare for enhetsleder)",
        description="Én enhet per linje, skrevet slik den står i invitasjonslisten.",
    )

    def unit_list(self) -> list[str]:
        return (self.units.data or "").splitlines()


class PasswordFields(Form):
    password = PasswordField(
        "Passord",
        description="Minst 12 tegn. Gi det til personen på en trygg måte, ikke i e-post.",
        validators=[DataRequired("Skriv et passord.")],
    )
    repeat = PasswordField(
        "Gjenta passordet",
        validators=[EqualTo("password", "Passordene er ikke like. Skriv det samme to ganger.")],
    )


class NewAccountForm(RoleFields, PasswordFields):
    email = EmailField("E-postadresse", validators=[DataRequired("Skriv e-postadressen.")])


class ActionForm(Form):
    """Only the CSRF token: disabling and enabling are a POST of their own."""


def _page(template: str, status: int = 200, **context: object) -> tuple[str, int]:
    context.update(account=signed_in(), sign_out=SignOutForm(), role_names=ROLE_NAMES)
    return render_template(template, **context), status


def _sent(form: FlaskForm) -> bool:
    """Whether a form was sent (a POST with a valid CSRF token; 400 without one); its
    fields' own checks have run, and their problems are at the fields."""
    if request.method != "POST":
        return False
    form.validate()
    if "csrf_token" in form and form.csrf_token.errors:
        abort(400)
    return True


def _show_at_field(form: FlaskForm, problem: InvalidInput | Conflict, field: str) -> None:
    """Put an operation's refusal where it belongs: at the field it names (or ``field``),
    each of its problems when it has several, unless that field has a problem already."""
    for each in getattr(problem, "problems", None) or [problem]:
        name = getattr(each, "field", None) or field
        if name not in form:
            raise problem
        if not form[name].errors:
            form[name].errors = [each.message_nb]


def _has_errors(form: FlaskForm) -> bool:
    return any(f.errors for f in form)


@bp.route("/")
@requires(Account.may_manage)
def index() -> tuple[str, int]:
    entries = list_accounts(get_db(), signed_in())
    return _page(
        "secretariat/accounts.html",
        entries=entries,
        moment=norwegian_moment,
        notice=NOTICES.get(request.args.get("melding", "")),
    )


@bp.route("/ny", methods=["GET", "POST"])
@requires(Account.may_manage)
def new() -> Response | tuple[str, int]:
    form = NewAccountForm()
    if not _sent(form):
        return _page("secretariat/account_new.html", form=form)
    details = (form.email.data or "", form.password.data or "", form.role.data or "")
    for problem in account_problems(*details, form.unit_list()):  # all of them at once
        _show_at_field(form, problem, "email")
    if not _has_errors(form):
        try:
            account = add_account(get_db(), signed_in(), *details, form.unit_list())
        except (InvalidInput, Conflict) as problem:
            _show_at_field(form, problem, "email")
        else:
            return redirect(url_for("accounts.edit", account_id=account.id, melding="lagt-til"))
    return _page("secretariat/account_new.html", 422, form=form)


def _entry(account_id: int) -> AccountEntry:
    return account_entry(get_db(), signed_in(), account_id)


def _account_page(
    entry: AccountEntry,
    status: int = 200,
    *,
    role_form: RoleFields | None = None,
    password_form: PasswordFields | None = None,
    problem: str | None = None,
) -> tuple[str, int]:
    account = entry.account
    if role_form is None:
        role_form = RoleFields(formdata=None, role=account.role, units="\n".join(account.units))
    return _page(
        "secretariat/account.html",
        status,
        entry=entry,
        role_form=role_form,
        password_form=password_form or PasswordFields(formdata=None),
        action=ActionForm(),
        moment=norwegian_moment,
        notice=NOTICES.get(request.args.get("melding", "")),
        problem=problem,
    )


@bp.route("/<int:account_id>", methods=["GET", "POST"])
@requires(Account.may_manage)
def edit(account_id: int) -> Response | tuple[str, int]:
    """The account's page; its form changes the role and units."""
    entry = _entry(account_id)
    if request.method == "GET":
        return _account_page(entry)
    form = RoleFields()
    if _sent(form) and not _has_errors(form):
        try:
            changed = change_role(
                get_db(), signed_in(), entry.account.email, form.role.data or "", form.unit_list()
            )
        except InvalidInput as problem:
            _show_at_field(form, problem, "role")
        except Conflict as problem:  # the last admin: said at the top, the form as it was
            return _account_page(entry, 409, role_form=form, problem=problem.message_nb)
        else:
            if changed.id == signed_in().id and not changed.may_manage():
                # stepped down: these pages are closed to them from the next request
                return redirect(url_for("secretariat.rounds"))
            return redirect(url_for("accounts.edit", account_id=account_id, melding="rolle"))
    return _account_page(entry, 422, role_form=form)


@bp.route("/<int:account_id>/passord", methods=["POST"])
@requires(Account.may_manage)
def password(account_id: int) -> Response | tuple[str, int]:
    entry = _entry(account_id)
    form = PasswordFields()
    if _sent(form) and not _has_errors(form):
        try:
            change_password(get_db(), signed_in(), entry.account.email, form.password.data or "")
        except InvalidInput as problem:
            _show_at_field(form, problem, "password")
        else:
            return redirect(url_for("accounts.edit", account_id=account_id, melding="passord"))
    return _account_page(entry, 422, password_form=form)


@bp.route("/<int:account_id>/deaktiver", methods=["GET", "POST"])
@requires(Account.may_manage)
def disable(account_id: int) -> Response | tuple[str, int]:
    """Asks first (GET), then disables (POST): the account cannot sign in, and every
    session it has ends at once."""
    entry = _entry(account_id)
    problem = None
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            disable_account(get_db(), signed_in(), entry.account.email)
        except Conflict as refused:
            problem = refused.message_nb
        else:
            return redirect(url_for("accounts.index", melding="deaktivert"))
    return _page(
        "secretariat/account_disable.html",
        409 if problem else 200,
        entry=entry,
        action=ActionForm(),
        problem=problem,
        yourself=entry.account.id == signed_in().id,
    )


@bp.route("/<int:account_id>/aktiver", methods=["POST"])
@requires(Account.may_manage)
def enable(account_id: int) -> Response:
    entry = _entry(account_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    enable_account(get_db(), signed_in(), entry.account.email)
    return redirect(url_for("accounts.edit", account_id=account_id, melding="aktivert"))
