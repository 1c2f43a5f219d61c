"""A fuzzing pass over every route (issue 15): hypothesis writes the requests a careless or
hostile user could send, and the app must answer each one like a product, not a program.

Every example starts from the same database: a 2009 round with one response under way, an
anonymous home-care round with one started through its open link, a measure, and an account
of each role, signed in. (It is copied back into the live database through SQLite's backup
API before each example, so the app's kept connections see it like any other write.) An
example is one request: a route of the URL map, one of its methods, as one of the roles,
with its ids, query parameters, form fields and uploaded file each either one the product
itself would use or one generated to be wrong (unknown, negative, huge, unicode, control
characters, empty, a file that is not what it claims).

For every request:

- no 500 and no traceback in what comes back;
- an answer within ``SLOWEST`` seconds;
- a refused request (4xx, or sent to the sign-in page) changes nothing in the database.
  Two writes belong to refusals by design and are allowed there: a wrong password counts
  towards the lockout and is audited (``storage.users.sign_in``), and a live session's
  ``last_seen`` moves on (the idle timeout).

No job runs during the pass (``WORKERS`` 0, as in production with ``survey worker``
processes): a runner thread kicked by one example would go on working, against a database
put back under it, through the examples after it, and write into what a refusal there is
checked against. Jobs are only queued here; tests/workers runs them.

The same requests run through the test client and, fewer of them, through a real HTTP
server on 127.0.0.1, where the bytes go through a socket and werkzeug's own parser.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

import survey.web.database
from survey import create_app
from survey.accounts import operator
from survey.operations.report_packs import order_report_pack
from survey.operations.responses import import_responses
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.access_codes import add_codes
from survey.storage.drafts import create_draft
from survey.storage.keyings import add_keying
from survey.storage.measures import add_measure
from survey.storage.questionnaires import publish
from survey.storage.return_codes import assign_numbers
from survey.storage.rounds import create_round
from survey.storage.users import add_user
from survey.tokens import code_digest
from survey.web.respond import COOKIE as ANONYMOUS_COOKIE
from tests.conftest import QUESTIONNAIRES, server_thread
from tests.security.conftest import LIKERT_P3, MAYOR, everything, post_page, setup  # noqa: F401
from tests.web.conftest import HOME_CARE_PAGE_1, Setup, csrf
from tests.web.test_unknown_ids import ACCOUNTS as PEOPLE
from tests.web.test_unknown_ids import FIELDS as ACCEPTED
from tests.web.test_unknown_ids import PASSWORD

# Examples per run: make test runs these; make soak many more (the same variables).
FUZZ_EXAMPLES = int(os.environ.get("SURVEY_FUZZ_EXAMPLES", "1500"))
FUZZ_SERVER_EXAMPLES = int(os.environ.get("SURVEY_FUZZ_SERVER_EXAMPLES", "400"))
LONGEST_REQUEST_LINE = 65_535  # werkzeug's server refuses longer ones (414), as it should
SLOWEST = 5.0  # seconds; the slowest answer seen here is well under one (a report preview)
# A blank paper form is laid out by WeasyPrint in the request (about 1 s alone, four A4
# pages): allowed longer, so a busy machine does not fail the run on layout time.
RENDERED_IN_REQUEST = {
    "manage.version_paper_form": 30.0,
    "manage.round_paper_form": 30.0,
    "report_packs.download": 30.0,  # every unit's report decided again as the downloader
}
ACCOUNTS = {role: (email, units) for email, (role, units) in PEOPLE.items()}  # by role
ROLES = ["visitor", "respondent", *ACCOUNTS]
QUERY_NAMES = ["etter", "enhet", "rolle", "sendt", "neste", "side", "runde", "x"]
QUERY_VALUES = ["role", "unit", "pulje", "role,unit", "Levanger", "ordforer", "1", "/sekretariat/"]
UPLOADS = {  # files the product takes, to be sent whole or damaged
    "kvalitetskommune-2009.yaml": (QUESTIONNAIRES / "kvalitetskommune-2009.yaml").read_bytes(),
    "liste.csv": b"name;email;role;unit\nPer;per@frosta.kommune.no;radmann;Frosta\n",
    "svar.csv": b"email,q1,q5\nkari@levanger.kommune.no,ordforer,5\n",
    "tom.xlsx": b"PK\x03\x04" + b"\x00" * 200,
}
TAKES = {
    "manage.invitations": "liste.csv",
    "returned.import_page": "svar.csv",
    "manage.upload_questionnaire": "kvalitetskommune-2009.yaml",
}


CODE = "7KQM-2XRP-9D4T-H6WC"  # a one-time code of the world's code round


def form_fields() -> list[str]:
    """Every field of every secretariat form (so a new form is fuzzed without being named
    here), and what the respondent pages read."""
    import survey.web.accounts
    import survey.web.auth
    import survey.web.manage
    import survey.web.secretariat  # noqa: F401 - the forms are defined on import

    names = {"csrf_token", "action"}
    stack = list(FlaskForm.__subclasses__())
    while stack:
        form = stack.pop()
        stack.extend(form.__subclasses__())
        names |= {name for name, value in vars(form).items() if hasattr(value, "field_class")}
    read = {"q1", "q5", "q9b", "q10", "q14", "hvem_svarer", "tjenester", "kode"}
    read |= {"valg-q5", "ny-q5"}  # a paper form's difference settled (double entry)
    return sorted(names | read)


FIELDS = form_fields()
VALID = {  # a value each field accepts, so that a form can get past its checks
    **ACCEPTED,
    "password": PASSWORD,
    "repeat": PASSWORD,
    "role": "analyst",
    "closes_on": (date.today() + timedelta(days=30)).isoformat(),
    "q1": "ordforer",
    "valg-q5": "1",
    "kode": CODE,
    "action": "next",
    **{item: value for item, value in HOME_CARE_PAGE_1.items() if item != "action"},
    **LIKERT_P3,
}
GOOD_VALUES = [
    "ordforer",
    "5",
    "vet_ikke",
    "next",
    "back",
    "i gang",
    "vurdering_av_programmet",
    (date.today() + timedelta(days=30)).isoformat(),
    MAYOR,
    "{{ link }}",
    "kvalitetskommune-2009",
    "y",
]
ARGUMENT = re.compile(r"(<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>)")  # <converter(args):name>
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
LONG = st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(500, 20_000))


def likely(good: st.SearchStrategy, *bad: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly what the product itself would send, so that requests get past the first check
    and reach the code behind it; otherwise one of the wrong ones."""
    return st.one_of(good, good, good, *bad)


