"""Writing a questionnaire in the browser: start from a template, edit the YAML with the
linter's messages beside its lines, see the respondent's pages as each role would, publish.

Admins only, like uploading. Every rule is ``operations.drafts``'s: the copy's new id,
saving (every save is linted), publishing through the same operation as an uploaded file.
The preview renders the respondent's own templates through ``respond.render_page`` with
a ``PageFlow`` whose answers live only in the preview's form (one hidden field carries those
of the other pages): it opens no response and stores nothing. ``static/editor.js`` checks the
text while it is typed; without it, "Kontroller" does the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired

from survey.accounts import Account
from survey.errors import Conflict, InvalidInput
from survey.operations import drafts as operations
from survey.questionnaire import LoadResult, load_text
from survey.questionnaire.answers import Answer, check_answers
from survey.questionnaire.model import Question, Questionnaire
from survey.storage.drafts import Draft
from survey.web.auth import SignOutForm, current_account, requires, signed_in
from survey.web.database import get_db
from survey.web.forms import Form
from survey.web.pages import annotated, raw_from_answers, read_page, visible_on
from survey.web.respond import PageFlow, render_page
from survey.web.security import csrf_valid

bp = Blueprint("editor", __name__, url_prefix="/sekretariat")

CARRIED = "forhandsvisning_svar"  # the preview's hidden field: answers of the other pages


def _page(template: str, status: int = 200, **context: object) -> tuple[str, int]:
    context.update(account=current_account(), sign_out=SignOutForm())
    return render_template(template, **context), status


def _limit() -> int:
    """A draft may be as large as an uploaded file."""
    return int(current_app.config["MAX_CONTENT_LENGTH"])


class NewForm(Form):
    # which keys exist is the operation's rule (an unknown one is refused there)
    template = RadioField(
        "Mal",
        choices=[],
        validate_choice=False,
        validators=[DataRequired("Velg spørreskjemaet du vil starte fra.")],
    )
    questionnaire_id = StringField(
        "Id for det nye spørreskjemaet",
        validators=[DataRequired("Skriv en id for det nye spørreskjemaet.")],
    )
    title = StringField("Tittel", validators=[DataRequired("Gi spørreskjemaet en tittel.")])


class DraftForm(Form):
    text = TextAreaField("YAML-tekst")


@bp.route("/sporreskjema/ny", methods=["GET", "POST"])
@requires(Account.may_manage)
def new_questionnaire() -> Response | tuple[str, int]:
    """ "Nytt spørreskjema fra mal": a bundled or published questionnaire, copied under a
    new id and title into a draft."""
    db = get_db()
    account = signed_in()
    found = operations.templates(db, account)
    form = NewForm(data={"template": request.args.get("mal")})
    form.template.choices = [(t.key, t.title) for t in found]
    if form.validate_on_submit():
        try:
            draft = operations.start_draft(
                db,
                account,
                form.template.data or "",
                form.questionnaire_id.data or "",
                form.title.data or "",
            )
        except InvalidInput as problem:
            if problem.field not in form:
                raise
            form[problem.field].errors = [problem.message_nb]
        else:
            return redirect(url_for("editor.edit", draft_id=draft.id))
    return _page(
        "secretariat/new_questionnaire.html",
        422 if form.errors else 200,
        form=form,
        bundled=[t for t in found if t.bundled],
        published=[t for t in found if not t.bundled],
        drafts=operations.drafts(db, account),
    )


@bp.route("/utkast/<int:draft_id>", methods=["GET", "POST"])
@requires(Account.may_manage)
def edit(draft_id: int) -> Response | tuple[str, int]:
    """The editor. Each button saves the text first (and the linter checks it); then
    "Forhåndsvis" opens the preview and "Publiser" publishes, each only without errors.
    Once saved, the page answers 200 whatever the linter or publishing said: the request
    did what it could, and a refused request (4xx) changes nothing."""
    db = get_db()
    account = signed_in()
    draft, result = operations.draft(db, account, draft_id)
    form = DraftForm(data={"text": draft.source})
    if request.method == "GET":
        return _editor(form, draft, result)
    if not form.validate_on_submit():
        # an expired or missing token: the text sent is shown again, to be saved once more
        form.text.data = request.form.get("text", "")
        return _editor(form, draft, None, 400, expired=True)
    try:
        draft, result = operations.save_draft(db, account, draft_id, form.text.data or "", _limit())
    except InvalidInput as problem:
        form.text.errors = [problem.message_nb]
        return _editor(form, draft, None, 422)
    form.text.data = draft.source
    action = request.form.get("action")
    if result.errors:
        refused = {"forhandsvis": "forhåndsvises", "publiser": "publiseres"}.get(action or "")
        return _editor(form, draft, result, refused=refused)
    if action == "forhandsvis":
        role = request.form.get("rolle") or None
        return redirect(url_for("editor.preview_start", draft_id=draft_id, rolle=role))
    if action == "publiser":
        try:
            version = operations.publish_draft(db, account, draft_id)
        except (InvalidInput, Conflict) as problem:
            form.text.errors = [problem.message_nb]
            return _editor(form, draft, result)
        return redirect(url_for("manage.preview", version_id=version.id))
    return _editor(form, draft, result, saved=True)


def _editor(
    form: DraftForm,
    draft: Draft,
    result: LoadResult | None,
    status: int = 200,
    **context: object,
) -> tuple[str, int]:
    questionnaire = result.questionnaire if result else None
    return _page(
        "secretariat/editor.html",
        status,
        form=form,
        draft=draft,
        result=result,
        lines=annotated(result) if result and result.problems else [],
        roles=questionnaire.roles if questionnaire else (),
        **context,
    )


@bp.route("/utkast/<int:draft_id>/kontroll", methods=["POST"])
@requires(Account.may_manage)
def check(draft_id: int) -> tuple[Response, int]:
    """The linter's problems with a text being typed, as JSON for ``static/editor.js``;
    nothing is saved."""
    operations.draft(get_db(), signed_in(), draft_id)  # the draft exists, the account may
    if not csrf_valid(request.form):
        return jsonify(error="Siden var utløpt. Last den inn på nytt."), 400
    text = request.form.get("text", "")
    try:
        operations.check_size(text, _limit())
    except InvalidInput as problem:
        return jsonify(error=problem.message_nb), 422
    result = load_text(text.replace("\r\n", "\n"), f"utkast-{draft_id}.yaml")
    return jsonify(
        errors=len(result.errors),
        warnings=len(result.warnings),
        problems=[
            {
                "line": p.position.line,
                "column": p.position.column,
                "severity": p.severity_nb,
                "message": p.message_nb + (f" – {p.hint_nb}" if p.hint_nb else ""),
            }
            for p in result.problems
        ],
    ), 200


# The preview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unsaved:
    """What the respondent's templates ask of a response, for one that does not exist."""

    role: str | None
    submitted: bool = False
    reopened: bool = False


