"""Anonymous rounds: one open link, a cookie keeps each person's progress, no trace of who."""

from __future__ import annotations

from survey import create_app
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from survey.web.respond import COOKIE
from tests.conftest import QUESTIONNAIRES
from tests.web.conftest import HOME_CARE_PAGE_1, csrf


def anonymous_app(tmp_path, **settings):
    path = str(tmp_path / "anon.sqlite3")
    db = open_database(path)
    publish(db, load_file(QUESTIONNAIRES / "brukerundersokelse-hjemmetjeneste.yaml"))
    round_ = create_round(
        db, "brukerundersokelse-hjemmetjeneste", "Hjemmetjenesten", anonymous=True
    )
    db.conn.close()
    app = create_app({"DATABASE": path, "SECRET_KEY": "t", "TESTING": True, **settings})
    return app, path, round_.open_token


def test_each_browser_gets_its_own_response_and_keeps_it(tmp_path):
    app, path, token = anonymous_app(tmp_path)
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
    second.get(f"/a/{token}/side/1")
    db = open_database(path, migrate=False)
    rows = db.execute("SELECT session_key, role FROM responses ORDER BY id").fetchall()
    assert len(rows) == 2 and rows[0][0] != rows[1][0] and rows[0][1] == "bruker"
    assert len(rows[0][0]) == 64  # a hash of the cookie, not the cookie itself
    columns = {c.name for c in db["responses"].columns}
    assert not columns & {"ip", "ip_address", "user_agent", "created_at"}
    started = db.execute("SELECT started_on FROM responses").fetchall()
    assert all(len(day) == 10 for (day,) in started)  # a date, not a time of day
    again = first.get(f"/a/{token}")  # the same browser resumes its own response
    assert "Fortsett der du slapp" in again.get_data(as_text=True)
    db.conn.close()


def anonymous_cookie(response) -> str:
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(COOKIE)]
    return cookie


def test_the_anonymous_cookie_is_secure_when_the_base_url_is_https(tmp_path):
    """Behind a proxy that ends TLS the app sees plain http, yet the browser talks https:
    the cookie that keeps a respondent's answers must never travel unencrypted then (it
    used to follow only the request's own scheme). A plain http setup keeps working."""
    app, _, token = anonymous_app(tmp_path, BASE_URL="https://survey.kommune.no")
    first = app.test_client().get(f"/a/{token}")  # http, as from the proxy
    assert first.status_code == 200
    assert "; Secure" in anonymous_cookie(first)
    plain, _, token = anonymous_app(tmp_path / "plain", BASE_URL="http://127.0.0.1:5000")
    assert "Secure" not in anonymous_cookie(plain.test_client().get(f"/a/{token}"))
    tls = plain.test_client().get(f"/a/{token}", base_url="https://127.0.0.1:5000")
    assert "; Secure" in anonymous_cookie(tls)  # the request's own scheme still counts
