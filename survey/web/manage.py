"""Running a round in the browser: publish a questionnaire, create a round, invite people.

Admins only. Each view does what the matching CLI command does, through the same core and
storage functions, and shows the same problems (the linter's, the invitation list's) so
nothing is possible in one place and refused in the other.
"""

from __future__ import annotations

import csv
import io

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from survey.accounts import Account
from survey.csvfile import CsvProblems, whole_file
from survey.invitations import read_invitation_list
from survey.mail import MailError, mailer_from_config, send_round_mail
from survey.questionnaire import load_text
from survey.questionnaire.model import Questionnaire
from survey.questionnaire.visibility import in_audience
from survey.storage import StorageError
from survey.storage.invitations import add_invitations, invited_emails, list_invitations
from survey.storage.mailings import (
    invitation_statuses,
    mail_template,
    mark_bounced,
    recipients,
    set_mail_template,
)
from survey.storage.questionnaires import publish, questionnaire_of_version
from survey.storage.rounds import DEFAULT_MIN_GROUP_SIZE, create_round, get_round
from survey.storage.users import audit
from survey.web.auth import SignOutForm, current_account, requires
from survey.web.database import get_db

bp = Blueprint("manage", __name__, url_prefix="/sekretariat")


def _admin(account: Account) -> bool:
    return account.may_manage()


def _page(template: str, status: int = 200, **context: object) -> tuple[str, int]:
    context.update(account=current_account(), sign_out=SignOutForm())
    return render_template(template, **context), status


class UploadForm(FlaskForm):
    file = FileField("Fil", validators=[FileRequired("Velg en fil.")])


class RoundForm(FlaskForm):
    questionnaire = SelectField("Spørreskjema (siste publiserte versjon)")
    name = StringField("Navn på runden", validators=[DataRequired("Gi runden et navn.")])
    anonymous = BooleanField("Anonym (én åpen lenke, ingen invitasjoner)")
    min_group_size = IntegerField(
        "Minste gruppestørrelse",
        default=DEFAULT_MIN_GROUP_SIZE,
        validators=[NumberRange(min=3, max=100, message="Velg et tall fra 3 til 100.")],
    )
    closes_on = DateField("Siste svardag", validators=[Optional()])


@bp.route("/sporreskjema", methods=["GET", "POST"])
@requires(_admin)
def upload_questionnaire() -> Response | tuple[str, int]:
    form = UploadForm()
    if not form.validate_on_submit():
        return _page("secretariat/upload.html", form=form, result=None, lines=[])
    upload = form.file.data
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors = ["Filen er ikke UTF-8. Lagre den som UTF-8 og prøv igjen."]
        return _page("secretariat/upload.html", 422, form=form, result=None, lines=[])
    result = load_text(text, upload.filename or "sporreskjema.yaml")
    if result.errors:
        return _page(
            "secretariat/upload.html", 422, form=form, result=result, lines=_annotated(result)
        )
    try:
        version = publish(get_db(), result)
    except StorageError as problem:
        form.file.errors = [str(problem)]
        return _page("secretariat/upload.html", 422, form=form, result=None, lines=[])
    audit(
        get_db(),
        current_account().email,  # type: ignore[union-attr]
        "questionnaire published" if version.created else "questionnaire re-uploaded",
        f"{version.questionnaire_id} version {version.version} ({version.sha256[:12]})",
    )
    return redirect(url_for("manage.preview", version_id=version.id))


def _annotated(result) -> list[tuple[int, str, list]]:
    """Source lines with the problems found on each, for showing them side by side."""
    by_line: dict[int, list] = {}
    for problem in result.problems:
        by_line.setdefault(problem.position.line, []).append(problem)
    return [
        (number, line, by_line.get(number, []))
        for number, line in enumerate(result.text.splitlines(), start=1)
    ]


@bp.route("/sporreskjema/<int:version_id>")
@requires(_admin)
def preview(version_id: int) -> tuple[str, int]:
    try:
        questionnaire = questionnaire_of_version(get_db(), version_id)
    except StorageError:
        abort(404)
    role = request.args.get("rolle") or None
    if role is not None and questionnaire.role(role) is None:
        abort(404)
    return _page(
        "secretariat/preview.html",
        version_id=version_id,
        questionnaire=questionnaire,
        role=role,
        matrix=_who_sees_what(questionnaire),
    )


def _who_sees_what(questionnaire: Questionnaire) -> list[tuple]:
    """Per question: for each role whether its audience includes them, and its condition."""
    rows = []
    for page in questionnaire.pages:
        for question in page.questions:
            seen = [
                in_audience(page.audience, role.code) and in_audience(question.audience, role.code)
                for role in questionnaire.roles
            ]
            condition = question.show_if_source or page.show_if_source
            rows.append((question, seen, condition))
    return rows


@bp.route("/runder/ny", methods=["GET", "POST"])
@requires(_admin)
def new_round() -> Response | tuple[str, int]:
    db = get_db()
    published = db.execute(
        "SELECT questionnaire_id, max(id) FROM questionnaire_versions GROUP BY questionnaire_id"
    ).fetchall()
    form = RoundForm()
    form.questionnaire.choices = [
        SelectChoice(qid, str(questionnaire_of_version(db, version_id).title))
        for qid, version_id in published
    ]
    if not form.validate_on_submit():
        return _page("secretariat/new_round.html", 422 if form.errors else 200, form=form)
    round_ = create_round(
        db,
        form.questionnaire.data or "",
        form.name.data or "",
        anonymous=bool(form.anonymous.data),
        min_group_size=int(form.min_group_size.data or DEFAULT_MIN_GROUP_SIZE),
        closes_on=form.closes_on.data,
    )
    audit(db, current_account().email, "round created", f"round {round_.id}: {round_.name}")  # type: ignore[union-attr]
    return redirect(url_for("manage.invitations", round_id=round_.id))


