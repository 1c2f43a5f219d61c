"""The workspace's "Brukere" pages through the test client (issue 20, defect 9): admins only,
every change through the operations and audited, problems shown at their fields with what
was typed, the last admin kept, and a disabled account's open session refused at once."""

from __future__ import annotations

import re

import pytest

from survey import create_app
from survey.storage import open_database
from survey.storage.users import add_user, audit_entries
from tests.web.conftest import csrf

ADMIN = "admin@sekretariatet.no"
ANALYST = "analytiker@sekretariatet.no"
LEADER = "leder@verdal.kommune.no"
PASSWORD = "et langt og godt passord"


@pytest.fixture
def app(tmp_path, database):
    path = database
    db = open_database(path)
    add_user(db, ADMIN, PASSWORD, "admin")
    add_user(db, ANALYST, PASSWORD, "analyst")
    add_user(db, LEADER, PASSWORD, "unit-leader", ["Verdal"])
    db.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "test", "TESTING": True})
    app.instance_path = str(tmp_path / "instance")
    return app


def rows(app, sql: str, *params) -> list[tuple]:
    db = open_database(app.config["DATABASE"], migrate=False)
    try:
        return db.execute(sql, list(params)).fetchall()
    finally:
        db.close()


def audit(app) -> list[tuple[str, str, str]]:
    """(actor, action, detail), oldest first, without sign-ins."""
    db = open_database(app.config["DATABASE"], migrate=False)
    try:
        entries = reversed(audit_entries(db))
        return [(a, act, d) for _, a, act, d in entries if act not in ("signed in",)]
    finally:
        db.close()


def signed_in(app, email: str):
    client = app.test_client()
    page = client.get("/logg-inn").get_data(as_text=True)
    answer = client.post(
        "/logg-inn", data={"csrf_token": csrf(page), "email": email, "password": PASSWORD}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def account_id(app, email: str) -> int:
    return rows(app, "SELECT id FROM users WHERE email = ?", email)[0][0]


def post(client, url: str, data: dict, form_page: str | None = None):
    page = client.get(form_page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf(page), **data})


def main(response) -> str:
    html = response.get_data(as_text=True)
    return html[html.index("<main") :]


def test_only_admins_reach_the_accounts_pages_and_the_header_links_them(app):
    analyst_id = account_id(app, ANALYST)
    urls = [
        ("GET", "/sekretariat/brukere/"),
        ("GET", "/sekretariat/brukere/ny"),
        ("POST", "/sekretariat/brukere/ny"),
        ("GET", f"/sekretariat/brukere/{analyst_id}"),
        ("POST", f"/sekretariat/brukere/{analyst_id}"),
        ("POST", f"/sekretariat/brukere/{analyst_id}/passord"),
        ("GET", f"/sekretariat/brukere/{analyst_id}/deaktiver"),
        ("POST", f"/sekretariat/brukere/{analyst_id}/deaktiver"),
        ("POST", f"/sekretariat/brukere/{analyst_id}/aktiver"),
    ]
    assert {url for _, url in urls} >= {
        rule.rule.replace("<int:account_id>", str(analyst_id))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("accounts.")
    }
    for email in (ANALYST, LEADER):
        client = signed_in(app, email)
        token = csrf(client.get("/sekretariat/").get_data(as_text=True))
        assert "/sekretariat/brukere/" not in main(client.get("/sekretariat/"))
        for method, url in urls:
            data = {"csrf_token": token, "role": "admin", "email": "x@ks.no"}
            answer = client.open(url, method=method, data=data)
            assert answer.status_code == 403, (email, method, url)
            assert "Ingen tilgang" in answer.get_data(as_text=True)
    assert rows(app, "SELECT email, role, disabled_at FROM users ORDER BY id") == [
        (ADMIN, "admin", None),
        (ANALYST, "analyst", None),
        (LEADER, "unit-leader", None),
    ]
    anonymous = app.test_client().get("/sekretariat/brukere/")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/logg-inn")
    admin = signed_in(app, ADMIN)
    assert '<a href="/sekretariat/brukere/">Brukere</a>' in main(admin.get("/sekretariat/"))


def test_the_list_shows_role_units_status_and_last_sign_in(app):
    admin = signed_in(app, ADMIN)
    html = main(admin.get("/sekretariat/brukere/"))
    table = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index("<table") :]))
    assert "E-post Rolle Enheter Status Sist innlogget" in table
    assert f"{ADMIN} administrator alle aktiv " in table  # then when: just now
    assert f"{ANALYST} analytiker alle aktiv aldri" in table
    assert f"{LEADER} enhetsleder Verdal aktiv aldri" in table


