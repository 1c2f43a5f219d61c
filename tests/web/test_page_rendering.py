"""What the respondent pages keep doing while they are built more cheaply: per-version
questionnaires, error markup on every input, static links under a mount point, the session
signature following the secret key."""

from __future__ import annotations

import re

import pytest
from itsdangerous import BadSignature

from survey import create_app
from survey.invitation_list import Person
from survey.questionnaire import load_text
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from tests.conftest import QUESTIONNAIRES
from tests.web.conftest import csrf

LEADER = "ola@verdal.kommune.no"


def inputs(html: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', html)


def post_page(client, url, data):
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf(page.get_data(as_text=True)), **data})


def test_each_round_shows_the_questionnaire_version_it_was_opened_with(setup):
    text = (QUESTIONNAIRES / "kvalitetskommune-2009.yaml").read_text()
    edited = text.replace("\nversion: 1\n", "\nversion: 2\n").replace(
        "title: Evaluering av Kvalitetskommuneprogrammet", "title: Evaluering, andre runde"
    )
    db = open_database(setup.db_path)
    publish(db, load_text(edited, "edited.yaml"))
    second = create_round(db, "kvalitetskommune-2009", "Evaluering 2010")
    person = Person("Per Hansen", "per@levanger.kommune.no", "radmann", "Levanger", {})
    (invitation,) = add_invitations(db, second.id, [person])
    db.close()
    client = setup.app.test_client()
    first_token = setup.tokens["kari@levanger.kommune.no"]
    for _ in range(2):  # the second time from whatever the first requests kept
        old = client.get(f"/s/{first_token}/side/1").get_data(as_text=True)
        new = client.get(f"/s/{invitation.token}/side/1").get_data(as_text=True)
        assert "Evaluering av Kvalitetskommuneprogrammet" in old
        assert "andre runde" not in old
        assert "Evaluering, andre runde" in new


