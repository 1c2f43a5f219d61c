"""Every page the app can show, rendered once, for checkers the project does not write.

The validators (the W3C Nu checker, HTML_CodeSniffer) are only as good as the pages they
see, so this walks what a respondent and the secretariat can reach, with real data: every
page of every bundled questionnaire as each role (its error state too), the start, thank-you
and code pages, every secretariat page with and without problems in its forms, and the
error pages. It records which templates were rendered (Flask's ``template_rendered``
signal); a test asserts that every template was, so a new page is checked the day it is
added rather than the day someone remembers.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import template_rendered

from survey import create_app
from survey.demo import national_2009_round
from survey.invitation_list import Person
from survey.questionnaire import load_file
from survey.return_codes import return_code
from survey.storage import open_database
from survey.storage import responses as store
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.return_codes import assign_numbers
from survey.storage.rounds import close_round, create_round
from survey.storage.users import add_user, disable_user
from survey.web import errors
from survey.web.security import TooManyFailures
from tests.conftest import QUESTIONNAIRES

PASSWORD = "et langt og godt passord"
ADMIN = "admin@sekretariatet.no"
LEADER = "leder@levanger.kommune.no"  # leads two units: the page that asks which


@dataclass
class Pages:
    """HTML by a name that says what the page is, and the templates rendered for them."""

    html: dict[str, str] = field(default_factory=dict)
    templates: set[str] = field(default_factory=set)
    base_url: str = ""

    def add(self, name: str, response, *statuses: int) -> str:
        body = response.get_data(as_text=True)
        assert response.status_code in (statuses or (200,)), (name, response.status_code, body)
        assert name not in self.html, name
        self.html[name] = body
        return body


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def collect(tmp_path: Path) -> Pages:
    db_path = str(tmp_path / "pages.sqlite3")
    db = open_database(db_path)
    rounds = {}
    for path in sorted(QUESTIONNAIRES.glob("*.yaml")):
        loaded = load_file(path)
        publish(db, loaded)
        questionnaire = loaded.questionnaire
        invited = create_round(db, questionnaire.id, f"Runde {questionnaire.id}", min_group_size=3)
        roles = [role.code for role in questionnaire.roles] or [None]
        people = [
            Person(f"Person {n}", f"p{n}@{questionnaire.id}.example.no", role, unit, {})
            for n, (role, unit) in enumerate(
                (role, unit) for role in roles for unit in ("Levanger", "Verdal")
            )
        ]
        invitations = add_invitations(db, invited.id, people)
        anonymous = create_round(
            db, questionnaire.id, f"Åpen {questionnaire.id}", anonymous=True, open_link=True
        )
        rounds[questionnaire.id] = (questionnaire, invited, invitations, anonymous)
    add_user(db, ADMIN, PASSWORD, "admin")
    add_user(db, LEADER, PASSWORD, "unit-leader", ["Levanger", "Verdal"])
    db.close()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test", "TESTING": True})
    app.instance_path = str(tmp_path / "instance")
    pages = Pages()

    def rendered(_sender, template, **_extra) -> None:
        pages.templates.add(template.name)

    template_rendered.connect(rendered, app)
    try:
        for questionnaire, _invited, invitations, anonymous in rounds.values():
            _respondent_pages(app, pages, questionnaire, invitations, anonymous)
        _secretariat_pages(app, pages, db_path, rounds)
        _error_pages(app, pages, rounds)
    finally:
        template_rendered.disconnect(rendered, app)
    return pages


def _respondent_pages(app, pages: Pages, questionnaire, invitations, anonymous) -> None:
    """Every page as each role (one invitation per role), each page's error state (sent
    empty), and the anonymous round's start page."""
    qid = questionnaire.id
    seen_roles = set()
    for invitation in invitations:
        if invitation.role in seen_roles:
            continue
        seen_roles.add(invitation.role)
        client = app.test_client()
        who = f"{qid} {invitation.role or 'alle'}"
        pages.add(f"start {who}", client.get(f"/s/{invitation.token}"))
        for number in range(1, len(questionnaire.pages) + 1):
            response = client.get(f"/s/{invitation.token}/side/{number}")
            if response.status_code == 302:  # not shown to this role
                continue
            html = pages.add(f"side {number} {who}", response)
            empty = client.post(
                f"/s/{invitation.token}/side/{number}",
                data={"csrf_token": token_of(html), "action": "next"},
            )
            if empty.status_code == 200:  # a page with something required
                pages.add(f"side {number} med feil {who}", empty)
        expired = client.post(f"/s/{invitation.token}/side/1", data={"action": "next"})
        pages.add(f"side 1 utløpt {who}", expired, 400)
    open_client = app.test_client()
    pages.add(f"start {qid} åpen lenke", open_client.get(f"/a/{anonymous.open_token}"))
    last = invitations[-1]
    db = open_database(app.config["DATABASE"])
    try:
        response = store.response_for_invitation(
            db, last.round_id, last.id, last.role, last.unit, last.attributes
        )
        store.save_answers(db, questionnaire, response, {}, page=1, role=last.role, submitting=True)
    finally:
        db.close()
    pages.add(f"takk {qid}", app.test_client().get(f"/s/{last.token}/ferdig"))


