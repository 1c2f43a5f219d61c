"""The secretariat's workspace: rounds, live response rates, reports, closing and reopening.

Every view states its permission with ``requires``; results views also check the unit a
unit leader asks for, so editing a URL never widens what an account can read. Figures go
through the same scoring and suppression as the PDF report.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.2
from wtforms.validators import DataRequired

from survey.accounts import Account
from survey.addresses import open_link
from survey.dates import norwegian_date, norwegian_moment
from survey.operations.access import require_results
from survey.operations.channels import conflicts, set_aside_counts
from survey.operations.measures import add_measure, set_measure_status
from survey.operations.report_files import (
    ReportOrder,
    order_report_pdf,
    report_job,
    retry_report_pdf,
)
from survey.operations.responses import MEDIA_TYPES, export_responses
from survey.operations.results import (
    MAX_OFFERED,
    comparable_rounds,
    declare_breakdowns,
    declared_breakdowns,
    make_report,
    may_release,
    offered_breakdowns,
    report_downloaded,
    results_for,
    round_page,
    rounds_overview,
)
from survey.operations.rounds import MAX_REASON_LENGTH, close_round, reopen_round
from survey.report import ASSETS
from survey.report.dimensions import breakdown_label
from survey.scoring.breakdown import reading_order
from survey.storage.jobs import Job
from survey.storage.measures import STATUSES, measures_of_round
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.releases import list_releases
from survey.storage.results import RoundResults
from survey.storage.rounds import Round, get_round
from survey.storage.snapshots import StaleSnapshot
from survey.storage.users import audit_entries
from survey.web import audit_names
from survey.web.auth import SignOutForm, requires, signed_in
from survey.web.database import get_db
from survey.web.forms import Form
from survey.web.returned import CHANNELS_NB, ChooseForm
from survey.workers import local as local_workers

bp = Blueprint("secretariat", __name__, url_prefix="/sekretariat")


class ActionForm(Form):
    """Only the CSRF token: every change is a POST through a form of its own."""


class MeasureForm(Form):
    index = SelectField("Indeks")
    what = TextAreaField("Tiltak", validators=[DataRequired("Skriv hva som skal gjøres.")])
    who = StringField("Ansvarlig", validators=[DataRequired("Skriv hvem som er ansvarlig.")])
    due = DateField("Frist", validators=[DataRequired("Velg en frist.")])


class StatusForm(Form):
    status = SelectField("Status", choices=[SelectChoice(s) for s in STATUSES])


def _unit_asked() -> str | None:
    """The unit whose results are asked for (?enhet=; a leader of one unit need not ask),
    once the operations' rule says the account may read them."""
    account = signed_in()
    unit = request.args.get("enhet") or None
    if unit is None and account.role == "unit-leader" and len(account.units) == 1:
        unit = account.units[0]
    require_results(account, unit)
    return unit


def _results(round_id: int, unit: str | None) -> RoundResults:
    return results_for(get_db(), signed_in(), round_id, unit)


@bp.route("/")
@requires(Account.may_open_workspace)
def rounds() -> str:
    account = signed_in()
    return render_template(
        "secretariat/rounds.html",
        rounds=rounds_overview(get_db(), account),
        account=account,
        sign_out=SignOutForm(),
    )