def test_an_error_marks_every_input_of_its_field_and_no_other(setup):
    client = setup.app.test_client()
    url = f"/s/{setup.tokens[LEADER]}/side/3"
    reply = post_page(client, url, {"q5": "9", "q6": "4", "action": "next"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert '<p class="error" id="q5-feil">' in html
    assert '<a href="#q5">' in html  # the summary links to the first input
    wrong = inputs(html, "q5")
    assert len(wrong) == 6  # the six points of the scale
    assert all('aria-describedby="q5-feil" aria-invalid="true"' in tag for tag in wrong)
    assert not any("aria-invalid" in tag for tag in inputs(html, "q6"))
    kept = [tag for tag in inputs(html, "q6") if re.search(r"\schecked\b", tag)]
    assert len(kept) == 1 and 'value="4"' in kept[0]  # what was typed stays


def test_a_wrong_specify_number_marks_its_own_input(setup):
    client = setup.app.test_client()
    token = setup.tokens[LEADER]
    post_page(client, f"/s/{token}/side/1", {"q1": "prosjektleder", "action": "next"})
    data = {"q2": "nei", "q3": "skifte", "q4": "frikjopt", "q4__frikjopt": "mye", "action": "next"}
    html = post_page(client, f"/s/{token}/side/2", data).get_data(as_text=True)
    (detail,) = inputs(html, "q4__frikjopt")
    assert 'aria-invalid="true" aria-describedby="q4-feil"' in detail
    assert 'value="mye"' in detail
    assert '<span class="unit">%</span>' in html
    assert all("aria-invalid" in tag for tag in inputs(html, "q4"))
    assert not any("aria-invalid" in tag for tag in inputs(html, "q3"))
    assert "Du kan velge flere." in html


def test_an_optional_question_says_so(setup):
    client = setup.app.test_client()
    html = client.get(f"/s/{setup.tokens[LEADER]}/side/5").get_data(as_text=True)
    assert '<span class="optional">(valgfritt)</span>' in html
    assert '<textarea id="q14" name="q14" rows="6">' in html


def test_static_files_are_linked_under_the_mount_point(setup):
    client = setup.app.test_client()
    url = f"/s/{setup.tokens[LEADER]}/side/1"
    mounted = client.get(url, base_url="http://localhost/undersokelse").get_data(as_text=True)
    plain = client.get(url).get_data(as_text=True)
    assert 'href="/undersokelse/static/survey.css"' in mounted
    assert 'action="/undersokelse/s/' in mounted
    assert 'href="/static/survey.css"' in plain
    assert 'href="/static/favicon.svg"' in plain


def test_session_signature_follows_a_changed_secret_key(setup):
    app = setup.app
    interface = app.session_interface
    signing = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is signing  # built once, not per request
    cookie = signing.dumps({"csrf_token": "x"})
    app.config["SECRET_KEY"] = "rotated"
    with pytest.raises(BadSignature):
        interface.get_signing_serializer(app).loads(cookie)
    app.config["SECRET_KEY_FALLBACKS"] = ["test"]
    assert interface.get_signing_serializer(app).loads(cookie) == {"csrf_token": "x"}


def test_a_form_from_a_session_signed_with_another_key_is_refused(setup):
    url = f"/s/{setup.tokens[LEADER]}/side/5"
    client = setup.app.test_client()
    token = csrf(client.get(url).get_data(as_text=True))
    other = create_app({"DATABASE": setup.db_path, "SECRET_KEY": "another", "TESTING": True})
    foreign = other.test_client()
    foreign.set_cookie("session", client.get_cookie("session").value)
    reply = foreign.post(url, data={"csrf_token": token, "q14": "Hei", "action": "next"})
    assert reply.status_code == 400
    assert "Siden ble for gammel" in reply.get_data(as_text=True)
    assert setup.rows("SELECT count(*) FROM responses WHERE submitted = 1") == [(0,)]


def test_every_type_of_question_is_drawn_with_its_own_inputs(database):
    path = database
    db = open_database(path)
    publish(db, load_text(EVERY_TYPE, "alle.yaml"))
    token = create_round(db, "alle-typer", "Alle typer", anonymous=True).open_token
    db.close()
    app = create_app({"DATABASE": path, "SECRET_KEY": "t", "TESTING": True})
    html = app.test_client().get(f"/a/{token}/side/1").get_data(as_text=True)
    types = {name: re.findall(r'type="(\w+)"', " ".join(inputs(html, name))) for name in NAMES}
    assert types == {
        "en": ["radio"] * 5,
        "p1": ["radio"] * 5,
        "p2": ["radio"] * 5,
        "valg": ["radio"] * 2,
        "valg2": ["checkbox"] * 2,
        "tall": ["text"],
        "kort": ["text"],
        "lang": [],
    }
    assert 'inputmode="decimal" class="number" id="tall"' in html
    assert '<textarea id="lang" name="lang" rows="6">' in html
    assert '<h2 class="matrix-heading">Påstander</h2>' in html
    assert "<legend>Første</legend>" in html and "<legend>Andre</legend>" in html
    assert 'Flere valg <span class="hint">Du kan velge flere.</span></legend>' in html
    assert "Ett valg</legend>" in html


NAMES = ("en", "p1", "p2", "valg", "valg2", "tall", "kort", "lang")
EVERY_TYPE = """
id: alle-typer
version: 1
title: Alle typer
scales:
  fem: {points: 5}
pages:
  - id: side
    questions:
      - {id: en, type: likert, text: En påstand, scale: fem}
      - id: flere
        type: likert_matrix
        text: Påstander
        scale: fem
        items: [{id: p1, text: Første}, {id: p2, text: Andre}]
      - {id: valg, type: single_choice, text: Ett valg, choices: [{code: ja, label: Ja}, {code: nei, label: Nei}]}
      - {id: valg2, type: multiple_choice, text: Flere valg, choices: [{code: a, label: A}, {code: b, label: B}]}
      - {id: tall, type: number, text: Et tall}
      - {id: kort, type: text, text: Kort tekst}
      - {id: lang, type: long_text, text: Lang tekst}
"""