@dataclass(frozen=True)
class _NoRound:
    allow_changes: bool = False


@dataclass
class Preview(PageFlow):
    """A respondent's way through a draft as ``role``, with answers that exist only in the
    preview's form."""

    draft_id: int
    questionnaire: Questionnaire
    role: str | None
    answers: dict[str, Answer] = field(default_factory=dict)
    _visible: list[Question] | None = field(default=None, repr=False)

    @property
    def known_role(self) -> str | None:
        return self.role

    @property
    def response(self) -> _Unsaved:
        return _Unsaved(self.role)

    @property
    def round(self) -> _NoRound:
        return _NoRound()

    def url(self, endpoint: str, **values: Any) -> str:
        if endpoint == "page":
            return url_for("editor.preview_page", draft_id=self.draft_id, rolle=self.role, **values)
        return url_for("editor.preview_start", draft_id=self.draft_id, rolle=self.role)

    def _start_as(self, role: str) -> str:
        return url_for("editor.preview_start", draft_id=self.draft_id, rolle=role)

    def answering(self, answers: dict[str, Answer]) -> Preview:
        return Preview(self.draft_id, self.questionnaire, self.role, answers)

    def banner(self) -> dict[str, object]:
        """What base.html shows above every preview page."""
        found = self.questionnaire.role(self.role) if self.role else None
        return {
            "role": str(found.label) if found else None,
            "editor": url_for("editor.edit", draft_id=self.draft_id),
            "others": [
                (
                    str(role.label),
                    url_for("editor.preview_start", draft_id=self.draft_id, rolle=role.code),
                )
                for role in self.questionnaire.roles
                if role.code != self.role
            ],
        }


def _preview(draft_id: int) -> Preview:
    """The draft as a respondent would meet it, as the role the URL names (the first role
    when it names none); Conflict while the draft has errors."""
    _, result = operations.draft(get_db(), signed_in(), draft_id)
    questionnaire = result.questionnaire
    if questionnaire is None:
        raise Conflict(
            f"draft {draft_id} has errors",
            message_nb="Utkastet har feil og kan ikke forhåndsvises. Rett feilene i "
            "redigeringen først.",
        )
    role = request.args.get("rolle") or None
    if role is None and questionnaire.roles:
        role = questionnaire.roles[0].code
    if role is not None and questionnaire.role(role) is None:
        abort(404)
    return Preview(draft_id, questionnaire, role)