@bp.route("/runder/<int:round_id>/invitasjoner", methods=["GET", "POST"])
@requires(_admin)
def invitations(round_id: int) -> Response | tuple[str, int]:
    db = get_db()
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    form = UploadForm()
    problems: list = []
    if form.validate_on_submit() and not round_.anonymous:
        upload = form.file.data
        try:
            data = _as_csv(upload.read(), upload.filename or "")
            people = read_invitation_list(
                data,
                [role.code for role in questionnaire.roles],
                existing_emails=invited_emails(db, round_id),
            )
            add_invitations(db, round_id, people)
        except CsvProblems as error:
            problems = error.problems
        else:
            audit(
                db,
                current_account().email,  # type: ignore[union-attr]
                "invitations added",
                f"round {round_id}: {len(people)} people",
            )
            return redirect(url_for("manage.invitations", round_id=round_id))
    status = 422 if problems or form.errors else 200
    statuses = invitation_statuses(db, round_id)
    return _page(
        "secretariat/invitations.html",
        status,
        round=round_,
        form=form,
        problems=problems,
        invitations=list_invitations(db, round_id),
        statuses=statuses,
        waiting={kind: len(recipients(db, round_id, kind)) for kind in KINDS},
        send_form=SendForm(),
        bounce_form=BounceForm(),
        sent=request.args.get("sendt"),
    )


KINDS = ("invitation", "reminder")


class SendForm(FlaskForm):
    """Only the CSRF token: which mail is in the URL."""


@bp.route("/runder/<int:round_id>/send/<any(invitation, reminder):kind>", methods=["POST"])
@requires(_admin)
def send_mail(round_id: int, kind: str) -> Response:
    """Invitations to everyone not yet invited, or reminders to everyone who has not
    answered, from the round's templates; each outcome is recorded as it happens."""
    if not SendForm().validate_on_submit():
        abort(400)
    db = get_db()
    try:
        mailer = mailer_from_config(current_app.config, instance_path=current_app.instance_path)
        result = send_round_mail(db, round_id, kind, current_app.config["BASE_URL"], mailer)
    except (MailError, StorageError) as problem:
        abort(make_response(str(problem), 409))
    audit(
        db,
        current_account().email,  # type: ignore[union-attr]
        f"{kind}s sent",
        f"round {round_id}: {result.sent} sent, {result.failed} failed",
    )
    return redirect(
        url_for("manage.invitations", round_id=round_id, sendt=f"{result.sent}/{result.failed}")
    )


class BounceForm(FlaskForm):
    email = StringField("E-postadresse som kom i retur", validators=[DataRequired()])


@bp.route("/runder/<int:round_id>/retur", methods=["POST"])
@requires(_admin)
def bounced(round_id: int) -> Response:
    """Record a returned invitation (read from the sender's mailbox): no reminders to it,
    and its status says so, so the secretariat can find a better address."""
    form = BounceForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_db()
    try:
        mark_bounced(db, form.email.data or "", round_id)
    except StorageError as problem:
        abort(make_response(str(problem), 409))
    audit(db, current_account().email, "bounce recorded", f"round {round_id}")  # type: ignore[union-attr]
    return redirect(url_for("manage.invitations", round_id=round_id))


class TemplateForm(FlaskForm):
    subject = StringField("Emne", validators=[DataRequired("Skriv et emne.")])
    body = TextAreaField("Tekst", validators=[DataRequired("Skriv teksten i e-posten.")])


@bp.route("/runder/<int:round_id>/epost/<any(invitation, reminder):kind>", methods=["GET", "POST"])
@requires(_admin)
def mail_text(round_id: int, kind: str) -> Response | tuple[str, int]:
    """The round's own invitation or reminder text; refused unless it renders and holds
    the personal link ({{ link }})."""
    db = get_db()
    round_ = get_round(db, round_id)
    form = TemplateForm()
    problem = None
    if form.validate_on_submit():
        try:
            set_mail_template(db, round_id, kind, form.subject.data or "", form.body.data or "")
        except StorageError as error:
            problem = str(error)
        else:
            audit(db, current_account().email, f"{kind} text changed", f"round {round_id}")  # type: ignore[union-attr]
            return redirect(url_for("manage.invitations", round_id=round_id))
    elif request.method == "GET":
        form.subject.data, form.body.data = mail_template(db, round_id, kind)
    status = 422 if problem or form.errors else 200
    return _page(
        "secretariat/mail_text.html", status, round=round_, kind=kind, form=form, problem=problem
    )


def _as_csv(data: bytes, filename: str) -> bytes:
    """An .xlsx sheet as the CSV the invitation reader takes: the first sheet, row by row,
    so its row numbers are the ones Excel shows."""
    if not filename.lower().endswith(".xlsx"):
        return data
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a file that is not xlsx
        raise whole_file(f"the file could not be read as an Excel workbook ({error})") from error
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(["" if cell is None else str(cell) for cell in row])
    return out.getvalue().encode("utf-8")