def _secretariat_pages(app, pages: Pages, db_path: str, rounds: dict) -> None:
    client = app.test_client()
    sign_in = pages.add("logg inn", client.get("/logg-inn"))
    wrong = client.post(
        "/logg-inn", data={"csrf_token": token_of(sign_in), "email": ADMIN, "password": "feil"}
    )
    pages.add("logg inn med feil", wrong, 200, 401, 422)
    done = client.post(
        "/logg-inn", data={"csrf_token": token_of(sign_in), "email": ADMIN, "password": PASSWORD}
    )
    assert done.status_code == 302
    _, _, _, anonymous = rounds["kvalitetskommune-2009"]
    db = open_database(db_path)
    rid = national_2009_round(db, municipalities=12).id  # a round with answers
    db.close()
    rounds_page = pages.add("runder", client.get("/sekretariat/"))
    token = token_of(rounds_page)
    pages.add("runde", client.get(f"/sekretariat/runder/{rid}"))
    pages.add("runde anonym", client.get(f"/sekretariat/runder/{anonymous.id}"))
    pages.add("invitasjoner", client.get(f"/sekretariat/runder/{rid}/invitasjoner"))
    pages.add("invitasjoner anonym", client.get(f"/sekretariat/runder/{anonymous.id}/invitasjoner"))
    bad_list = client.post(
        f"/sekretariat/runder/{rid}/invitasjoner",
        data={"csrf_token": token, "file": (_bytes("name;email\nKari;ikke-en-adresse\n"), "l.csv")},
        content_type="multipart/form-data",
    )
    pages.add("invitasjoner med feil", bad_list, 200, 422)
    pages.add("e-posttekst", client.get(f"/sekretariat/runder/{rid}/epost/invitation"))
    bad_text = client.post(
        f"/sekretariat/runder/{rid}/epost/reminder",
        data={"csrf_token": token, "subject": "Hei", "body": "{{ lenke"},
    )
    pages.add("e-posttekst med feil", bad_text, 200, 422)
    pages.add("ny runde", client.get("/sekretariat/runder/ny"))
    bad_round = client.post(
        "/sekretariat/runder/ny",
        data={"csrf_token": token, "name": "", "min_group_size": "1"},
    )
    pages.add("ny runde med feil", bad_round, 200, 422)
    pages.add("last opp", client.get("/sekretariat/sporreskjema"))
    broken = (QUESTIONNAIRES / "medarbeiderundersokelse.yaml").read_text(encoding="utf-8")
    broken = broken.replace("type: likert", "type: likret", 1) + "\n  - feil: [\n"
    bad_upload = client.post(
        "/sekretariat/sporreskjema",
        data={"csrf_token": token, "file": (_bytes(broken), "skjema.yaml")},
        content_type="multipart/form-data",
    )
    pages.add("last opp med feil", bad_upload, 200, 422)
    _editor_pages(client, pages, token)
    version = open_database(db_path).execute("SELECT max(id) FROM questionnaire_versions")
    pages.add("forhåndsvisning", client.get(f"/sekretariat/sporreskjema/{version.fetchone()[0]}"))
    codes_round = create_round_with_codes(db_path)
    pages.add(
        "engangskoder",
        client.post(
            f"/sekretariat/runder/{codes_round}/koder", data={"csrf_token": token, "count": "3"}
        ),
    )
    settings = f"/sekretariat/runder/{rid}/innstillinger"
    pages.add("innstillinger", client.get(settings))
    wrong = {"csrf_token": token, "name": "", "closes_on": "2001-01-01", "min_group_size": "1"}
    pages.add("innstillinger med feil", client.post(settings, data=wrong), 422)
    pages.add(
        "bekreft lukking",
        client.post(f"/sekretariat/runder/{rid}/lukk", data={"csrf_token": token}),
    )
    send = f"/sekretariat/runder/{rid}/send/invitation"
    pages.add("sending stoppet", client.post(send, data={"csrf_token": token}), 409)
    app.config["BASE_URL"] = "http://localhost"  # where the test client's requests come in
    pages.add("bekreft sending", client.post(send, data={"csrf_token": token}))
    _returned_pages(client, pages, db_path, rid, token)
    pages.add("revisjonslogg", client.get("/sekretariat/revisjon"))
    pages.add("rapport i nettleseren", client.get(f"/sekretariat/runder/{rid}/rapport"))
    pages.add("rapporten lages", client.get(f"/sekretariat/runder/{rid}/rapport.pdf"), 202)
    leader = app.test_client()
    form = leader.get("/logg-inn").get_data(as_text=True)
    leader.post(
        "/logg-inn", data={"csrf_token": token_of(form), "email": LEADER, "password": PASSWORD}
    )
    pages.add("velg enhet", leader.get(f"/sekretariat/runder/{rid}"))
    pages.add("enhetens side", leader.get(f"/sekretariat/runder/{rid}?enhet=Levanger"))
    _account_pages(client, pages, token)
    _queued_pages(app, client, leader, pages, rid, token)


