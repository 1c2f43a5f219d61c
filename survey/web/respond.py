"""The respondent's side: personal links (/s/<token>), open links (/a/<token>) and one-time
codes (typed in at /kode, then /k/<code>).

Each page is rendered from the questionnaire model, read back through the core's parsing
and rules, and saved before the respondent moves on, so closing the tab loses nothing and
opening the link again resumes where they left. An unknown token and a closed round look
exactly alike, so a link cannot be used to learn whether a survey exists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, NoReturn

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as HttpResponse

from survey.operations.access_codes import round_of_code
from survey.questionnaire.answers import Answer, check_answers
from survey.questionnaire.model import Question, Questionnaire
from survey.questionnaire.visibility import answers_to, stated_role, visible_questions
from survey.storage import responses as store
from survey.storage.invitations import personal_link
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.rounds import Round, round_by_open_token
from survey.tokens import MAX_CODE_INPUT, new_token, same_token
from survey.web.database import get_db
from survey.web.errors import DATABASE_ERRORS, RETRY_AFTER, is_transient, log_unavailable
from survey.web.pages import error_summary, raw_from_answers, read_page, visible_on
from survey.web.security import (
    client_address,
    csrf_token,
    csrf_valid,
    limiter,
    new_responses,
    response_key,
)

bp = Blueprint("respond", __name__)

COOKIE = "survey_anonymous"


class PageFlow:
    """What the respondent's pages need of whoever is answering: the questionnaire, the
    answers so far, the role known beforehand and the address of each page. A visit
    through a link (``Visit``) and the questionnaire editor's preview (``web.editor``)
    are both one, so the preview shows the pages by the very rules respondents meet."""

    questionnaire: Questionnaire
    answers: dict[str, Answer]
    _visible: list[Question] | None

    @property
    def known_role(self) -> str | None:
        """The role known before any answer (the invitation's)."""
        raise NotImplementedError

    def url(self, endpoint: str, **values: Any) -> str:
        raise NotImplementedError

    def visible(self, answers: dict[str, Answer] | None = None) -> list[Question]:
        """Questions shown given ``answers`` (default: the stored ones, worked out once)."""
        if answers is None:
            if self._visible is None:
                self._visible = self.visible(self.answers)
            return self._visible
        values = {key: answer.value for key, answer in answers.items()}
        return visible_questions(self.questionnaire, self.role_given(answers), values)

    def role_given(self, answers: dict[str, Answer]) -> str | None:
        values = {key: answer.value for key, answer in answers.items()}
        return stated_role(self.questionnaire, values, self.known_role)

    def page_numbers(self, answers: dict[str, Answer] | None = None) -> list[int]:
        """1-based numbers of the pages with at least one visible question."""
        return self.numbers_of(self.visible(answers))

    def numbers_of(self, visible: list[Question]) -> list[int]:
        shown = {q.page_id for q in visible}
        return [i + 1 for i, page in enumerate(self.questionnaire.pages) if page.id in shown]


@dataclass
class Visit(PageFlow):
    kind: str  # "s": personal link, "a": open link of an anonymous round, "k": one-time code
    token: str
    round: Round
    questionnaire: Questionnaire
    response: store.Response
    answers: dict[str, Answer]
    _visible: list[Question] | None = field(default=None, repr=False)

    @property
    def known_role(self) -> str | None:
        return self.response.role

    def url(self, endpoint: str, **values: Any) -> str:
        return url_for(f"respond.{endpoint}", kind=self.kind, token=self.token, **values)


def _gone() -> NoReturn:
    limiter().failed(client_address())  # only failures count: answering never pays for this
    abort(make_response(render_template("respond/gone.html"), 404))


def _visit(kind: str, token: str) -> Visit:
    limiter().check(client_address())  # 429 while this address is guessing links
    db = get_db()
    sha = None  # the questionnaire text's hash, where it came with the round
    if kind == "s":
        link = personal_link(db, token)
        if link is None or not same_token(token, link.invitation.token):
            _gone()
        invitation, round_, sha = link.invitation, link.round, link.questionnaire_sha
        if not round_.is_open():
            _gone()
        response = store.response_for_invitation(
            db, round_.id, invitation.id, invitation.role, invitation.unit, invitation.attributes
        )
    elif kind == "k":
        coded = round_of_code(db, token)
        if coded is None or coded[1] != token:  # one written form per code, one address
            _gone()
        round_, _, key = coded
        response = store.response_for_session(db, round_.id, key)  # stored on the first save
    else:
        found = round_by_open_token(db, token)
        if found is None or not same_token(token, found.open_token or ""):
            _gone()
        round_ = found
        if not round_.is_open():
            _gone()
        secret = request.cookies.get(COOKIE) or g.setdefault("new_cookie", new_token())
        key = hashlib.sha256(f"{round_.id}:{secret}".encode()).hexdigest()
        response = store.response_for_session(db, round_.id, key)  # stored on the first save
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id, sha)
    answers = store.answers_of(db, questionnaire, response)
    return Visit(kind, token, round_, questionnaire, response, answers)


