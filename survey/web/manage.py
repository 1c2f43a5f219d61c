"""Running a round in the browser: publish a questionnaire, create a round, invite people.

Admins only. Each view calls the operation the matching CLI command calls
(``survey.operations``) and shows the same problems (the linter's, the invitation list's),
so nothing is possible in one place and refused in the other. Errors other than a form's
own problems go to the one handler in ``web.errors``.
"""

from __future__ import annotations

import time
from datetime import date
from functools import singledispatch

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
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
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.2
from wtforms.validators import DataRequired, InputRequired, Optional

from survey.accounts import Account
from survey.addresses import open_link
from survey.csvfile import MAX_BYTES, CsvProblems
from survey.dates import norwegian_moment
from survey.errors import Conflict, InvalidInput
from survey.mail import KINDS, mailer_from_config
from survey.operations import mail as mailing
from survey.operations.access_codes import MAX_CODES, code_counts, create_codes
from survey.operations.double_entry import set_double_entry
from survey.operations.invitations import invite
from survey.operations.paper_forms import (
    MAX_RETURN_ADDRESS,
    round_form,
    set_return_address,
    version_form,
)
from survey.operations.questionnaires import publish_questionnaire
from survey.operations.rounds import MIN_GROUP_SIZE_RANGE, change_settings, create_round
from survey.questionnaire import load_text
from survey.questionnaire.model import (
    ChoiceQuestion,
    LikertMatrixQuestion,
    Question,
    Questionnaire,
    Text,
)
from survey.questionnaire.visibility import in_audience
from survey.storage.invitations import list_invitations
from survey.storage.jobs import Job, get_job
from survey.storage.keyings import double_entry
from survey.storage.mailings import invitation_statuses, last_sent
from survey.storage.questionnaires import latest_versions, questionnaire_of_version
from survey.storage.return_codes import return_address
from survey.storage.rounds import DEFAULT_MIN_GROUP_SIZE, get_round
from survey.storage.store import Store
from survey.web.auth import SignOutForm, current_account, requires, signed_in
from survey.web.database import get_db
from survey.web.forms import Form
from survey.web.pages import annotated
from survey.web.reachability import check_reach
from survey.workers import local as local_workers

bp = Blueprint("manage", __name__, url_prefix="/sekretariat")

# An invitation list may be as large on the web as on the command line (csvfile.MAX_BYTES);
# every other request keeps the app's small limit. The form's own fields need a little more.
LIST_UPLOAD_LIMIT = MAX_BYTES + 64 * 1024


@bp.before_request
def _room_for_invitation_lists() -> None:
    if request.endpoint == "manage.invitations":
        request.max_content_length = LIST_UPLOAD_LIMIT


def _page(template: str, status: int = 200, **context: object) -> tuple[str, int]:
    context.update(account=current_account(), sign_out=SignOutForm())
    return render_template(template, **context), status


class UploadForm(Form):
    file = FileField("Fil", validators=[FileRequired("Velg en fil.")])


class WholeNumberField(IntegerField):
    """An integer field whose complaint is in bokmål, like the rest of the page."""

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Skriv et helt tall.") from None


class DayField(DateField):
    """A date field whose complaint is in bokmål (browsers without a date picker send what
    was typed)."""

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Skriv datoen som år-måned-dag, for eksempel 2027-01-31.") from None


class RoundForm(Form):
    questionnaire = SelectField("Spørreskjema (siste publiserte versjon)")
    name = StringField("Navn på runden", validators=[DataRequired("Gi runden et navn.")])
    anonymous = BooleanField("Anonym (ingen invitasjoner med navn; hver svarer med en engangskode)")
    open_link = BooleanField(
        "Åpen lenke i stedet for engangskoder (alle med lenken kan svare, så ofte de vil)"
    )
    min_group_size = WholeNumberField(
        "Minste gruppestørrelse",
        default=DEFAULT_MIN_GROUP_SIZE,
        # the range is the operation's rule (operations.rounds); the browser only hints it
        render_kw={"min": MIN_GROUP_SIZE_RANGE[0], "max": MIN_GROUP_SIZE_RANGE[1]},
    )
    closes_on = DayField("Siste svardag", validators=[Optional()])


