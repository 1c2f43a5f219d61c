"""Fast data entry: the secretariat types in a returned paper form by keyboard alone.

One page per round: the return code first (an anonymous round: the fields written in by
hand), then one short input per answer in the paper form's order and numbering, where the
scale point or option number is typed (``questionnaire.keying``). Saving stores the form
through ``operations.data_entry`` (the import's rules and store, channel ``paper``) and
shows an empty form for the next one; a refused form comes back with everything typed
kept and an error summary naming each question. Under double entry a first keying is held
and the page says so; a second keying that differs leads to the resolve page, where each
difference is settled by the first keying, the second, or a value typed in anew
(``operations.double_entry``). Admins only, like the import page.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from survey.accounts import Account
from survey.errors import Conflict, InvalidInput, NotFound
from survey.operations.data_entry import FormProblems, enter_form, entry_sheet
from survey.operations.double_entry import differences, resolve
from survey.questionnaire.keying import KEY_LENGTH
from survey.web.auth import SignOutForm, current_account, requires, signed_in
from survey.web.database import get_db
from survey.web.forms import Form

bp = Blueprint("entry", __name__, url_prefix="/sekretariat")

CODE_FIELD = "return_code"
SAVED = {"1": "lagret", "2": "holdt", "3": "første", "4": "avgjort"}
CHOICE = "valg-"  # a difference's radio buttons: "1" first keying, "2" second, "ny" typed anew
RETYPED = "ny-"  # a difference's value typed in anew


class EntryForm(Form):
    """The CSRF token; the page's inputs are the questionnaire's, read from the request."""


@bp.route("/runder/<int:round_id>/skjema", methods=["GET", "POST"])
@requires(Account.may_manage)
def entry_page(round_id: int) -> Response | tuple[str, int]:
    db = get_db()
    sheet = entry_sheet(db, signed_in(), round_id)
    form = EntryForm()
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        limits = {f.name: f.max_length for f in sheet.fields}
        limits |= {h.name: 200 for h in sheet.header} | {CODE_FIELD: KEY_LENGTH}
        typed = {name: request.form.get(name, "")[: limits[name] + 1] for name in limits}
        try:
            entered = enter_form(db, signed_in(), round_id, typed, code=typed[CODE_FIELD])
        except FormProblems as problems:
            errors = problems.by_field
        except (InvalidInput, NotFound, Conflict) as error:
            errors = {CODE_FIELD: error.message_nb}
        else:
            if entered.outcome == "differs":
                return redirect(
                    url_for("entry.resolve_page", round_id=round_id, keying_id=entered.keying_id)
                )
            held = entered.summary is not None and entered.summary.held
            saved = "3" if entered.outcome == "first" else "2" if held else "1"
            return redirect(url_for("entry.entry_page", round_id=round_id, lagret=saved))
    labels = {f.name: f"Spørsmål {f.number}: {f.label}" for f in sheet.fields}
    labels |= {h.name: h.label for h in sheet.header} | {CODE_FIELD: "Returkode"}
    summary_lines = [(name, labels.get(name, name), message) for name, message in errors.items()]
    page = render_template(
        "secretariat/data_entry.html",
        account=current_account(),
        sign_out=SignOutForm(),
        form=form,
        sheet=sheet,
        typed=typed,
        errors=errors,
        summary=summary_lines,
        saved=SAVED.get(request.args.get("lagret", "")) if request.method == "GET" else None,
        code_field=CODE_FIELD,
    )
    return page, 422 if errors else 200


@bp.route("/runder/<int:round_id>/skjema/forskjeller/<int:keying_id>", methods=["GET", "POST"])
@requires(Account.may_manage)
def resolve_page(round_id: int, keying_id: int) -> Response | tuple[str, int]:
    """A form keyed twice, differently: each difference side by side, to settle."""
    db = get_db()
    found = differences(db, signed_in(), round_id, keying_id)
    form = EntryForm()
    picked: dict[str, str] = {}
    retyped: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        chosen: dict[str, str] = {}
        for d in found.differences:
            name, limit = d.field.name, d.field.max_length
            picked[name] = request.form.get(CHOICE + name, "")[:2]
            retyped[name] = request.form.get(RETYPED + name, "")[: limit + 1]
            if picked[name] == "1":
                chosen[name] = d.first
            elif picked[name] == "2":
                chosen[name] = d.second
            elif picked[name] == "ny" or retyped[name].strip():
                picked[name] = "ny"
                chosen[name] = retyped[name]
        try:
            resolve(db, signed_in(), round_id, keying_id, chosen)
        except FormProblems as problems:
            errors = problems.by_field
        else:
            return redirect(url_for("entry.entry_page", round_id=round_id, lagret="4"))
    labels = {f.name: f"Spørsmål {f.number}: {f.label}" for f in found.sheet.fields}
    summary_lines = [(name, labels.get(name, name), message) for name, message in errors.items()]
    page = render_template(
        "secretariat/resolve_keyings.html",
        account=current_account(),
        sign_out=SignOutForm(),
        form=form,
        found=found,
        picked=picked,
        retyped=retyped,
        errors=errors,
        summary=summary_lines,
        choice=CHOICE,
        retype=RETYPED,
    )
    return page, 422 if errors else 200