@bp.route("/runder/<int:round_id>")
@requires(Account.may_open_workspace)
def round_overview(round_id: int) -> str:
    account = signed_in()
    if account.role == "unit-leader" and len(account.units) > 1 and not request.args.get("enhet"):
        # The page is one unit's view (its indexes and measures): a leader of several
        # units picks which, rather than having to know the ?enhet= address.
        round_ = get_round(get_db(), round_id)
        return render_template(
            "secretariat/pick_unit.html",
            round=round_,
            units=reading_order(
                questionnaire_of_version(get_db(), round_.questionnaire_version_id),
                "unit",
                set(account.units),
            ),
            account=account,
            sign_out=SignOutForm(),
        )
    unit = _unit_asked()
    shown = round_page(get_db(), account, round_id, unit)
    results = shown.results
    q = results.questionnaire
    measures, form = [], None
    if unit is not None:
        measures = measures_of_round(get_db(), round_id, unit)
        form = MeasureForm()
        form.index.choices = [SelectChoice(index.id, str(index.label)) for index in q.indexes]
    return render_template(
        "secretariat/round.html",
        indexes=shown.indexes,
        index_labels={index.id: str(index.label) for index in q.indexes},
        measures=measures,
        measure_form=form,
        status_form=StatusForm(),
        may_follow_up=unit is not None and signed_in().may_follow_up(unit),
        round=results.round,
        questionnaire=q,
        unit=unit,
        tables=shown.rates,
        per_day=[(_day(day), n) for day, n in shown.per_day],
        day_bars=_day_bars([(_day(day), n) for day, n in shown.per_day]),
        as_of=norwegian_moment(results.as_of) if results.as_of else None,
        held_back=shown.held_back,
        final=results.final,
        account=signed_in(),
        action=ActionForm(),
        sign_out=SignOutForm(),
        role_labels={role.code: str(role.label) for role in q.roles},
        breakdowns=_breakdown_choices(round_id) if signed_in().may_manage() else [],
        saved=request.args.get("lagret") == "1",
        report_choices=_report_choices(results.round, unit),
        open_link=open_link(current_app.config["BASE_URL"], results.round.open_token)
        if results.round.open_token and signed_in().may_manage()
        else None,
        channel_rates=shown.channels,
        channel_labels=CHANNELS_NB,
        conflicts=[(c, _day(c.held_on)) for c in conflicts(get_db(), account, round_id)]
        if account.may_manage()
        else [],
        set_aside=set_aside_counts(get_db(), account, round_id) if account.may_manage() else {},
        choose_form=ChooseForm(),
        chosen=request.args.get("valgt") == "1",
        closes_on=_closes_on(results.round),
        date_passed=bool(results.round.closes_on)
        and not results.round.closed_at
        and not results.round.is_open(),
    )


def _day_bars(per_day: list[tuple[str, int | None]]) -> list[tuple[str, int | None, float]]:
    """(day, answers, height from 0 to 1) for the chart of answers per day: the shown
    days' counts against the largest; a hidden day has no height (it is drawn as hidden,
    and nothing it would let anyone compute is drawn: no running total)."""
    top = max((n for _, n in per_day if n is not None), default=0) or 1
    return [(day, n, (n or 0) / top) for day, n in per_day]


def _day(iso: str) -> str:
    return norwegian_date(date.fromisoformat(iso))


def _closes_on(round_: Round) -> str | None:
    return norwegian_date(date.fromisoformat(round_.closes_on)) if round_.closes_on else None


def _breakdown_choices(round_id: int) -> list[tuple[str, str, bool]]:
    """(value, label, declared) of every breakdown the round could declare."""
    declared = declared_breakdowns(get_db(), round_id)
    return [
        (",".join(b), breakdown_label(b), b in declared)
        for b in offered_breakdowns(get_db(), round_id)
    ]


@bp.route("/runder/<int:round_id>/nedbrytninger", methods=["POST"])
@requires(Account.may_manage)
def declare(round_id: int) -> Response:
    """The breakdowns ticked on the round page become the round's declared ones (none
    ticked: overall figures only)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    chosen = request.form.getlist("nedbrytning")[:MAX_OFFERED]
    declare_breakdowns(get_db(), signed_in(), round_id, [c[:500] for c in chosen])
    return redirect(url_for("secretariat.round_overview", round_id=round_id) + "#nedbrytninger")


@bp.route("/runder/<int:round_id>/rapport")
@requires(Account.may_open_workspace)
def report_preview(round_id: int) -> str:
    from survey.report.render import render_html  # WeasyPrint loads slowly: only when needed

    unit = _unit_asked()
    report = make_report(
        get_db(), signed_in(), round_id, _etter(), unit=unit, compare=_compare_asked()
    )
    return _framed(render_html(report), round_id, unit)


def _query() -> str:
    """This request's query string, for a link to the same report in another form."""
    query = request.query_string.decode("ascii", "replace")
    return f"?{query}" if query else ""