class SettingsForm(Form):
    name = StringField("Navn på runden", validators=[DataRequired("Gi runden et navn.")])
    closes_on = DayField("Siste svardag", validators=[Optional()])
    min_group_size = WholeNumberField(
        "Minste gruppestørrelse",
        validators=[InputRequired("Skriv minste gruppestørrelse.")],
        render_kw={"min": MIN_GROUP_SIZE_RANGE[0], "max": MIN_GROUP_SIZE_RANGE[1]},
    )
    return_address = TextAreaField(
        "Returadresse for papirskjema",
        validators=[Optional()],
        render_kw={"rows": 4, "maxlength": MAX_RETURN_ADDRESS},
    )
    double_entry = BooleanField("Dobbel innskriving av papirskjemaer")


@bp.route("/sporreskjema", methods=["GET", "POST"])
@requires(Account.may_manage)
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
            "secretariat/upload.html", 422, form=form, result=result, lines=annotated(result)
        )
    try:
        version = publish_questionnaire(get_db(), signed_in(), result)
    except Conflict as problem:
        form.file.errors = [problem.message_nb]
        return _page("secretariat/upload.html", 409, form=form, result=None, lines=[])
    return redirect(url_for("manage.preview", version_id=version.id))


@bp.route("/sporreskjema/<int:version_id>")
@requires(Account.may_manage)
def preview(version_id: int) -> tuple[str, int]:
    questionnaire = questionnaire_of_version(get_db(), version_id)
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
    """Per question: for each role whether its audience includes them, its condition and
    what the outline lists under it."""
    rows = []
    for page in questionnaire.pages:
        for question in page.questions:
            seen = [
                in_audience(page.audience, role.code) and in_audience(question.audience, role.code)
                for role in questionnaire.roles
            ]
            condition = question.show_if_source or page.show_if_source
            rows.append((question, seen, condition, _listed(question)))
    return rows


@singledispatch
def _listed(question: Question) -> tuple[Text, ...]:
    """The lines the preview's outline shows under a question: none for most."""
    return ()


@_listed.register
def _(question: LikertMatrixQuestion) -> tuple[Text, ...]:
    return tuple(item.text for item in question.statements)


@_listed.register
def _(question: ChoiceQuestion) -> tuple[Text, ...]:
    return tuple(choice.label for choice in question.choices)


@bp.route("/runder/ny", methods=["GET", "POST"])
@requires(Account.may_manage)
def new_round() -> Response | tuple[str, int]:
    db = get_db()
    form = RoundForm()
    published = {
        version.questionnaire_id: str(questionnaire_of_version(db, version.id).title)
        for version in latest_versions(db)
    }
    form.questionnaire.choices = [SelectChoice(qid, title) for qid, title in published.items()]
    asked = request.args.get("skjema")  # from a questionnaire's preview: that one chosen
    if request.method == "GET" and asked in published:
        form.questionnaire.data = asked
    if not form.validate_on_submit():
        return _page("secretariat/new_round.html", 422 if form.errors else 200, form=form)
    try:
        round_ = create_round(
            db,
            signed_in(),
            form.questionnaire.data or "",
            form.name.data or "",
            anonymous=bool(form.anonymous.data),
            open_link=bool(form.open_link.data),
            min_group_size=DEFAULT_MIN_GROUP_SIZE
            if form.min_group_size.data is None
            else form.min_group_size.data,
            closes_on=form.closes_on.data,
        )
    except InvalidInput as problem:
        if problem.field not in form:
            raise
        form[problem.field].errors = [problem.message_nb]
        return _page("secretariat/new_round.html", 422, form=form)
    return redirect(url_for("manage.invitations", round_id=round_.id))


@bp.route("/runder/<int:round_id>/innstillinger", methods=["GET", "POST"])
@requires(Account.may_manage)
def settings(round_id: int) -> Response | tuple[str, int]:
    """The round's name, closing date and minimum group size, changed while that is safe
    (the rules are ``operations.rounds.change_settings``'s)."""
    db = get_db()
    round_ = get_round(db, round_id)
    form = SettingsForm(
        data={
            "name": round_.name,
            "closes_on": date.fromisoformat(round_.closes_on) if round_.closes_on else None,
            "min_group_size": round_.min_group_size,
            "return_address": return_address(db, round_id) or "",
            "double_entry": double_entry(db, round_id),
        }
    )
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return _page("secretariat/settings.html", status, form=form, round=round_)
    try:
        change_settings(
            db,
            signed_in(),
            round_id,
            name=form.name.data or "",
            closes_on=form.closes_on.data,
            min_group_size=form.min_group_size.data or 0,
        )
        set_return_address(db, signed_in(), round_id, form.return_address.data or "")
        set_double_entry(db, signed_in(), round_id, bool(form.double_entry.data))
    except InvalidInput as problem:
        if problem.field not in form:
            raise
        form[problem.field].errors = [problem.message_nb]
        return _page("secretariat/settings.html", 422, form=form, round=round_)
    return redirect(url_for("secretariat.round_overview", round_id=round_id, lagret=1))