@dataclass
class World:
    """The app, its database file, the state every example starts from, and what a real
    user of each role would send: cookies, CSRF tokens, and the ids that exist."""

    app: object
    case: Setup
    template: sqlite3.Connection
    start: dict
    cookies: dict[str, str]
    tokens: dict[str, str]  # role -> CSRF token
    ids: dict[str, list[str]]
    rules: list
    seen: Counter = field(default_factory=Counter)

    def restore(self) -> None:
        live = sqlite3.connect(self.case.db_path)
        try:
            self.template.backup(live)
        finally:
            live.close()


def _without_allowed_writes(state: dict, endpoint: str) -> dict:
    """The state with the writes a refusal may make taken out (see the module's docstring)."""
    state = dict(state)
    state["sessions"] = [row[:3] for row in state.get("sessions", [])]  # without last_seen
    if endpoint == "auth.sign_in_page":
        state["users"] = [row[:5] + row[7:] for row in state["users"]]  # without the counts
        state["audit_log"] = [row for row in state["audit_log"] if row[3] != "sign-in failed"]
    return state


@pytest.fixture
def world(setup, tmp_path) -> World:  # noqa: F811
    db = open_database(setup.db_path)
    publish(db, load_file(QUESTIONNAIRES / "brukerundersokelse-hjemmetjeneste.yaml"))
    anonymous = create_round(
        db, "brukerundersokelse-hjemmetjeneste", "Brukerundersøkelse", anonymous=True
    )
    coded = create_round(
        db, "brukerundersokelse-hjemmetjeneste", "Med koder", anonymous=True, open_link=False
    )
    add_codes(db, coded.id, [code_digest(CODE)])
    measure = add_measure(
        db, setup.round_id, "Levanger", "vurdering_av_programmet", "Møte", "Kari",
        date.today() + timedelta(days=60), "admin@ks.no",
    )  # fmt: skip
    employees = (QUESTIONNAIRES / "medarbeiderundersokelse.yaml").read_text(encoding="utf-8")
    draft = create_draft(db, "ansatte", employees, "fil", "admin@ks.no")
    for email, role, units in [(e, r, u) for r, (e, u) in ACCOUNTS.items()]:
        add_user(db, email, PASSWORD, role, units)
    db.close()
    with sqlite3.connect(setup.db_path) as sent:  # the mayor's invitation went out
        sent.execute(
            "INSERT INTO mailings (invitation_id, kind, sent_at) SELECT id, 'invitation', "
            "'2009-11-02T08:00:00+00:00' FROM invitations WHERE email = ?",
            [MAYOR],
        )
    sent.close()
    app = create_app(
        {
            "DATABASE": setup.db_path,
            "SECRET_KEY": "test",
            "TOKEN_FAILURE_LIMIT": 1_000_000,  # the brake is tested on its own
            "ANONYMOUS_RESPONSE_LIMIT": 1_000_000,
            "WORKERS": 0,  # see the module's docstring
            # where the test client's requests come in: mail may be sent (and refused for
            # everything else than a link that would not lead here)
            "BASE_URL": "http://localhost",
        }
    )
    cookies, tokens = {"visitor": ""}, {"visitor": ""}
    mayor = app.test_client()
    token = setup.tokens[MAYOR]
    post_page(mayor, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    post_page(mayor, f"/s/{token}/side/3", {**LIKERT_P3, "action": "next"})
    # the mayor's paper form came in too: held beside her web answers for a choice
    held_db = open_database(setup.db_path, migrate=False)
    import_responses(
        held_db,
        operator(),
        setup.round_id,
        f"email,q1,q5\n{MAYOR},ordforer,2\n".encode(),
    )
    (conflict_id,) = held_db.execute("SELECT id FROM held_responses").fetchone()
    # a paper form keyed twice, differently, under double entry: its resolve page
    assign_numbers(held_db, setup.round_id)
    (leader,) = held_db.execute(
        "SELECT id FROM invitations WHERE round_id = ? AND role = 'prosjektleder'",
        [setup.round_id],
    ).fetchone()
    keying_id = add_keying(
        held_db, setup.round_id, leader, {"q1": "4", "q5": "3"}, "en@ks.no", after=0
    )
    add_keying(held_db, setup.round_id, leader, {"q1": "4", "q5": "4"}, "to@ks.no", after=1)
    # a report pack whose jobs were purged since (a week on): its zip decides each report
    # again, and queues the ones whose files are gone
    order_report_pack(held_db, operator(), setup.round_id, max_attempts=1)
    held_db.execute("DELETE FROM jobs WHERE job_key IN (SELECT job_key FROM report_pack_entries)")
    held_db.close()
    respondent = app.test_client()
    post_page(respondent, f"/a/{anonymous.open_token}/side/1", HOME_CARE_PAGE_1)
    kept = respondent.get_cookie(ANONYMOUS_COOKIE, path=f"/a/{anonymous.open_token}")
    cookies["respondent"] = f"{ANONYMOUS_COOKIE}={kept.value}"
    tokens["respondent"] = csrf(
        respondent.get(f"/a/{anonymous.open_token}/side/2").get_data(as_text=True)
    )
    for role, (email, _) in ACCOUNTS.items():
        client = app.test_client()
        post_page(client, "/logg-inn", {"email": email, "password": PASSWORD})
        tokens[role] = csrf(client.get("/sekretariat/").get_data(as_text=True))
        session = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        cookies[role] = f"{session.key}={session.value}"
    survey.web.database.close_all()
    template = sqlite3.connect(":memory:", check_same_thread=False)
    live = sqlite3.connect(setup.db_path)
    live.backup(template)
    live.close()
    ids = {
        # the invited round twice: most routes take only it, and each must be accepted
        "round_id": [str(setup.round_id), str(setup.round_id), str(anonymous.id), str(coded.id)],
        "version_id": ["1", "2"],
        "measure_id": [str(measure.id)],
        "conflict_id": [str(conflict_id)],
        "keying_id": [str(keying_id)],
        "draft_id": [str(draft.id)],  # unknown ones: tests/web/test_unknown_ids.py
        "account_id": [str(n) for n in range(1, len(ACCOUNTS) + 2)],  # and one unknown
        "number": [str(n) for n in range(0, 10)] + ["99"],
        "token": [*setup.tokens.values(), anonymous.open_token, CODE],
        # the name of a cached report whose status is asked, or a report asset
        "name": [
            f"runde-{setup.round_id}-{'0' * 16}-{'0' * 32}",
            "report.css",
            "fonts/DejaVuSans.ttf",
            "../report.html",
            "..%2f..%2fsetup.cfg",
            *(f"runde-{r}-{'0' * 16}-{'0' * 32}" for r in (setup.round_id, anonymous.id, coded.id)),
        ],
        "filename": ["survey.css", "../survey/__init__.py", "favicon.svg"],
    }
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))
    return World(app, setup, template, everything(setup), cookies, tokens, ids, rules)