def test_an_admin_adds_a_unit_leader_who_can_then_sign_in_and_it_is_audited(app):
    admin = signed_in(app, ADMIN)
    answer = post(
        admin,
        "/sekretariat/brukere/ny",
        {
            "email": " Ny.Leder@Levanger.kommune.no ",
            "role": "unit-leader",
            "units": "Levanger\r\n\r\nLevanger sykehjem\r\n",
            "password": "et helt nytt passord",
            "repeat": "et helt nytt passord",
        },
    )
    new_id = account_id(app, "ny.leder@levanger.kommune.no")
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/sekretariat/brukere/{new_id}?melding=lagt-til"
    page = main(admin.get(answer.headers["Location"]))
    assert "Kontoen er lagt til." in page and "Levanger, Levanger sykehjem" in page
    assert rows(app, "SELECT role, units FROM users WHERE id = ?", new_id) == [
        ("unit-leader", '["Levanger", "Levanger sykehjem"]')
    ]
    assert audit(app)[-1] == (
        ADMIN,
        "user added",
        "ny.leder@levanger.kommune.no (unit-leader) for Levanger, Levanger sykehjem",
    )
    client = app.test_client()
    form = client.get("/logg-inn").get_data(as_text=True)
    signed = client.post(
        "/logg-inn",
        data={
            "csrf_token": csrf(form),
            "email": "ny.leder@levanger.kommune.no",
            "password": "et helt nytt passord",
        },
    )
    assert signed.status_code == 302


def test_problems_are_shown_in_bokmal_at_their_fields_with_what_was_typed(app):
    admin = signed_in(app, ADMIN)
    answer = post(
        admin,
        "/sekretariat/brukere/ny",
        {
            "email": "kari at levanger.no",
            "role": "unit-leader",
            "units": "   ",
            "password": "kort",
            "repeat": "annet",
        },
    )
    assert answer.status_code == 422
    html = main(answer)
    assert 'value="kari at levanger.no"' in html  # kept
    assert '<option selected value="unit-leader">' in html
    assert 'value="kort"' not in html  # a password is never sent back
    summary = html[html.index('class="error-summary"') : html.index("</div>")]
    assert re.findall(r'<a href="#(\w+)">', summary) == ["email", "units", "password", "repeat"]
    for field, message in (
        ("email", "Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."),
        ("units", "En enhetsleder må ha minst én enhet."),
        ("password", "Passordet må ha minst 12 tegn."),
        ("repeat", "Passordene er ikke like. Skriv det samme to ganger."),
    ):
        assert f'<p class="error" id="{field}-feil">{message}</p>' in html
        assert re.search(rf'<(input|textarea)[^>]*aria-describedby="[^"]*{field}-feil"', html)
    # an address that has an account already: said at the address, the rest kept
    taken = post(
        admin,
        "/sekretariat/brukere/ny",
        {
            "email": ANALYST.upper(),
            "role": "analyst",
            "units": "",
            "password": PASSWORD,
            "repeat": PASSWORD,
        },
    )
    assert taken.status_code == 422
    assert f'id="email-feil">Det finnes allerede en konto for {ANALYST}.</p>' in main(taken)
    assert len(rows(app, "SELECT * FROM users")) == 3
    assert [action for _, action, _ in audit(app)] == []


def test_a_role_change_is_audited_and_applies_to_the_open_session_at_once(app):
    analyst = signed_in(app, ANALYST)
    admin = signed_in(app, ADMIN)
    url = f"/sekretariat/brukere/{account_id(app, ANALYST)}"
    refused = post(admin, url, {"role": "unit-leader", "units": ""})
    assert refused.status_code == 422
    assert "En enhetsleder må ha minst én enhet." in main(refused)
    answer = post(admin, url, {"role": "unit-leader", "units": "Verdal\nLevanger"})
    assert answer.status_code == 302 and answer.headers["Location"] == f"{url}?melding=rolle"
    assert rows(app, "SELECT role, units FROM users WHERE email = ?", ANALYST) == [
        ("unit-leader", '["Verdal", "Levanger"]')
    ]
    assert audit(app)[-1] == (
        ADMIN,
        "role changed",
        f"{ANALYST}: analyst -> unit-leader for Verdal, Levanger",
    )
    header = main(analyst.get("/sekretariat/"))  # the same cookie, the new role
    assert f"{ANALYST} (enhetsleder)" in header
    log = main(admin.get("/sekretariat/revisjon"))  # the audit page, in bokmål
    assert "<td>rolle endret</td>" in log
    assert f"{ANALYST}: analytiker → enhetsleder for Verdal, Levanger" in log