@bp.route("/sporreskjema/<int:version_id>/papirskjema.pdf")
@requires(Account.may_manage)
def version_paper_form(version_id: int) -> Response:
    """The questionnaire version as a blank paper form (``survey paper-form``'s PDF)."""
    name = f"papirskjema-{questionnaire_of_version(get_db(), version_id).id}.pdf"
    return _pdf(version_form(get_db(), signed_in(), version_id), name)


@bp.route("/runder/<int:round_id>/papirskjema.pdf")
@requires(Account.may_manage)
def round_paper_form(round_id: int) -> Response:
    """The round's blank paper form, with its return address."""
    return _pdf(round_form(get_db(), signed_in(), round_id), f"papirskjema-runde-{round_id}.pdf")


def _pdf(data: bytes, name: str) -> Response:
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/runder/<int:round_id>/invitasjoner", methods=["GET", "POST"])
@requires(Account.may_manage)
def invitations(round_id: int) -> Response | tuple[str, int]:
    db = get_db()
    form = UploadForm()
    problems: list = []
    if form.validate_on_submit():
        try:
            invite(db, signed_in(), round_id, form.file.data.read())
        except CsvProblems as error:
            problems = error.problems
        else:
            return redirect(url_for("manage.invitations", round_id=round_id))
    status = 422 if problems or form.errors else 200
    return _invitations_page(round_id, status, form=form, problems=problems)