@dataclass
class Request:
    role: str
    endpoint: str
    method: str
    path: str
    query: str
    form: dict
    file: tuple[str, bytes] | None


def damaged(content: bytes, data) -> bytes:
    """The file cut short, with a stretch overwritten, or with bytes put in."""
    at = data.draw(st.integers(0, len(content)))
    how = data.draw(st.sampled_from(["cut", "overwrite", "insert", "whole"]))
    if how == "cut":
        return content[:at]
    noise = data.draw(st.binary(min_size=1, max_size=64))
    if how == "overwrite":
        return content[:at] + noise + content[at + len(noise) :]
    if how == "insert":
        return content[:at] + noise + content[at:]
    return content


def draw_request(world: World, data, route: tuple | None = None) -> Request:
    """One request. Half are *plausible* (existing ids, the role's own CSRF token, fields
    with values the forms accept, each perhaps with one thing wrong), so that they get past
    the first check and reach the code behind it; the others are wrong throughout."""
    if route is not None:
        plausible, (rule, method) = True, route
    else:
        plausible = data.draw(st.booleans(), label="plausible")
        rule = data.draw(st.sampled_from(world.rules), label="route")
        method = data.draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
    role = data.draw(st.sampled_from(["admin", "admin", *ROLES] if plausible else ROLES))
    path = rule.rule
    for placeholder, converter, choices, name in ARGUMENT.findall(rule.rule):
        good = [c.strip() for c in choices.split(",")] if converter == "any" else world.ids[name]
        bad = [st.integers(-5, 10**30).map(str), TEXT]
        value = data.draw(
            st.sampled_from(good) if plausible else likely(st.sampled_from(good), *bad)
        )
        path = path.replace(placeholder, quote(value, safe="/" if converter == "path" else ""))
    values = (
        st.sampled_from(QUERY_VALUES)
        if plausible
        else st.one_of(st.sampled_from(QUERY_VALUES), TEXT, LONG)
    )
    names = (
        st.sampled_from(QUERY_NAMES) if plausible else st.one_of(st.sampled_from(QUERY_NAMES), TEXT)
    )
    query = urlencode(data.draw(st.dictionaries(names, values, max_size=1 if plausible else 3)))
    form: dict = {}
    file = None
    if method == "POST":
        csrf_token = (
            world.tokens[role]
            if plausible
            else data.draw(likely(st.just(world.tokens[role]), TEXT, st.none()))
        )
        if csrf_token is not None:
            form["csrf_token"] = csrf_token
        if plausible or data.draw(st.booleans(), label="valid fields first"):
            form |= VALID
        form |= data.draw(
            st.dictionaries(
                st.one_of(st.sampled_from(FIELDS), TEXT),
                st.one_of(st.sampled_from(GOOD_VALUES), TEXT, LONG),
                max_size=1 if plausible else 4,
            ),
            label="form",
        )
        if plausible and rule.endpoint in TAKES:
            file = (TAKES[rule.endpoint], UPLOADS[TAKES[rule.endpoint]])
        elif data.draw(st.booleans(), label="with a file"):
            name = data.draw(st.one_of(st.sampled_from(sorted(UPLOADS)), TEXT), label="file name")
            content = damaged(UPLOADS[name], data) if name in UPLOADS else data.draw(st.binary())
            file = (name, content)
    return Request(role, rule.endpoint, method, path, query, form, file)