def test_disabling_asks_first_then_ends_the_accounts_open_session_at_once(app):
    analyst = signed_in(app, ANALYST)
    assert analyst.get("/sekretariat/").status_code == 200
    admin = signed_in(app, ADMIN)
    url = f"/sekretariat/brukere/{account_id(app, ANALYST)}/deaktiver"
    question = admin.get(url)
    assert question.status_code == 200
    assert f"Deaktiver {ANALYST}?" in main(question)
    assert rows(app, "SELECT disabled_at FROM users WHERE email = ?", ANALYST) == [(None,)]
    assert analyst.get("/sekretariat/").status_code == 200  # asking changed nothing

    without_token = admin.post(url, data={})
    assert without_token.status_code == 400
    assert rows(app, "SELECT disabled_at FROM users WHERE email = ?", ANALYST) == [(None,)]

    done = post(admin, url, {})
    assert done.status_code == 302
    listed = main(admin.get(done.headers["Location"]))
    assert "Kontoen er deaktivert, og alle øktene til kontoen er avsluttet." in listed
    assert re.search(
        rf"{ANALYST}</a></th>\s*<td>analytiker</td>\s*<td>alle</td>\s*"
        r"<td>deaktivert</td>",
        listed,
    )
    refused = analyst.get("/sekretariat/")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/logg-inn")
    user_id = account_id(app, ANALYST)
    assert rows(app, "SELECT count(*) FROM sessions WHERE user_id = ?", user_id) == [(0,)]
    assert audit(app)[-1] == (ADMIN, "user disabled", f"{ANALYST}: 1 session ended")

    enabled = post(
        admin, f"/sekretariat/brukere/{user_id}/aktiver", {}, f"/sekretariat/brukere/{user_id}"
    )
    assert enabled.status_code == 302
    assert "Kontoen er aktivert igjen" in main(admin.get(enabled.headers["Location"]))
    assert audit(app)[-1] == (ADMIN, "user enabled", ANALYST)
    assert "<td>bruker aktivert igjen</td>" in main(admin.get("/sekretariat/revisjon"))
    assert refused.status_code == 302  # the old session stays ended; a new sign-in works
    assert signed_in(app, ANALYST).get("/sekretariat/").status_code == 200


def test_the_last_admin_can_neither_disable_nor_demote_themselves(app):
    admin = signed_in(app, ADMIN)
    own = account_id(app, ADMIN)
    disabled = post(admin, f"/sekretariat/brukere/{own}/deaktiver", {})
    assert disabled.status_code == 409
    message = (
        f"{ADMIN} er den eneste aktive administratoren. Gjør en annen konto til administrator "
        "først, ellers kan ingen lenger styre brukere og runder."
    )
    assert message in main(disabled)
    demoted = post(admin, f"/sekretariat/brukere/{own}", {"role": "analyst", "units": ""})
    assert demoted.status_code == 409 and message in main(demoted)
    assert '<option selected value="analyst">' in main(demoted)  # the form as it was sent
    assert rows(app, "SELECT role, disabled_at FROM users WHERE id = ?", own) == [("admin", None)]
    assert admin.get("/sekretariat/brukere/").status_code == 200  # still signed in, still admin
    assert audit(app) == []

    # with a second admin, an admin may step down, and the accounts pages close to them
    post(admin, f"/sekretariat/brukere/{account_id(app, ANALYST)}", {"role": "admin", "units": ""})
    stepped_down = post(admin, f"/sekretariat/brukere/{own}", {"role": "analyst", "units": ""})
    assert stepped_down.headers["Location"] == "/sekretariat/"
    assert admin.get("/sekretariat/brukere/").status_code == 403


def test_an_admin_sets_a_new_password_and_the_accounts_sessions_end(app):
    leader = signed_in(app, LEADER)
    admin = signed_in(app, ADMIN)
    url = f"/sekretariat/brukere/{account_id(app, LEADER)}"
    short = post(admin, f"{url}/passord", {"password": "kort", "repeat": "kort"}, url)
    assert short.status_code == 422
    assert '<p class="error" id="password-feil">Passordet må ha minst 12 tegn.</p>' in main(short)
    done = post(
        admin,
        f"{url}/passord",
        {"password": "et nytt langt passord", "repeat": "et nytt langt passord"},
        url,
    )
    assert done.status_code == 302
    assert leader.get("/sekretariat/").status_code == 302
    assert audit(app)[-1] == (ADMIN, "password changed", f"{LEADER}: 1 session ended")
