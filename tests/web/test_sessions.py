"""Secretariat sessions end on the server (issue 15): signing out, a password change and
disabling an account end them, and so do the idle and the absolute timeout. The clock is
the app's own, moved by the test: no sleeping, and no dependence on today's date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from survey import create_app
from survey.storage import open_database
from survey.storage.users import add_user, audit_entries
from tests.web.conftest import csrf

ADMIN = "admin@sekretariatet.no"
ANALYST = "analytiker@sekretariatet.no"
PASSWORD = "et langt og godt passord"
NEW_PASSWORD = "et nytt og enda lengre passord"


class Clock:
    """A clock that stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_app(tmp_path, path: str, clock: Clock, **settings):
    """An admin and an analyst in the database at ``path`` (either store), an app on it."""
    db = open_database(path)
    add_user(db, ADMIN, PASSWORD, "admin")
    add_user(db, ANALYST, PASSWORD, "analyst")
    db.close()
    app = create_app({"DATABASE": path, "SECRET_KEY": "test", "TESTING": True, **settings})
    app.instance_path = str(tmp_path / "instance")
    app.extensions["survey_clock"] = clock
    return app


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(tmp_path, database, clock)


def rows(app, sql: str) -> list[tuple]:
    db = open_database(app.config["DATABASE"], migrate=False)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def audit(app) -> list[tuple[str, str, str]]:
    """(actor, action, detail), newest first."""
    db = open_database(app.config["DATABASE"], migrate=False)
    try:
        return [(actor, action, detail) for _, actor, action, detail in audit_entries(db)]
    finally:
        db.close()


def sign_in(app, email: str, password: str = PASSWORD):
    client = app.test_client()
    page = client.get("/logg-inn")
    answer = client.post(
        "/logg-inn",
        data={
            "csrf_token": csrf(page.get_data(as_text=True)),
            "email": email,
            "password": password,
        },
    )
    return client, answer


def signed_in(app, email: str):
    client, answer = sign_in(app, email)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def opens_workspace(client) -> bool:
    """True if the client gets the workspace; False if it is sent to sign in (nothing else)."""
    response = client.get("/sekretariat/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/logg-inn?neste=")
        return False
    assert response.status_code == 200 and "Logg ut" in response.get_data(as_text=True)
    return True


def test_a_session_cookie_copied_before_sign_out_is_refused_after_it(app):
    client = signed_in(app, ADMIN)
    copied = client.get_cookie("session").value
    # another browser that was never signed in and sends nothing but the copied cookie
    thief = app.test_client(use_cookies=False)
    headers = {"Cookie": f"session={copied}"}
    assert thief.get("/sekretariat/", headers=headers).status_code == 200

    page = client.get("/sekretariat/").get_data(as_text=True)
    assert client.post("/logg-ut", data={"csrf_token": csrf(page)}).status_code == 302

    refused = thief.get("/sekretariat/", headers=headers)
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/logg-inn?neste=")
    assert not opens_workspace(client)
    assert rows(app, "SELECT * FROM sessions") == []
    assert audit(app)[0] == (ADMIN, "signed out", "")


def test_the_cookie_holds_only_a_random_session_id_stored_hashed(app):
    client = signed_in(app, ADMIN)
    with client.session_transaction() as session:
        session_id = session["secretariat_session"]
        assert set(session) <= {"secretariat_session", "csrf_token"}
    assert len(session_id) >= 32
    ((id_hash, user_id),) = rows(app, "SELECT id_hash, user_id FROM sessions")
    assert session_id not in id_hash and len(id_hash) == 64  # SHA-256, hex
    assert user_id == rows(app, f"SELECT id FROM users WHERE email = '{ADMIN}'")[0][0]


def test_an_idle_session_expires_after_the_idle_timeout(app, clock):
    client = signed_in(app, ADMIN)
    clock.move(minutes=29)
    assert opens_workspace(client)  # each request keeps the session alive
    clock.move(minutes=29)
    assert opens_workspace(client)
    clock.move(minutes=30)  # 30 minutes without a request: the default idle timeout
    assert not opens_workspace(client)
    assert rows(app, "SELECT * FROM sessions") == []  # the run-out session is gone
    clock.move(minutes=1)
    assert opens_workspace(signed_in(app, ADMIN))  # signing in again works


def test_an_active_session_ends_at_the_absolute_timeout(app, clock):
    client = signed_in(app, ADMIN)
    for _ in range(11 * 3 + 2):  # a request every 20 minutes for 11 h 40 min
        clock.move(minutes=20)
        assert opens_workspace(client)
    clock.move(minutes=20)  # 12 hours after sign-in, however active
    assert not opens_workspace(client)


def test_the_timeouts_are_settings(tmp_path, database, clock):
    app = make_app(tmp_path, database, clock, SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1)
    client = signed_in(app, ADMIN)
    clock.move(minutes=4)
    assert opens_workspace(client)
    clock.move(minutes=5)
    assert not opens_workspace(client)
    client = signed_in(app, ADMIN)
    for _ in range(14):
        clock.move(minutes=4)
        assert opens_workspace(client)
    clock.move(minutes=4)  # 60 minutes after sign-in
    assert not opens_workspace(client)


def test_disabling_an_account_ends_its_sessions(app):
    first, second = signed_in(app, ANALYST), signed_in(app, ANALYST)
    admin = signed_in(app, ADMIN)
    assert opens_workspace(first) and opens_workspace(second)

    done = app.test_cli_runner().invoke(args=["user", "disable", ANALYST])
    assert done.exit_code == 0, done.output
    assert done.output == f"disabled {ANALYST}; every session of it has ended\n"

    assert not opens_workspace(first) and not opens_workspace(second)
    assert opens_workspace(admin)  # other accounts are not touched
    _, refused = sign_in(app, ANALYST)  # refused like an unknown address
    assert refused.status_code == 401
    assert "Feil e-postadresse eller passord." in refused.get_data(as_text=True)
    (entry,) = [e for e in audit(app) if e[1] == "user disabled"]
    assert entry[0].startswith("cli:") and entry[2] == f"{ANALYST}: 2 sessions ended"
    unknown = app.test_cli_runner().invoke(args=["user", "disable", "ingen@ks.no"])
    assert unknown.exit_code == 1 and "no account for ingen@ks.no" in unknown.output


def test_changing_a_password_ends_every_session_of_that_account(app):
    first, second = signed_in(app, ANALYST), signed_in(app, ANALYST)
    admin = signed_in(app, ADMIN)

    done = app.test_cli_runner().invoke(
        args=["user", "password", ANALYST], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )
    assert done.exit_code == 0, done.output
    assert done.output.endswith(
        f"changed the password of {ANALYST}; every session of it has ended\n"
    )

    assert not opens_workspace(first) and not opens_workspace(second)
    assert opens_workspace(admin)
    _, old = sign_in(app, ANALYST, PASSWORD)
    assert old.status_code == 401
    assert opens_workspace(sign_in(app, ANALYST, NEW_PASSWORD)[0])
    (entry,) = [e for e in audit(app) if e[1] == "password changed"]
    assert entry[0].startswith("cli:") and entry[2] == f"{ANALYST}: 2 sessions ended"
    short = app.test_cli_runner().invoke(
        args=["user", "password", ANALYST], env={"SURVEY_PASSWORD": "kort"}
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output