def builder(world: World, request: Request) -> EnvironBuilder:
    data: dict = dict(request.form)
    if request.file is not None:
        data["file"] = (io.BytesIO(request.file[1]), request.file[0] or "fil")
    return EnvironBuilder(
        path=request.path,
        method=request.method,
        query_string=request.query,
        data=data or None,
        headers={"Cookie": world.cookies[request.role]} if world.cookies[request.role] else {},
    )


@dataclass
class Answer:
    status: int
    location: str
    body: bytes
    seconds: float


def through_test_client(world: World, request: Request) -> Answer:
    client = world.app.test_client(use_cookies=False)
    started = time.perf_counter()
    response = client.open(builder(world, request))
    body = response.get_data()
    response.close()  # a file sent from disk stays open until then, as a server would close it
    return Answer(
        response.status_code,
        response.headers.get("Location", ""),
        body,
        time.perf_counter() - started,
    )


def through_a_real_server(base: str, world: World, request: Request) -> Answer:
    environ = builder(world, request).get_environ()
    body = environ["wsgi.input"].read()
    headers = {"Content-Length": str(len(body))}
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    if world.cookies[request.role]:
        headers["Cookie"] = world.cookies[request.role]
    target = request.path + (f"?{request.query}" if request.query else "")
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=SLOWEST * 2)
    started = time.perf_counter()
    try:
        try:
            connection.request(request.method, target, body=body, headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            # The server may answer an over-long request line (414) and close before the
            # rest is sent; its answer is still there to read. Anything else is a failure.
            if len(target) < LONGEST_REQUEST_LINE:
                raise
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    return Answer(
        response.status, response.getheader("Location") or "", content,
        time.perf_counter() - started,
    )  # fmt: skip


def check(world: World, request: Request, answer: Answer) -> None:
    what = (request.role, request.method, request.path, request.query, answer.status)
    assert answer.status < 500, what
    assert b"Traceback" not in answer.body and b'File "/' not in answer.body, what
    assert answer.seconds < RENDERED_IN_REQUEST.get(request.endpoint, SLOWEST), (
        what,
        answer.seconds,
    )
    refused = answer.status >= 400 or "/logg-inn?neste=" in answer.location
    world.seen[request.endpoint, request.method, "refused" if refused else answer.status] += 1
    if refused:
        before = _without_allowed_writes(world.start, request.endpoint)
        after = _without_allowed_writes(everything(world.case), request.endpoint)
        changed = {t for t in before.keys() | after.keys() if before.get(t) != after.get(t)}
        assert not changed, (what, changed)


def fuzz(world: World, send, examples: int) -> None:
    """Run the fuzzing pass, each example from the same database."""

    # Every route and method once, plausibly, before the free draws: a pass that never
    # reached a route (sampling favours the first rules) would prove little about it.
    for route in [
        (rule, method)
        for rule in world.rules
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]:
        _once(world, send, route)

    @settings(
        max_examples=examples,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def one_request(data):
        world.restore()
        request = draw_request(world, data)
        check(world, request, send(request))

    one_request()
    for key, count in sorted(world.seen.items(), key=str):
        print(*key, count)


def _once(world: World, send, route: tuple) -> None:
    """Plausible requests to ``route`` (rule, method) until one gets past the checks the
    route makes before its work (the right role, an id of the round, a form filled in),
    which the free draws may never combine for a rarely sampled route: a dozen, and more
    only for a route that needs them."""
    rule, method = route
    for examples in (12, 60, 250):

        @settings(max_examples=examples, database=None)
        @given(data=st.data())
        def one_request(data):
            world.restore()
            request = draw_request(world, data, route)
            check(world, request, send(request))

        one_request()
        if (rule.endpoint, method) in accepted(world):
            return


def routes(world: World) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in world.rules
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def accepted(world: World) -> set[tuple[str, str]]:
    return {(endpoint, method) for endpoint, method, status in world.seen if status != "refused"}


def test_fuzzed_requests_to_every_route_answer_and_refusals_change_nothing(world):
    """Also checks that the pass got past the front door: every route and method was tried,
    and each answered something other than a refusal at least once (a pass that only ever
    met the CSRF check or the sign-in page would prove little)."""
    fuzz(world, lambda request: through_test_client(world, request), FUZZ_EXAMPLES)
    assert {(endpoint, method) for endpoint, method, _ in world.seen} == routes(world)
    assert routes(world) - accepted(world) == set()


def test_fuzzed_requests_through_a_real_server(world):
    with server_thread(world.app) as base:
        world.app.config["BASE_URL"] = base  # links lead to the server the requests go to
        send = lambda request: through_a_real_server(base, world, request)  # noqa: E731
        fuzz(world, send, FUZZ_SERVER_EXAMPLES)
    assert {(endpoint, method) for endpoint, method, _ in world.seen} == routes(world)
    assert len(accepted(world)) >= len(routes(world)) * 2 // 3