def _queued_pages(app, client, leader, pages: Pages, rid: int, token: str) -> None:
    """Work left to workers, as its pages show it while it waits (no worker runs here): the
    report pack before and after it is ordered, as the admin and as a unit leader sees it,
    and the invitations page while a batch of mail is being sent."""
    from survey.web import manage

    app.config["WORKERS"] = 0
    pack = f"/sekretariat/runder/{rid}/rapportpakke"
    pages.add("rapportpakke", client.get(pack))
    assert client.post(pack, data={"csrf_token": token}).status_code == 302
    pages.add("rapportpakke bestilt", client.get(pack))
    pages.add("rapportpakke for enhetsleder", leader.get(pack))
    wait, manage.MAIL_WAIT = manage.MAIL_WAIT, 0.0
    try:
        sent = client.post(
            f"/sekretariat/runder/{rid}/send/invitation",
            data={"csrf_token": token, "bekreft": "ja"},
        )
    finally:
        manage.MAIL_WAIT = wait
    assert "utsending=" in sent.location, sent.get_data(as_text=True)[:500]
    pages.add("invitasjoner under utsending", client.get(sent.location))


def _returned_pages(client, pages: Pages, db_path: str, rid: int, token: str) -> None:
    """Paper forms imported: the page, its refusal and its summary; the round page with
    a person who answered both ways, answers kept aside and answers by channel; the
    question which of the two responses counts."""
    db = open_database(db_path)
    rows = db.execute(
        "SELECT i.email, i.role, r.id IS NOT NULL FROM invitations i LEFT JOIN responses r "
        "ON r.invitation_id = i.id WHERE i.round_id = ? AND i.role = 'ordforer' ORDER BY i.id",
        [rid],
    ).fetchall()
    db.close()
    on_web = next(email for email, _, answered in rows if answered)
    unanswered = [email for email, _, answered in rows if not answered][:6]
    header = "email,q1,q2,q5,q6,q7,q8,q9a,q9b,q10,q11a,q11b,q12,q13\n"
    forms = f"{on_web},ordforer,,5,,4,4,4,ja,nei,nei,nei,4,4\n" + "".join(
        f"{email},ordforer,nei,3,3,,3,3,ja,nei,nei,nei,3,3\n" for email in unanswered
    )
    url = f"/sekretariat/runder/{rid}/import"
    pages.add("importer svar", client.get(url))
    refused = client.post(
        url,
        data={"csrf_token": token, "file": (_bytes(header + "x@y.no,ordforer,,9\n"), "s.csv")},
        content_type="multipart/form-data",
    )
    pages.add("importer svar med feil", refused, 422)
    done = client.post(
        url,
        data={"csrf_token": token, "file": (_bytes(header + forms), "svar.csv")},
        content_type="multipart/form-data",
    )
    pages.add("importerte svar", done)
    overview = pages.add("runde med papirsvar", client.get(f"/sekretariat/runder/{rid}"))
    action = re.search(r'action="(/sekretariat/runder/\d+/valg/\d+)"', overview)
    assert action, "the round page offers the choice"
    asked = client.post(action.group(1), data={"csrf_token": token, "keep": "held"})
    pages.add("velg svar", asked)
    _data_entry_pages(client, pages, db_path, rid, token)