@bp.route("/utkast/<int:draft_id>/forhandsvisning")
@requires(Account.may_manage)
def preview_start(draft_id: int) -> str:
    preview = _preview(draft_id)
    numbers = preview.page_numbers()
    return render_template(
        "respond/start.html",
        visit=preview,
        first=numbers[0] if numbers else 1,
        resume=numbers[0] if numbers else 1,
        started=False,
        preview_banner=preview.banner(),
    )


@bp.route("/utkast/<int:draft_id>/forhandsvisning/side/<int:number>", methods=["GET", "POST"])
@requires(Account.may_manage)
def preview_page(draft_id: int, number: int) -> ResponseReturnValue:
    """A page of the draft as the respondent sees it. Sending it checks the answers by the
    respondent's rules and shows the page they would go to next, with the answers so far
    carried in the form; nothing is written anywhere."""
    preview = _preview(draft_id)
    if request.method == "POST":
        return _submit_preview(preview.answering(_carried(preview.questionnaire)), number)
    numbers = preview.page_numbers()
    if number not in numbers:
        later = [n for n in numbers if n > number]
        if not later:
            abort(404)
        return redirect(preview.url("page", number=later[0]))
    return _show(preview, number)


def _show(
    preview: Preview,
    number: int,
    raw: dict[str, list[str]] | None = None,
    details: dict[str, str] | None = None,
    errors: list | None = None,
    **flags: Any,
) -> tuple[str, int]:
    questions = visible_on(preview.questionnaire.pages[number - 1], preview.visible())
    if raw is None:
        raw, details = raw_from_answers(questions, preview.answers)
        role_question = preview.questionnaire.role_question
        if role_question in questions and role_question.id not in raw and preview.role:
            raw[role_question.id] = [preview.role]  # as an invitation would fill it in
    on_page = {aid for q in questions for aid in q.answer_ids}
    others = {k: v for k, v in preview.answers.items() if k not in on_page}
    return render_page(
        preview,
        number,
        questions,
        raw,
        details or {},
        errors or [],
        preview_banner=preview.banner(),
        carried=_carry(preview.questionnaire, others),
        carried_name=CARRIED,
        **flags,
    )


def _submit_preview(preview: Preview, number: int) -> ResponseReturnValue:
    questionnaire = preview.questionnaire
    if not 1 <= number <= len(questionnaire.pages):
        abort(404)
    questions = visible_on(questionnaire.pages[number - 1], preview.visible())
    page_input = read_page(questions, request.form)
    if not csrf_valid(request.form):
        return _show(preview, number, page_input.raw, page_input.details, expired=True, status=400)
    on_page = {aid for q in questions for aid in q.answer_ids}
    merged = {k: v for k, v in preview.answers.items() if k not in on_page} | page_input.answers
    going_back = request.form.get("action") == "back"
    unparsed = {e.answer_id for e in page_input.errors}
    broken = [
        e
        for e in check_answers(questionnaire, preview.role_given(merged), merged, questions)
        if e.answer_id not in unparsed
    ]
    if going_back:
        refused = unparsed | {e.answer_id for e in broken}
        merged = {k: v for k, v in merged.items() if k not in refused}
    elif page_input.errors or broken:
        return _show(
            preview, number, page_input.raw, page_input.details, page_input.errors + broken
        )
    answered = preview.answering(merged)
    numbers = answered.page_numbers()
    if going_back:
        earlier = [n for n in numbers if n < number]
        destination = earlier[-1] if earlier else number
    else:
        later = [n for n in numbers if n > number]
        destination = later[0] if later else 0
    if destination == 0:
        return render_template(
            "respond/done.html", visit=answered, preview_banner=answered.banner()
        )
    return _show(answered, destination)


def _carry(questionnaire: Questionnaire, answers: dict[str, Answer]) -> str:
    """Answers as the hidden field holds them: the strings a form would send."""
    raw, details = raw_from_answers(list(questionnaire.questions), answers)
    return json.dumps({"raw": raw, "details": details}, ensure_ascii=False)


def _carried(questionnaire: Questionnaire) -> dict[str, Answer]:
    """The answers of the other pages, read back from the hidden field by the same parsing
    as a page's own (anything unreadable is left out: it is only a preview)."""
    try:
        data = json.loads(request.form.get(CARRIED) or "{}")
        raw, details = dict(data.get("raw", {})), dict(data.get("details", {}))
    except (ValueError, TypeError, AttributeError):
        return {}
    form: MultiDict[str, str] = MultiDict()
    for key, values in raw.items():
        for value in values if isinstance(values, list) else []:
            form.add(str(key), str(value))
    for key, value in details.items():
        form.add(str(key), str(value))
    return read_page(list(questionnaire.questions), form).answers