def _framed(html: str, round_id: int, unit: str | None) -> str:
    """The report's HTML as a page of the workspace: its stylesheets from the report's
    assets, a screen stylesheet of the preview's own (margins, width, tables that fit),
    a bar back to the round and on to the PDF, and every page's footer. The report's
    template stays the PDF's; the frame is the web's."""
    for name in ("report.css", "charts.css"):
        html = html.replace(
            f'href="{name}"', f'href="{url_for("secretariat.report_asset", name=name)}"'
        )
    screen = url_for("static", filename="report_preview.css")
    html = html.replace("</head>", f'<link rel="stylesheet" href="{screen}">\n</head>', 1)
    bar = render_template(
        "secretariat/preview_bar.html",
        round_url=url_for("secretariat.round_overview", round_id=round_id, enhet=unit),
        pdf_url=url_for("secretariat.report_pdf", round_id=round_id) + _query(),
    )
    html = html.replace("<body>", f"<body>\n{bar}", 1)
    return html.replace("</body>", render_template("footer.html") + "\n</body>", 1)


@bp.route("/runder/<int:round_id>/rapport.pdf")
@requires(Account.may_open_workspace)
def report_pdf(round_id: int) -> Response | tuple[str, int]:
    """The PDF when it is ready; else a page that says it is being made (a worker renders
    it, see operations/report_files): its script asks ``report_status`` and offers the PDF
    when it is done; without scripts, a button asks again."""
    unit = _unit_asked()
    order = _order(round_id, unit)
    try:
        pdf = order.path.read_bytes()
    except FileNotFoundError:
        if order.job is None:  # superseded a moment ago by a request that read newer data
            return redirect(request.full_path)
        return _pending(round_id, order.job)
    try:
        report_downloaded(get_db(), signed_in(), order.asked, unit)
    except StaleSnapshot:  # figures released meanwhile: decide again, maybe the same file
        return redirect(request.full_path)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    name = f"rapport-runde-{round_id}{'-' + _slug(unit) if unit else ''}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _order(round_id: int, unit: str | None) -> ReportOrder:
    """The PDF asked for by this request's account, queued unless its file is there; a
    worker of this process is started when the installation runs no others."""
    order = order_report_pdf(
        get_db(),
        signed_in(),
        round_id,
        _etter(),
        _report_cache(),
        unit=unit,
        compare=_compare_asked(),
        max_attempts=current_app.config["JOB_ATTEMPTS"],
    )
    if order.job is not None:
        local_workers.kick(current_app.config, current_app.instance_path)
    return order


def _report_cache() -> Path:
    return local_workers.report_cache(current_app.config, current_app.instance_path)


def _pending(round_id: int, job: Job) -> tuple[str, int]:
    failed = job.state == "failed"
    page = render_template(
        "secretariat/report_pending.html",
        failed=failed,
        job=job,
        error=(job.error or "").splitlines()[0] if failed else "",
        progress=_progress(job),
        round_id=round_id,
        asked=request.args,
        status_url=url_for(
            "secretariat.report_status",
            round_id=round_id,
            name=job.key.partition(":")[2],
        ),
        account=signed_in(),
        sign_out=SignOutForm(),
        action=ActionForm(),
    )
    return page, 500 if failed else 202


def _progress(job: Job) -> str:
    """How far the job is, in a sentence for the secretariat."""
    if job.state == "queued" and job.attempts:
        return "Første forsøk gikk galt. Rapporten prøves snart igjen."
    if job.state == "queued":
        return "Rapporten står i kø og lages straks en arbeidsprosess er ledig."
    if job.state == "running" and job.progress_total:
        return f"{job.progress_text} (steg {job.progress_done + 1} av {job.progress_total})."
    return "Rapporten lages."