@bp.after_request
def _respondent_headers(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: never send it on to another site, never cache the page.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    cookie = g.pop("new_cookie", None)
    if cookie is not None:
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=60 * 60 * 24 * 180,
            httponly=True,
            samesite="Lax",
            # Secure when we are served over https, as the session cookie is: behind a proxy
            # that ends TLS the request itself is plain http, but the browser's is not
            secure=current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure,
            path=request.path.split("/side/")[0].split("/ferdig")[0],
        )
    return response


@bp.route("/kode", methods=["GET", "POST"])
def code() -> ResponseReturnValue:
    """Where a one-time code from a letter is typed in: a known code of an open round leads
    to its own response (started or not); anything else is counted by the link-guessing
    brake like a wrong link, and the page comes back with what was typed."""
    limiter().check(client_address())
    typed, error = "", None
    if request.method == "POST":
        typed = request.form.get("kode", "")[:MAX_CODE_INPUT]
        if not csrf_valid(request.form):
            error = "Siden var utløpt. Skriv inn koden og prøv igjen."
        else:
            coded = round_of_code(get_db(), typed)
            if coded is not None:
                return redirect(url_for("respond.start", kind="k", token=coded[1]))
            limiter().failed(client_address())
            error = (
                "Vi fant ikke koden. Sjekk at den er skrevet av riktig, og at undersøkelsen "
                "ikke er avsluttet."
            )
    html = render_template("respond/code.html", typed=typed, error=error, csrf_token=csrf_token())
    return html, 422 if error else 200


@bp.route("/s/<token>", defaults={"kind": "s"})
@bp.route("/a/<token>", defaults={"kind": "a"})
@bp.route("/k/<token>", defaults={"kind": "k"})
def start(kind: str, token: str) -> str:
    visit = _visit(kind, token)
    numbers = visit.page_numbers()
    resume = visit.response.page if visit.response.page in numbers else numbers[0]
    return render_template(
        "respond/start.html",
        visit=visit,
        first=numbers[0],
        resume=resume,
        started=bool(visit.answers),
    )


@bp.route("/s/<token>/side/<int:number>", methods=["GET", "POST"], defaults={"kind": "s"})
@bp.route("/a/<token>/side/<int:number>", methods=["GET", "POST"], defaults={"kind": "a"})
@bp.route("/k/<token>/side/<int:number>", methods=["GET", "POST"], defaults={"kind": "k"})
def page(kind: str, token: str, number: int) -> ResponseReturnValue:
    visit = _visit(kind, token)
    if visit.response.submitted and not visit.round.allow_changes:
        return redirect(visit.url("done"))
    numbers = visit.page_numbers()
    if number not in numbers:
        later = [n for n in numbers if n > number]
        return redirect(visit.url("page", number=later[0]) if later else visit.url("done"))
    if request.method == "POST":
        return _submit_page(visit, number)
    questions = visible_on(visit.questionnaire.pages[number - 1], visit.visible())
    raw, details = raw_from_answers(questions, visit.answers)
    role_question = visit.questionnaire.role_question
    if role_question in questions and role_question.id not in raw and visit.response.role:
        raw[role_question.id] = [visit.response.role]  # known from the invitation
    return render_page(visit, number, questions, raw, details, errors=[])


