"""Attack 5 of the confidentiality issue: padding an anonymous round through its open link.

Anyone with an open link can answer as often as they like. A few made-up submissions lift a
small group to the minimum, and subtracting the made-up answers gives the real ones. An
anonymous round now takes one-time codes by default: the secretariat makes N codes tied to
nobody, and each code leads to one response however often it is typed in. The open link
stays for low-stakes surveys, with the risk stated where it is handed out.

Against the real app: a real HTTP server on 127.0.0.1, the secretariat's own pages to make
the round and its codes, a respondent's browser-like client typing a code in and answering
every page, and the rows in the database counted afterwards.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from survey import create_app
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.questionnaires import publish
from survey.storage.users import add_user
from tests.confidentiality.conftest import PASSWORD, signed_in_analyst
from tests.conftest import QUESTIONNAIRES, server_thread
from tests.web.conftest import csrf

ADMIN = "sekretariat@ks.no"
HOME_CARE = "brukerundersokelse-hjemmetjeneste"
GUESSES = 5


@pytest.fixture
def served(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    db = open_database(db_path)
    publish(db, load_file(QUESTIONNAIRES / f"{HOME_CARE}.yaml"))
    add_user(db, ADMIN, PASSWORD, "admin", ())
    db.close()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test", "TOKEN_FAILURE_LIMIT": GUESSES})
    with server_thread(app) as base:
        app.config["BASE_URL"] = base  # the address the pages hand out is this server's
        yield base, db_path


def browser() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def post(opener, url: str, form: dict) -> tuple[str, str]:
    """(final address, page) after posting ``form`` and following the redirect."""
    answer = opener.open(url, urllib.parse.urlencode(form).encode(), timeout=10)
    return answer.geturl(), answer.read().decode()


def new_round(admin, base: str, **choices: str) -> tuple[int, str]:
    """Make a round on the secretariat's page; (its id, its invitations page)."""
    page = admin.open(f"{base}/sekretariat/runder/ny", timeout=10).read().decode()
    form = {"csrf_token": csrf(page), "questionnaire": HOME_CARE, "name": "Hjemmetjenesten"}
    form |= {"min_group_size": "3", **choices}
    address, page = post(admin, f"{base}/sekretariat/runder/ny", form)
    found = re.search(r"/runder/(\d+)/invitasjoner", address)
    assert found, address
    return int(found.group(1)), page


def answer_everything(opener, address: str, page: str) -> str:
    """Answer every page (the first option of every choice) until the round says thank
    you; returns the final address."""
    for _ in range(20):
        if address.endswith("/ferdig"):
            return address
        if not re.search(r"/side/\d+$", address):  # the start page: its start button
            found = re.search(r'href="([^"]*/side/\d+)"', page)
            assert found, page[:2000]
            answer = opener.open(urllib.parse.urljoin(address, found.group(1)), timeout=10)
            address, page = answer.geturl(), answer.read().decode()
            continue
        form = {"csrf_token": csrf(page), "action": "next"}
        inputs = re.findall(r'type="(?:radio|checkbox)" name="([^"]+)" [^>]*value="([^"]+)"', page)
        for name, value in inputs:
            form.setdefault(name, value)
        address, page = post(opener, address, form)
    raise AssertionError(f"not done after 20 pages: {address}")


def responses(db_path: str) -> list[tuple]:
    db = open_database(db_path, migrate=False)
    try:
        return db.execute("SELECT session_key, submitted FROM responses").fetchall()
    finally:
        db.close()


def test_an_anonymous_round_takes_codes_that_answer_once_each(served):
    base, db_path = served
    admin = signed_in_analyst(base, ADMIN)
    round_id, page = new_round(admin, base, anonymous="y")
    assert "/a/" not in page  # no open link to pad the round through
    assert "Engangskoder" in page
    form = {"csrf_token": csrf(page), "count": "3"}
    _, page = post(admin, f"{base}/sekretariat/runder/{round_id}/koder", form)
    codes = re.findall(r"<code>((?:[0-9A-Z]{4}-){3}[0-9A-Z]{4})</code>", page)
    assert len(set(codes)) == 3
    assert f"{base}/kode" in page  # where to type them in

    person = browser()
    typed = codes[0].lower().replace("-", " ")  # as copied from a letter
    entry = person.open(f"{base}/kode", timeout=10).read().decode()
    address, page = post(person, f"{base}/kode", {"csrf_token": csrf(entry), "kode": typed})
    assert address == f"{base}/k/{codes[0]}"
    assert answer_everything(person, address, page).endswith("/ferdig")
    assert responses(db_path) == [("code:1", 1)]

    # the same code again, from another browser: back to the one response, never a second
    padder = browser()
    entry = padder.open(f"{base}/kode", timeout=10).read().decode()
    address, page = post(padder, f"{base}/kode", {"csrf_token": csrf(entry), "kode": codes[0]})
    assert "Svaret ditt er registrert" in page
    answer_everything(padder, address, page)
    assert responses(db_path) == [("code:1", 1)]

    # a made-up code answers nothing, and guessing is braked like guessing links
    entry = padder.open(f"{base}/kode", timeout=10).read().decode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        post(padder, f"{base}/kode", {"csrf_token": csrf(entry), "kode": "AAAA-BBBB-CCCC-DDDD"})
    assert refused.value.code == 422
    assert "Vi fant ikke koden" in refused.value.read().decode()
    refused.value.close()
    assert len(responses(db_path)) == 1
    with pytest.raises(urllib.error.HTTPError) as gone:  # nor does a made-up address
        padder.open(f"{base}/k/AAAA-BBBB-CCCC-DDDD", timeout=10)
    assert gone.value.code == 404
    gone.value.close()
    for _ in range(GUESSES):
        with pytest.raises(urllib.error.HTTPError) as refused:
            post(padder, f"{base}/kode", {"csrf_token": csrf(entry), "kode": "AAAA-BBBB-CCCC-DDDE"})
        refused.value.close()
    assert refused.value.code == 429


def test_an_open_link_round_states_the_padding_risk(served):
    base, _ = served
    admin = signed_in_analyst(base, ADMIN)
    _, page = new_round(admin, base, anonymous="y", open_link="y")
    assert re.search(rf"{re.escape(base)}/a/[\w-]+", page)  # the link, to hand out
    assert "oppdiktede svar" in page  # ... and why codes are safer
