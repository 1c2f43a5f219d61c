"""Forged form posts: values no form offers, fields of other questions, other rounds.

A wrong value is refused with the page shown again and a message beside the field; a field
the respondent was never shown is ignored; either way nothing wrong reaches the database.
(A forged answer to a project-leader question posted on another page is covered by
tests/web/test_answering.py::test_mayor_cannot_reach_or_store_project_leader_questions.)"""

from __future__ import annotations

import re

import pytest

from survey import create_app
from survey.invitation_list import Person
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from tests.conftest import QUESTIONNAIRES
from tests.security.conftest import (
    LEADER,
    LIKERT_P3,
    MAYOR,
    csrf,
    everything,
    post_page,
    stored,
)
from tests.web.conftest import HOME_CARE_PAGE_1

SCALE = "Velg et tall fra 1 til 6."
CHOOSE = "Velg et av alternativene."


def summarised(html: str, target: str, message: str) -> bool:
    """The error summary links to ``target`` with ``message``, naming its question."""
    link = rf'<a href="#{re.escape(target)}"><span class="question-name">[^<]+</span> '
    return re.search(link + re.escape(message) + "</a>", html) is not None


@pytest.mark.parametrize(
    ("forged", "message"),
    [
        ({"q5": "7"}, SCALE),
        ({"q5": "0"}, SCALE),
        ({"q5": "-1"}, SCALE),
        ({"q5": "5.5"}, SCALE),
        ({"q5": "1e1"}, SCALE),
        ({"q5": "vet_ikke"}, SCALE),  # a not-scored code q5's scale does not have
        ({"q5": "5 OR 1=1"}, SCALE),
        ({"q5": ["5", "6"]}, CHOOSE),  # the same field twice
        ({"q9b": "xyz"}, CHOOSE),  # an unknown code
        ({"q9b": "ja_begge"}, CHOOSE),  # a code of another question (q10)
        ({"q9b": ["ja", "nei"]}, CHOOSE),
        ({"q9b": ""}, "Du må svare på dette spørsmålet."),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else None,
)
def test_values_no_form_offers_are_refused_and_nothing_changes(setup, forged, message):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    before = everything(setup)
    r = post_page(client, f"/s/{token}/side/3", {**LIKERT_P3, **forged, "action": "next"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'class="error-summary"' in html
    (field,) = forged
    assert summarised(html, field, message)
    assert everything(setup) == before


@pytest.mark.parametrize(
    ("forged", "link", "message"),
    [
        ({"q4__frikjopt": "101"}, "q4__frikjopt", "Skriv et tall fra 0 til 100."),
        ({"q4__frikjopt": "-1"}, "q4__frikjopt", "Skriv et tall fra 0 til 100."),
        ({"q4__frikjopt": "1e400"}, "q4__frikjopt", "Skriv et tall."),
        ({"q4__frikjopt": "50); DROP TABLE answers"}, "q4__frikjopt", "Skriv et tall."),
        (
            {"q3": ["skifte", "ingen_endringer"]},
            "q3",
            "«Ingen endringer» kan ikke kombineres med andre svar.",
        ),
        ({"q3": ["skifte", "ja"]}, "q3", CHOOSE),
    ],
)
def test_forged_details_and_combinations_are_refused(setup, forged, link, message):
    client = setup.app.test_client()
    token = setup.tokens[LEADER]
    post_page(client, f"/s/{token}/side/1", {"q1": "prosjektleder", "action": "next"})
    valid = {"q2": "nei", "q3": "skifte", "q4": "frikjopt", "q4__frikjopt": "50"}
    before = everything(setup)
    r = post_page(client, f"/s/{token}/side/2", {**valid, **forged, "action": "next"})
    assert r.status_code == 200
    assert summarised(r.get_data(as_text=True), link, message)
    assert everything(setup) == before


def test_a_detail_for_an_option_not_chosen_is_ignored(setup):
    client = setup.app.test_client()
    token = setup.tokens[LEADER]
    post_page(client, f"/s/{token}/side/1", {"q1": "prosjektleder", "action": "next"})
    data = {"q2": "nei", "q2__ja": "smuglet", "q3": "skifte", "q4": "ikke_frikjopt"}
    r = post_page(client, f"/s/{token}/side/2", {**data, "q4__frikjopt": "50", "action": "next"})
    assert r.status_code == 302
    assert [row for row in stored(setup, LEADER) if row[0] in ("q2", "q4")] == [
        ("q2", "nei", None, None),
        ("q4", "ikke_frikjopt", None, None),
    ]


def test_the_same_detail_field_twice_stores_one_value(setup):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    data = {"q1": "annet", "q1__annet": ["første", "andre"], "action": "next"}
    assert post_page(client, f"/s/{token}/side/1", data).status_code == 302
    assert stored(setup, MAYOR) == [("q1", "annet", None, "første")]


def test_posting_a_page_hidden_from_the_role_stores_nothing(setup):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    page = client.get(f"/s/{token}/side/3")
    before = everything(setup)
    r = client.post(
        f"/s/{token}/side/2",
        data={
            "csrf_token": csrf(page.get_data(as_text=True)),
            "q2": "ja",
            "q2__ja": "smuglet",
            "q3": "skifte",
            "q4": "ikke_frikjopt",
            "action": "next",
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/side/3")
    assert everything(setup) == before


@pytest.mark.parametrize(
    ("page", "data", "item"),
    [
        (2, {"q2": "nei", "q3": "skifte", "q4": "frikjopt", "q4__frikjopt": "500"}, "q4"),
        (2, {"q2": "nei", "q3": ["skifte", "ingen_endringer"], "q4": "ikke_frikjopt"}, "q3"),
        (5, {"q14": "x" * 5001}, "q14"),
    ],
)
def test_the_back_button_never_stores_what_next_would_refuse(setup, page, data, item):
    client = setup.app.test_client()
    token = setup.tokens[LEADER]
    post_page(client, f"/s/{token}/side/1", {"q1": "prosjektleder", "action": "next"})
    r = post_page(client, f"/s/{token}/side/{page}", {**data, "action": "back"})
    assert r.status_code == 302  # going back never complains ...
    assert item not in {row[0] for row in stored(setup, LEADER)}  # ... nor stores it
    assert ("q1", "prosjektleder", None, None) in stored(setup, LEADER)


def test_jumping_to_the_last_page_does_not_submit_unanswered_pages(setup):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    r = post_page(client, f"/s/{token}/side/5", {"q14": "Hopper over", "action": "next"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/side/3")
    assert setup.rows("SELECT submitted, page FROM responses") == [(0, 3)]
    assert ("q14", "", None, "Hopper over") in stored(setup, MAYOR)  # kept, not lost
    assert client.get(f"/s/{token}/ferdig").status_code == 302  # no thank-you yet


def test_missing_or_foreign_csrf_token_is_refused_with_400(setup):
    client, other = setup.app.test_client(), setup.app.test_client()
    token = setup.tokens[MAYOR]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    foreign_token = csrf(other.get(f"/s/{setup.tokens[LEADER]}/side/1").get_data(as_text=True))
    before = everything(setup)
    missing = client.post(f"/s/{token}/side/3", data={**LIKERT_P3, "action": "next"})
    foreign = client.post(
        f"/s/{token}/side/3", data={**LIKERT_P3, "csrf_token": foreign_token, "action": "next"}
    )
    for r in (missing, foreign):
        assert r.status_code == 400
        assert "Siden ble for gammel" in r.get_data(as_text=True)
    assert everything(setup) == before


def test_a_link_of_one_kind_or_round_opens_nothing_else(setup, tmp_path):
    """Tokens are not interchangeable: an invitation token is no open link, an open link no
    invitation, and an anonymous browser's cookie means nothing in another round."""
    db = setup.db()
    publish(db, load_file(QUESTIONNAIRES / "brukerundersokelse-hjemmetjeneste.yaml"))
    first = create_round(db, "brukerundersokelse-hjemmetjeneste", "A", anonymous=True)
    second = create_round(db, "brukerundersokelse-hjemmetjeneste", "B", anonymous=True)
    db.close()
    client = setup.app.test_client()
    unknown = client.get("/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    for url in (f"/a/{setup.tokens[MAYOR]}", f"/s/{first.open_token}"):
        r = client.get(url)
        assert (r.status_code, r.get_data()) == (404, unknown.get_data())
    page = client.get(f"/a/{first.open_token}/side/1")
    cookie = client.get_cookie("survey_anonymous", path=f"/a/{first.open_token}")
    r = client.post(
        f"/a/{first.open_token}/side/1",
        data={
            "csrf_token": csrf(page.get_data(as_text=True)),
            **HOME_CARE_PAGE_1,
        },
    )
    assert r.status_code == 302
    # The same secret presented to round B belongs to nobody there: a fresh, empty response.
    client.set_cookie("survey_anonymous", cookie.value, path=f"/a/{second.open_token}")
    page_b = client.get(f"/a/{second.open_token}/side/1").get_data(as_text=True)
    assert "checked" not in page_b
    # (it is stored with its first saved page, under a key of its own)
    data = {"csrf_token": csrf(page_b), **HOME_CARE_PAGE_1, "hvem_svarer": "parorende"}
    assert client.post(f"/a/{second.open_token}/side/1", data=data).status_code == 302
    rows = setup.rows("SELECT round_id, session_key, role FROM responses ORDER BY id")
    assert [(r[0], r[2]) for r in rows] == [(first.id, "bruker"), (second.id, "parorende")]
    assert rows[0][1] != rows[1][1]


def test_an_invited_round_refuses_tokens_of_people_in_another_round(tmp_path):
    path = str(tmp_path / "s.sqlite3")
    db = open_database(path)
    publish(db, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    open_round = create_round(db, "kvalitetskommune-2009", "Åpen")
    closed = create_round(db, "kvalitetskommune-2009", "Lukket")
    person = Person("Kari", "kari@ex.no", "ordforer", "Levanger", {})
    (live,) = add_invitations(db, open_round.id, [person])
    (old,) = add_invitations(db, closed.id, [person])
    db.execute("UPDATE rounds SET closed_at = '2009-12-01' WHERE id = ?", [closed.id])
    db.close()
    client = create_app({"DATABASE": path, "SECRET_KEY": "t", "TESTING": True}).test_client()
    page = client.get(f"/s/{live.token}/side/1")
    r = client.post(
        f"/s/{old.token}/side/1",
        data={"csrf_token": csrf(page.get_data(as_text=True)), "q1": "radmann", "action": "next"},
    )
    assert r.status_code == 404
    db = open_database(path, migrate=False)
    # nothing at all: the visit to the live link only read (a response is stored with its
    # first saved page), and the post to the closed round's link was refused
    assert db.execute("SELECT invitation_id, role FROM responses").fetchall() == []
    db.close()


def test_a_refused_first_post_to_an_invited_link_stores_nothing(setup):
    """Found by the fuzzing pass: the first visit of an invited link stored an empty response
    before the page was even checked, so a post refused for its missing CSRF token (400)
    still wrote a row. Now a response is stored with its first saved page, as anonymous
    ones are."""
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    assert client.get(f"/s/{token}").status_code == 200
    assert client.get(f"/s/{token}/side/1").status_code == 200
    r = client.post(f"/s/{token}/side/1", data={"q1": "ordforer", "action": "next"})
    assert r.status_code == 400
    assert setup.rows("SELECT count(*) FROM responses") == [(0,)]
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    assert setup.rows("SELECT role, page FROM responses") == [("ordforer", 3)]