@bp.route("/runder/<int:round_id>/rapport-status/<name>")
@requires(Account.may_open_workspace)
def report_status(round_id: int, name: str) -> Response:
    """Whether the PDF the "being made" page waits for is done: ``{"state": "ready" |
    "running" | "failed", "message": ...}``, the message saying how far it is in bokmål.
    The page's script asks this instead of the page reloading itself (a reload throws a
    screen reader back to the top, WCAG 2.2.1). It reads only the job's row, so asking
    costs little; the figures and the release are decided when the PDF itself is fetched."""
    job = report_job(get_db(), round_id, name[:100])
    if job is not None and job.state == "done":
        state = "ready" if (_report_cache() / (job.result or "")).is_file() else "running"
    elif job is not None and job.state == "failed":
        state = "failed"
    else:
        state = "ready" if (_report_cache() / f"{name}.pdf").is_file() else "running"
        if job is not None:  # a retry may be due: this process runs it when nobody else does
            local_workers.kick(current_app.config, current_app.instance_path)
    message = {"ready": "Rapporten er klar.", "failed": "Rapporten kunne ikke lages."}.get(
        state, _progress(job) if job is not None else "Rapporten lages."
    )
    response = make_response({"state": state, "message": message})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/runder/<int:round_id>/rapport.pdf", methods=["POST"])
@requires(Account.may_open_workspace)
def report_retry(round_id: int) -> Response:
    """After a failed rendering: try again, with all the job's attempts."""
    get_round(get_db(), round_id)  # 404 before anything else for a round that does not exist
    if not ActionForm().validate_on_submit():
        abort(400)
    order = _order(round_id, _unit_asked())
    if order.job is not None and order.job.state == "failed":
        retry_report_pdf(get_db(), order)
        local_workers.kick(current_app.config, current_app.instance_path)
    return redirect(request.full_path)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower())


def _compare_asked() -> int | None:
    """The earlier round asked for (?sammenlign=), if any: an id, checked by the
    operations like any other (NotFound, Forbidden)."""
    asked = request.args.get("sammenlign", "")
    return int(asked) if asked.isdigit() and len(asked) <= 9 else None


def _report_choices(round_: Round, unit: str | None) -> tuple[list, list]:
    """What the round page offers to report by: the declared breakdowns this account may
    read (one unit's are by × unit), and the earlier rounds of the same questionnaire,
    each named with the breakdowns it can be compared by."""
    db = get_db()
    offered = [()] + [
        b
        for b in declared_breakdowns(db, round_.id)
        if "unit" not in b or unit is None
        if may_release(db, round_.id, list(b), unit=unit)
    ]
    breakdowns = [(",".join(b), breakdown_label(b) or "hele runden") for b in offered]
    earlier = [
        (other.round_id, _comparable_by(other.name, other.breakdowns, len(offered)))
        for other in comparable_rounds(db, round_.id, offered, unit=unit)
        if other.breakdowns  # one it would refuse by every breakdown is not offered
    ]
    return breakdowns, earlier


def _comparable_by(name: str, breakdowns: tuple[tuple[str, ...], ...], offered: int) -> str:
    """An earlier round as the comparison's list names it: by its name where it can be
    compared by every breakdown offered, else with those it can ("Evaluering 2009 (bare
    for hele runden og etter rolle)"), so a pair it would refuse is not a surprise."""
    if len(breakdowns) == offered:
        return name
    named = [breakdown_label(b) for b in breakdowns if b]
    whole = ["for hele runden"] if () in breakdowns else []
    by = [f"etter {', '.join(named)}"] if named else []
    return f"{name} (bare {' og '.join([*whole, *by])})"


def _etter() -> str:
    """The breakdown asked for (?etter=), as given: the operations check it."""
    return request.args.get("etter", "role")[:500]


@bp.route("/rapport-filer/<path:name>")
@requires(Account.may_open_workspace)
def report_asset(name: str) -> Response:
    return send_from_directory(ASSETS, name)


@bp.route("/runder/<int:round_id>/lukk", methods=["POST"])
@requires(Account.may_manage)
def close(round_id: int) -> Response | str:
    return _open_or_close(round_id, reopen=False)