def _submit_page(visit: Visit, number: int) -> ResponseReturnValue:
    db = get_db()
    questionnaire = visit.questionnaire
    questions = visible_on(questionnaire.pages[number - 1], visit.visible())
    page_input = read_page(questions, request.form)
    if not csrf_valid(request.form):
        # An expired or missing token: keep everything typed and ask to send again.
        return render_page(
            visit,
            number,
            questions,
            page_input.raw,
            page_input.details,
            errors=[],
            expired=True,
            status=400,
        )
    on_page = {aid for q in questions for aid in q.answer_ids}
    merged = {k: v for k, v in visit.answers.items() if k not in on_page} | page_input.answers
    going_back = request.form.get("action") == "back"
    unparsed = {e.answer_id for e in page_input.errors}
    broken = [
        e
        for e in check_answers(questionnaire, visit.role_given(merged), merged, questions)
        if e.answer_id not in unparsed
    ]
    if going_back:
        # Back never complains, and never stores what the rules refuse either: a refused
        # answer keeps what was stored before (if anything), so going back cannot blank a
        # required answer of a response that is already submitted.
        refused = unparsed | {e.answer_id for e in broken}
        merged = {k: v for k, v in merged.items() if k not in refused} | {
            k: v for k, v in visit.answers.items() if k in refused
        }
    elif page_input.errors or broken:
        errors = page_input.errors + broken
        return render_page(visit, number, questions, page_input.raw, page_input.details, errors)
    shown = visit.visible(merged)  # the same cascade that decides what is stored
    numbers = visit.numbers_of(shown)
    if going_back:
        earlier = [n for n in numbers if n < number]
        destination = earlier[-1] if earlier else number
    else:
        later = [n for n in numbers if n > number]
        destination = later[0] if later else number
    role = visit.role_given(merged)
    finishing = not going_back and destination == number
    if finishing:
        # The last page, reached by typing a URL past pages never answered: go there first.
        destination = _first_incomplete_page(questionnaire, role, merged, shown) or number
        finishing = destination == number
    # an anonymous respondent's first saved page: new ones are limited (an invitation's are not)
    creating = visit.kind == "a" and not visit.response.stored
    if creating:
        new_responses().check(response_key(visit.round.id))  # 429 past the limit
    try:
        store.save_answers(
            db,
            questionnaire,
            visit.response,
            merged,
            page=destination,
            role=role,
            submitting=finishing,
        )
    except DATABASE_ERRORS as exc:
        if not is_transient(exc):
            raise
        # Read-only or full disk, a lock held too long, a PostgreSQL server gone: nothing
        # of this page was stored (one transaction), and everything typed is shown again
        # with a request to send it a little later.
        log_unavailable(exc)
        html, status = render_page(
            visit,
            number,
            questions,
            page_input.raw,
            page_input.details,
            errors=[],
            unsaved=True,
            status=503,
        )
        return make_response(html, status, {"Retry-After": str(RETRY_AFTER)})
    if creating:
        new_responses().count(response_key(visit.round.id))
    if not finishing:
        return redirect(visit.url("page", number=destination))
    return redirect(visit.url("done"))


def _first_incomplete_page(
    questionnaire: Questionnaire,
    role: str | None,
    answers: dict[str, Answer],
    shown: list[Question],
) -> int | None:
    """The first page whose answers break a rule (typically a required one left out).
    ``shown`` is ``visible_questions`` of these answers (what ``prune_hidden`` keeps)."""
    wrong = {
        questionnaire.question_for(e.answer_id).page_id
        for e in check_answers(questionnaire, role, answers_to(shown, answers))
    }
    numbers = [i + 1 for i, page in enumerate(questionnaire.pages) if page.id in wrong]
    return numbers[0] if numbers else None


def render_page(
    visit: PageFlow,
    number: int,
    questions: list[Question],
    raw: dict[str, list[str]],
    details: dict[str, str],
    errors: list,
    *,
    expired: bool = False,
    unsaved: bool = False,
    status: int = 200,
    **extra: Any,
) -> tuple[str, int]:
    """A page of the questionnaire as the respondent sees it; ``extra`` goes to the
    template as it is (the editor's preview passes its banner and carried answers)."""
    numbers = visit.page_numbers()
    position = numbers.index(number) + 1 if number in numbers else 1
    errors_by_id = {e.answer_id: e for e in errors}
    html = render_template(
        "respond/page.html",
        visit=visit,
        page=visit.questionnaire.pages[number - 1],
        number=number,
        questions=questions,
        raw=raw,
        details=details,
        errors=errors,
        errors_by_id=errors_by_id,
        summary=error_summary(questions, errors_by_id),
        expired=expired,
        unsaved=unsaved,
        csrf_token=csrf_token(),
        position=position,
        total=len(numbers),
        last=position == len(numbers),
        first=position == 1,
        **extra,
    )
    return html, status


@bp.route("/s/<token>/ferdig", defaults={"kind": "s"})
@bp.route("/a/<token>/ferdig", defaults={"kind": "a"})
@bp.route("/k/<token>/ferdig", defaults={"kind": "k"})
def done(kind: str, token: str) -> ResponseReturnValue:
    visit = _visit(kind, token)
    if not visit.response.submitted:
        return redirect(visit.url("start"))
    return render_template("respond/done.html", visit=visit)