def _data_entry_pages(client, pages: Pages, db_path: str, rid: int, token: str) -> None:
    """Fast data entry: the empty form, a form refused (a code mistyped, a point off the
    scale) with its error summary, and the form saved with the next one asked for."""
    db = open_database(db_path)
    numbers = assign_numbers(db, rid)
    db.close()
    url = f"/sekretariat/runder/{rid}/skjema"
    pages.add("skriv inn skjema", client.get(url))
    wrong = {"csrf_token": token, "return_code": "000 001 9", "q1": "1", "q5": "9"}
    pages.add("skriv inn skjema med feil", client.post(url, data=wrong), 422)
    code = return_code(max(numbers.values()))
    saved = client.post(url, data={"csrf_token": token, "return_code": code, "q1": "1", "q5": "4"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    pages.add("skjema lagret", client.get(saved.location))
    _double_entry_pages(client, pages, db_path, rid, token, return_code(max(numbers.values()) - 1))


def _double_entry_pages(
    client, pages: Pages, db_path: str, rid: int, token: str, code: str
) -> None:
    """Double entry: the settings page with it on, a first keying held, a second keying by
    another admin that differs, its resolve page and that page refused."""
    settings = f"/sekretariat/runder/{rid}/innstillinger"
    name = re.search(r'id="name"[^>]*value="([^"]*)"', client.get(settings).get_data(as_text=True))
    on = {"csrf_token": token, "name": name.group(1) if name else "Runde", "min_group_size": "5"}
    assert client.post(settings, data={**on, "double_entry": "y"}).status_code == 302
    pages.add("innstillinger med dobbel innskriving", client.get(settings))
    url = f"/sekretariat/runder/{rid}/skjema"
    first = client.post(url, data={"csrf_token": token, "return_code": code, "q1": "1", "q5": "4"})
    assert first.status_code == 302, first.get_data(as_text=True)
    pages.add("første innskriving lagret", client.get(first.location))
    db = open_database(db_path)
    add_user(db, "andre@ks.no", PASSWORD, "admin")
    db.close()
    other = client.application.test_client()
    form = other.get("/logg-inn").get_data(as_text=True)
    other_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    other.post(
        "/logg-inn",
        data={"csrf_token": other_token, "email": "andre@ks.no", "password": PASSWORD},
    )
    entry = other.get(url).get_data(as_text=True)
    other_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', entry).group(1)
    second = {"csrf_token": other_token, "return_code": code, "q1": "1", "q5": "5", "q6": "2"}
    differs = other.post(url, data=second)
    assert differs.status_code == 302, differs.get_data(as_text=True)
    pages.add("forskjeller", other.get(differs.location))
    refused = other.post(differs.location, data={"csrf_token": other_token, "valg-q5": "1"})
    pages.add("forskjeller med feil", refused, 422)
    pages.add("skriv inn skjema med forskjeller", other.get(url))
    db = open_database(db_path)
    disable_user(db, "andre@ks.no")  # the accounts' pages below need one admin only
    db.close()


def _account_pages(client, pages: Pages, token: str) -> None:
    """The accounts ("Brukere"): the list, adding one (with every problem at once), an
    account's page (its forms refused too), asking before disabling, the last admin kept,
    and a disabled account's page."""
    pages.add("brukere", client.get("/sekretariat/brukere/"))
    pages.add("ny bruker", client.get("/sekretariat/brukere/ny"))
    wrong = {"email": "kari at ks.no", "role": "unit-leader", "units": " ", "password": "kort"}
    bad = client.post("/sekretariat/brukere/ny", data={"csrf_token": token, **wrong})
    pages.add("ny bruker med feil", bad, 422)
    new = {"email": "analytiker@ks.no", "role": "analyst", "password": PASSWORD}
    added = client.post(
        "/sekretariat/brukere/ny", data={"csrf_token": token, **new, "repeat": PASSWORD}
    )
    assert added.status_code == 302, added.get_data(as_text=True)
    page = added.headers["Location"]
    pages.add("bruker", client.get(page))
    pages.add(
        "bruker med feil",
        client.post(page, data={"csrf_token": token, "role": "unit-leader", "units": ""}),
        422,
    )
    pages.add(
        "bruker med passordfeil",
        client.post(f"{page.split('?')[0]}/passord", data={"csrf_token": token, "password": "x"}),
        422,
    )
    account = page.split("?")[0]
    pages.add("deaktiver bruker", client.get(f"{account}/deaktiver"))
    assert client.post(f"{account}/deaktiver", data={"csrf_token": token}).status_code == 302
    pages.add("deaktivert bruker", client.get(account))
    admin_id = open_database(client.application.config["DATABASE"]).execute(
        "SELECT id FROM users WHERE email = ?", [ADMIN]
    )
    last = f"/sekretariat/brukere/{admin_id.fetchone()[0]}"
    pages.add(
        "deaktiver siste administrator",
        client.post(f"{last}/deaktiver", data={"csrf_token": token}),
        409,
    )
    pages.add(
        "siste administrator blir analytiker",
        client.post(last, data={"csrf_token": token, "role": "analyst", "units": ""}),
        409,
    )


def _editor_pages(client, pages: Pages, token: str) -> None:
    """Writing a questionnaire in the browser: the templates, the editor with and without
    errors, and the preview's pages (start, a page, its error state, the end)."""
    new = "/sekretariat/sporreskjema/ny"
    pages.add("nytt spørreskjema", client.get(new))
    taken = {"csrf_token": token, "template": "fil:medarbeiderundersokelse.yaml"}
    refused = client.post(new, data={**taken, "questionnaire_id": "Ansatte!", "title": ""})
    pages.add("nytt spørreskjema med feil", refused, 422)
    started = client.post(new, data={**taken, "questionnaire_id": "ansatte", "title": "Ansatte"})
    assert started.status_code == 302, started.status_code
    editor = started.location
    text = (QUESTIONNAIRES / "medarbeiderundersokelse.yaml").read_text(encoding="utf-8")
    text = text.replace("id: medarbeiderundersokelse", "id: ansatte", 1)
    broken = text.replace("type: likert_matrix", "type: likret_matrix", 1) + "\n  - feil: [\n"
    pages.add("redigering", client.get(editor))
    answer = client.post(editor, data={"csrf_token": token, "text": broken, "action": "publiser"})
    pages.add("redigering med feil", answer)
    answer = client.post(editor, data={"csrf_token": token, "text": text, "action": "kontroller"})
    pages.add("redigering lagret", answer)
    preview = f"{editor}/forhandsvisning"
    pages.add("forhåndsvisning start", client.get(f"{preview}?rolle=leder"))
    pages.add("forhåndsvisning side 1", client.get(f"{preview}/side/1?rolle=leder"))
    empty = client.post(f"{preview}/side/1?rolle=leder", data={"csrf_token": token})
    pages.add("forhåndsvisning side 1 med feil", empty)
    last = client.get(f"{preview}/side/11?rolle=leder")
    pages.add("forhåndsvisning siste side", last)
    done = client.post(f"{preview}/side/11?rolle=leder", data={"csrf_token": token})
    pages.add("forhåndsvisning ferdig", done)


def create_round_with_codes(db_path: str) -> int:
    db = open_database(db_path)
    try:
        return create_round(
            db, "kvalitetskommune-2009", "Koder", anonymous=True, open_link=False
        ).id
    finally:
        db.close()


def _error_pages(app, pages: Pages, rounds: dict) -> None:
    client = app.test_client()
    pages.add("finnes ikke", client.get("/finnes/ikke"), 404)
    _, _, invitations, _ = rounds["kvalitetskommune-2009"]
    pages.add(
        "for stort",
        client.post(f"/s/{invitations[1].token}/side/1", data={"x": "x" * 3_000_000}),
        413,
    )
    pages.add("tilgjengelighetserklæring", client.get("/tilgjengelighet"))
    pages.add("kode", client.get("/kode"))
    code_page = pages.html["kode"]
    pages.add(
        "kode feil",
        client.post("/kode", data={"csrf_token": token_of(code_page), "kode": "ABCD-EFGH"}),
        200,
        404,
        422,
    )
    pages.add("ikke tillatt", client.post("/s/" + invitations[1].token), 405)
    admin = app.test_client()
    form = admin.get("/logg-inn").get_data(as_text=True)
    admin.post(
        "/logg-inn", data={"csrf_token": token_of(form), "email": ADMIN, "password": PASSWORD}
    )
    pages.add("sekretariatet finnes ikke", admin.get("/sekretariat/runder/4242"), 404)
    invited = rounds["kvalitetskommune-2009"][1]
    pages.add("uten csrf", admin.post(f"/sekretariat/runder/{invited.id}/lukk", data={}), 400)
    # Pages a test cannot easily bring about over HTTP (a guessing brake, a full disk):
    # their handlers' output, rendered as the handlers render it.
    with app.test_request_context("/s/x/side/1"):
        html, _status, _ = errors._too_many(TooManyFailures(120))
        pages.html["for mange forsøk"] = html
        pages.html["midlertidig utilgjengelig"] = errors.unavailable_page()
    closed = rounds["brukerundersokelse-hjemmetjeneste"][3]
    db = open_database(app.config["DATABASE"])
    close_round(db, closed.id)
    db.close()
    pages.add("lukket runde", client.get(f"/a/{closed.open_token}"), 404, 410)


def _bytes(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))