@bp.route("/runder/<int:round_id>/gjenapne", methods=["POST"])
@requires(Account.may_manage)
def reopen(round_id: int) -> Response | str:
    return _open_or_close(round_id, reopen=True)


def _open_or_close(round_id: int, *, reopen: bool) -> Response | str:
    """Asks first (a page saying what will happen, with a reason for the audit log), then
    closes or opens the round again."""
    if not ActionForm().validate_on_submit():
        abort(400)
    round_ = get_round(get_db(), round_id)
    if request.form.get("bekreft") != "ja":
        return render_template(
            "secretariat/confirm.html",
            round=round_,
            title=f"{'Åpne' if reopen else 'Lukke'} «{round_.name}»{' igjen' if reopen else ''}?",
            explanation=(
                "Runden tar imot svar igjen, til og med siste svardag."
                if reopen
                else "Ingen kan svare eller endre svar etter dette, før runden åpnes igjen. "
                "Påminnelser kan ikke sendes mens den er lukket."
            ),
            button="Ja, åpne runden igjen" if reopen else "Ja, lukk runden",
            account=signed_in(),
            sign_out=SignOutForm(),
            action=ActionForm(),
        )
    reason = request.form.get("begrunnelse", "")[: MAX_REASON_LENGTH + 1]
    (reopen_round if reopen else close_round)(get_db(), signed_in(), round_id, reason)
    return redirect(url_for("secretariat.round_overview", round_id=round_id))


@bp.route("/runder/<int:round_id>/tiltak", methods=["POST"])
@requires(Account.may_open_workspace)
def add_follow_up(round_id: int) -> Response:
    round_ = get_round(get_db(), round_id)
    unit = _unit_asked()
    if unit is None:
        abort(403)
    form = MeasureForm()
    form.index.choices = [
        SelectChoice(index.id, str(index.label))
        for index in questionnaire_of_version(get_db(), round_.questionnaire_version_id).indexes
    ]
    if not form.validate_on_submit() or form.due.data is None:
        abort(400)
    add_measure(
        get_db(),
        signed_in(),
        round_id,
        unit,
        form.index.data or "",
        form.what.data or "",
        form.who.data or "",
        form.due.data,
    )
    return redirect(url_for("secretariat.round_overview", round_id=round_id, enhet=unit))


@bp.route("/tiltak/<int:measure_id>/status", methods=["POST"])
@requires(Account.may_open_workspace)
def follow_up_status(measure_id: int) -> Response:
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    measure = set_measure_status(get_db(), signed_in(), measure_id, form.status.data or "")
    return redirect(
        url_for("secretariat.round_overview", round_id=measure.round_id, enhet=measure.unit)
    )


@bp.route("/runder/<int:round_id>/svar.<any(csv, xlsx):kind>")
@requires(Account.may_manage)
def export(round_id: int, kind: str) -> Response:
    """Raw responses: they carry identities in invited rounds, so admins only."""
    buffer = io.BytesIO()
    export_responses(get_db(), signed_in(), round_id, kind, buffer)
    response = make_response(buffer.getvalue())
    response.headers["Content-Type"] = MEDIA_TYPES[kind]
    response.headers["Content-Disposition"] = f'attachment; filename="svar-runde-{round_id}.{kind}"'
    return response


@bp.route("/revisjon")
@requires(Account.may_manage)
def audit_log() -> str:
    """The log in the page's language: actions and details in bokmål, times as Norwegian
    readers write them, in Norwegian time (``audit_names``)."""
    entries = [
        (norwegian_moment(at), actor, audit_names.action_nb(action), *audit_names.detail_nb(detail))
        for at, actor, action, detail in audit_entries(get_db())
    ]
    return render_template(
        "secretariat/audit.html",
        entries=entries,
        releases=list_releases(get_db()),
        moment=norwegian_moment,
        channels=audit_names.CHANNELS,
        account=signed_in(),
        sign_out=SignOutForm(),
    )
