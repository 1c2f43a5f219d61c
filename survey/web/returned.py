"""Returned forms in the workspace: import a file of them, and choose between a person's
web answers and their paper form when both came in.

Admins only. The views call the operations the CLI calls (``operations.responses``,
``operations.channels``), so the file is checked by the same rules and the summary says
the same as ``survey import-responses``, in bokmål.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import BooleanField, HiddenField

from survey.accounts import Account
from survey.csvfile import MAX_BYTES, CsvProblems
from survey.operations.channels import CHOICES, choose_response, conflict
from survey.operations.responses import import_responses
from survey.storage.rounds import get_round
from survey.web.auth import SignOutForm, current_account, requires, signed_in
from survey.web.database import get_db
from survey.web.forms import Form

bp = Blueprint("returned", __name__, url_prefix="/sekretariat")

CHANNELS_NB = {"web": "nett", "paper": "papir (skrevet inn)", "import": "papir (importert fil)"}


@bp.before_request
def _room_for_files() -> None:
    if request.endpoint == "returned.import_page":  # as large as on the command line
        request.max_content_length = MAX_BYTES + 64 * 1024


class ImportForm(Form):
    file = FileField("Fil", validators=[FileRequired("Velg en fil.")])
    strict = BooleanField(
        "Streng kontroll: avvis filen hvis et obligatorisk spørsmål står ubesvart eller et "
        "spørsmål skjemaet sa hopp over er besvart (som nettskjemaet)"
    )


class ChooseForm(Form):
    keep = HiddenField()


def _page(template: str, status: int = 200, **context: object) -> tuple[str, int]:
    context.update(account=current_account(), sign_out=SignOutForm(), channels=CHANNELS_NB)
    return render_template(template, **context), status


@bp.route("/runder/<int:round_id>/import", methods=["GET", "POST"])
@requires(Account.may_manage)
def import_page(round_id: int) -> tuple[str, int]:
    db = get_db()
    round_ = get_round(db, round_id)
    form = ImportForm()
    problems: list = []
    summary = None
    if form.validate_on_submit():
        try:
            summary = import_responses(
                db, signed_in(), round_id, form.file.data.read(), strict=form.strict.data
            )
        except CsvProblems as error:
            problems = error.problems
    status = 422 if problems or form.errors else 200
    return _page(
        "secretariat/import.html", status, round=round_, form=form, problems=problems,
        summary=summary,
    )  # fmt: skip


@bp.route("/runder/<int:round_id>/valg/<int:conflict_id>", methods=["POST"])
@requires(Account.may_manage)
def choose(round_id: int, conflict_id: int) -> Response | tuple[str, int]:
    """Asks first (what each choice keeps), then decides which of the two responses
    counts. The one not chosen is kept, never shown to the respondent."""
    form = ChooseForm()
    if not form.validate_on_submit() or form.keep.data not in CHOICES:
        abort(400)
    db = get_db()
    found = conflict(db, signed_in(), round_id, conflict_id)
    if request.form.get("bekreft") != "ja":
        return _page(
            "secretariat/choose_response.html",
            round=get_round(db, round_id),
            conflict=found,
            keep=form.keep.data,
            form=ChooseForm(formdata=None),
        )
    choose_response(db, signed_in(), round_id, conflict_id, form.keep.data)
    return redirect(url_for("secretariat.round_overview", round_id=round_id, valgt=1) + "#valg")