def _invitations_page(
    round_id: int,
    status: int,
    *,
    form: UploadForm | None = None,
    problems: list | None = None,
    codes_form: CodesForm | None = None,
) -> tuple[str, int]:
    db = get_db()
    round_ = get_round(db, round_id)
    base_url = current_app.config["BASE_URL"]
    return _page(
        "secretariat/invitations.html",
        status,
        round=round_,
        form=form or UploadForm(formdata=None),
        problems=problems or [],
        invitations=list_invitations(db, round_id),
        statuses=invitation_statuses(db, round_id),
        waiting={kind: len(mailing.waiting(db, round_id, kind)) for kind in KINDS},
        last_sent={kind: _last_sent(db, round_id, kind) for kind in KINDS},
        reminder_pause=int(mailing.REMINDER_PAUSE.total_seconds() // 3600),
        send_form=SendForm(),
        bounce_form=BounceForm(),
        sent=request.args.get("sendt"),
        sending=_mail_job(db, round_id),
        codes=code_counts(db, signed_in(), round_id) if round_.uses_codes else None,
        codes_form=codes_form or CodesForm(formdata=None),
        open_link=open_link(base_url, round_.open_token) if round_.open_token else None,
    )


def _last_sent(db: Store, round_id: int, kind: str) -> tuple[str, int] | None:
    sent = last_sent(db, round_id, kind)
    return (norwegian_moment(sent[0]), sent[1]) if sent else None


class CodesForm(Form):
    count = WholeNumberField(
        "Antall koder",
        default=100,
        validators=[InputRequired("Skriv hvor mange koder du vil lage.")],
        render_kw={"min": 1, "max": MAX_CODES},
    )


@bp.route("/runder/<int:round_id>/koder", methods=["POST"])
@requires(Account.may_manage)
def make_codes(round_id: int) -> tuple[str, int]:
    """New one-time codes, shown once on a page made for printing (only their digests
    are kept)."""
    form = CodesForm()
    if not form.validate_on_submit():
        return _invitations_page(round_id, 422, codes_form=form)
    try:
        codes = create_codes(get_db(), signed_in(), round_id, form.count.data or 0)
    except InvalidInput as problem:
        if problem.field != "count":
            raise
        form.count.errors = [problem.message_nb]
        return _invitations_page(round_id, 422, codes_form=form)
    return _page(
        "secretariat/codes.html",
        200,
        round=get_round(get_db(), round_id),
        codes=codes,
        answer_at=f"{current_app.config['BASE_URL']}{url_for('respond.code')}",
    )


class SendForm(Form):
    """Only the CSRF token: which mail is in the URL."""


@bp.route("/runder/<int:round_id>/send/<any(invitation, reminder):kind>", methods=["POST"])
@requires(Account.may_manage)
def send_mail(round_id: int, kind: str) -> Response | tuple[str, int]:
    """Invitations to everyone not yet invited, or reminders to everyone who has not
    answered, from the round's templates; each outcome is recorded as it happens. Asks
    first, on a page that says how many get what and where their links lead; a BASE_URL
    that does not lead to this installation stops everything (``reachability``)."""
    if not SendForm().validate_on_submit():
        abort(400)
    reach = check_reach()
    if request.form.get("bekreft") != "ja" or not reach.ok:
        db = get_db()
        round_ = get_round(db, round_id)
        return _page(
            "secretariat/confirm_send.html",
            200 if reach.ok else 409,
            round=round_,
            kind=kind,
            count=len(mailing.waiting(db, round_id, kind)),
            sender=current_app.config.get("MAIL_SENDER"),
            reach=reach,
            send_form=SendForm(),
        )
    mailer_from_config(current_app.config, instance_path=current_app.instance_path)  # settings
    db = get_db()
    job = mailing.order_mail(db, signed_in(), round_id, kind, current_app.config["BASE_URL"])
    local_workers.kick(current_app.config, current_app.instance_path)
    job = _finished(db, job.id, MAIL_WAIT)
    if job.state == "done":  # a small batch: as if it had been sent in this request
        return redirect(url_for("manage.invitations", round_id=round_id, sendt=job.result))
    return redirect(url_for("manage.invitations", round_id=round_id, utsending=job.id))


MAIL_WAIT = 4.0
"""Seconds the send page waits for its batch before showing its progress instead: a
round's few dozen mails are done by then; thousands are not, and no request waits for
them."""


def _finished(db: Store, job_id: int, seconds: float) -> Job:
    deadline = time.monotonic() + seconds
    while True:
        job = get_job(db, job_id)
        assert job is not None
        if job.state in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def _mail_job(db: Store, round_id: int) -> Job | None:
    """The mail batch the invitations page was sent to follow (``utsending``), if it is
    this round's."""
    asked = request.args.get("utsending", "")[:20]
    job = get_job(db, int(asked)) if asked.isdigit() else None
    if job is None or job.kind != mailing.MAIL_JOB or job.payload.get("round_id") != round_id:
        return None
    return job


class BounceForm(Form):
    email = StringField("E-postadresse som kom i retur", validators=[DataRequired()])


@bp.route("/runder/<int:round_id>/retur", methods=["POST"])
@requires(Account.may_manage)
def bounced(round_id: int) -> Response:
    """Record a returned invitation (read from the sender's mailbox): no reminders to it,
    and its status says so, so the secretariat can find a better address."""
    get_round(get_db(), round_id)
    form = BounceForm()
    if not form.validate_on_submit():
        abort(400)
    mailing.record_bounce(get_db(), signed_in(), round_id, form.email.data or "")
    return redirect(url_for("manage.invitations", round_id=round_id))


class TemplateForm(Form):
    subject = StringField("Emne", validators=[DataRequired("Skriv et emne.")])
    body = TextAreaField("Tekst", validators=[DataRequired("Skriv teksten i e-posten.")])


@bp.route("/runder/<int:round_id>/epost/<any(invitation, reminder):kind>", methods=["GET", "POST"])
@requires(Account.may_manage)
def mail_text(round_id: int, kind: str) -> Response | tuple[str, int]:
    """The round's own invitation or reminder text; refused unless it renders and holds
    the personal link ({{ link }})."""
    db = get_db()
    round_ = get_round(db, round_id)
    form = TemplateForm()
    problem = None
    if form.validate_on_submit():
        try:
            mailing.set_mail_text(
                db, signed_in(), round_id, kind, form.subject.data or "", form.body.data or ""
            )
        except InvalidInput as error:
            problem = error.message_nb
        else:
            return redirect(url_for("manage.invitations", round_id=round_id))
    elif request.method == "GET":
        form.subject.data, form.body.data = mailing.mail_text(db, signed_in(), round_id, kind)
    status = 422 if problem or form.errors else 200
    return _page(
        "secretariat/mail_text.html", status, round=round_, kind=kind, form=form, problem=problem
    )
