"""Anonymous rounds: one open link, a cookie keeps each person's progress, no trace of who."""

from __future__ import annotations

from survey import create_app
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from survey.web.respond import COOKIE
from tests.conftest import QUESTIONNAIRES
from tests.web.conftest import HOME_CARE_PAGE_1, csrf, query


def anonymous_app(path: str, **settings):
    """An anonymous home-care round in the database at ``path`` (either store), an app on it."""
    db = open_database(path)
    publish(db, load_file(QUESTIONNAIRES / "brukerundersokelse-hjemmetjeneste.yaml"))
    round_ = create_round(
        db, "brukerundersokelse-hjemmetjeneste", "Hjemmetjenesten", anonymous=True
    )
    db.close()
    app = create_app({"DATABASE": path, "SECRET_KEY": "t", "TESTING": True, **settings})
    return app, path, round_.open_token


def test_each_browser_gets_its_own_response_and_keeps_it(database):
    app, path, token = anonymous_app(database)
    first, second = app.test_client(), app.test_client()
    page = first.get(f"/a/{token}/side/1")
    assert page.status_code == 200
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and f"Path=/a/{token}" in cookie
    posted = first.post(
        f"/a/{token}/side/1",
        data={
            "csrf_token": csrf(page.get_data(as_text=True)),
            **HOME_CARE_PAGE_1,
        },
    )
    assert posted.status_code == 302, posted.get_data(as_text=True)[:2000]
    page = second.get(f"/a/{token}/side/1")  # a response is stored with its first page
    data = {"csrf_token": csrf(page.get_data(as_text=True)), **HOME_CARE_PAGE_1}
    assert second.post(f"/a/{token}/side/1", data=data).status_code == 302
    db = open_database(path, migrate=False)
    rows = db.execute("SELECT session_key, role FROM responses ORDER BY id").fetchall()
    assert len(rows) == 2 and rows[0][0] != rows[1][0] and rows[0][1] == "bruker"
    assert len(rows[0][0]) == 64  # a hash of the cookie, not the cookie itself
    columns = {c[0] for c in db.execute("SELECT * FROM responses LIMIT 0").description}
    assert not columns & {"ip", "ip_address", "user_agent", "created_at"}
    started = db.execute("SELECT started_on FROM responses").fetchall()
    assert all(len(day) == 10 for (day,) in started)  # a date, not a time of day
    again = first.get(f"/a/{token}")  # the same browser resumes its own response
    assert "Fortsett der du slapp" in again.get_data(as_text=True)
    db.close()


def anonymous_cookie(response) -> str:
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(COOKIE)]
    return cookie


def test_the_anonymous_cookie_is_secure_when_the_base_url_is_https(database):
    """Behind a proxy that ends TLS the app sees plain http, yet the browser talks https:
    the cookie that keeps a respondent's answers must never travel unencrypted then (it
    used to follow only the request's own scheme). A plain http setup keeps working."""
    app, _, token = anonymous_app(database, BASE_URL="https://survey.kommune.no")
    first = app.test_client().get(f"/a/{token}")  # http, as from the proxy
    assert first.status_code == 200
    assert "; Secure" in anonymous_cookie(first)
    plain, _, token = anonymous_app(database, BASE_URL="http://127.0.0.1:5000")  # a 2nd round
    assert "Secure" not in anonymous_cookie(plain.test_client().get(f"/a/{token}"))
    tls = plain.test_client().get(f"/a/{token}", base_url="https://127.0.0.1:5000")
    assert "; Secure" in anonymous_cookie(tls)  # the request's own scheme still counts


def everything(path) -> dict[str, list[tuple]]:
    db = open_database(path, migrate=False)
    try:
        tables = db.table_names()
        return {t: db.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        db.close()


def save_first_page(client, token: str, **extra):
    page = client.get(f"/a/{token}/side/1", **extra)
    data = {"csrf_token": csrf(page.get_data(as_text=True)), **HOME_CARE_PAGE_1}
    return client.post(f"/a/{token}/side/1", data=data, **extra)


def test_opening_an_anonymous_link_writes_no_row_until_a_page_is_saved(database):
    app, path, token = anonymous_app(database)
    before = everything(path)
    for n in range(2_000):  # each a new browser: no cookie, as a flood of link openers has
        client = app.test_client()
        url = (f"/a/{token}", f"/a/{token}/side/1", f"/a/{token}/ferdig")[n % 3]
        assert client.get(url).status_code in (200, 302)
    assert everything(path) == before  # not a row, not a change anywhere
    browser = app.test_client()
    assert browser.get(f"/a/{token}").status_code == 200
    assert save_first_page(browser, token).status_code == 302
    assert query(path, "SELECT role, page FROM responses") == [("bruker", 2)]
    again = browser.get(f"/a/{token}").get_data(as_text=True)
    assert "Fortsett der du slapp" in again  # and the browser resumes it


def test_new_anonymous_responses_are_limited_per_client_address_and_link(database):
    app, path, token = anonymous_app(database, ANONYMOUS_RESPONSE_LIMIT=3)
    office = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}}
    browsers = [app.test_client() for _ in range(4)]
    for browser in browsers[:3]:
        assert save_first_page(browser, token, **office).status_code == 302
    refused = save_first_page(browsers[3], token, **office)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "<h1>For mange forsøk</h1>" in html and "mange nye besvarelser" in html
    count = "SELECT count(*) FROM responses"
    assert query(path, count) == [(3,)]
    # Those already answering go on; another address, or another link, is not held up.
    page = browsers[0].get(f"/a/{token}/side/2", **office)
    assert page.status_code == 200
    assert save_first_page(browsers[3], token).status_code == 302  # from 127.0.0.1
    db = open_database(path)
    other = create_round(db, "brukerundersokelse-hjemmetjeneste", "Neste", anonymous=True)
    db.close()
    assert save_first_page(browsers[3], other.open_token, **office).status_code == 302
    assert query(path, count) == [(5,)]
