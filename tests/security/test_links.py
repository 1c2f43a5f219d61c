"""Respondent links: unguessable, compared in constant time, holding nothing but the token,
and a brake on anyone trying link after link."""

from __future__ import annotations

import base64
import hmac
import re
import time

import pytest

from survey import create_app
from survey.storage.rounds import close_round, create_round
from survey.tokens import new_token, same_token
from survey.web.security import FailureLimiter, TooManyFailures
from tests.security.conftest import LEADER, LIKERT_P3, MAYOR, P4, Elements, post_page

ATTACKER = "203.0.113.66"
NEIGHBOUR = "198.51.100.7"


def random_bits(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


def test_tokens_carry_at_least_128_random_bits(setup):
    db = setup.db()
    anonymous = create_round(db, "kvalitetskommune-2009", "Åpen", anonymous=True)
    stored = [t for (t,) in db.execute("SELECT token FROM invitations").fetchall()]
    db.close()
    for token in [*stored, anonymous.open_token, new_token()]:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
        assert random_bits(token) >= 128
    assert len({new_token() for _ in range(10_000)}) == 10_000


def test_tokens_are_compared_in_constant_time(setup, monkeypatch):
    seen = []

    def spy(a, b):
        seen.append((a, b))
        return a == b

    monkeypatch.setattr(hmac, "compare_digest", spy)
    token = setup.tokens[MAYOR]
    assert setup.app.test_client().get(f"/s/{token}").status_code == 200
    assert (token.encode(), token.encode()) in seen
    assert same_token("abc", "abc") and not same_token("abc", "abd")


LINK = re.compile(r"/s/(?P<token>[A-Za-z0-9_-]{32})(/side/(?P<page>[1-9])|/ferdig)?")


def test_respondent_urls_hold_the_token_and_a_page_number_only(setup):
    """Every link, form action and redirect of a whole answering session: no response id,
    invitation id or other counter anywhere, and the session cookie holds only the CSRF
    secret."""
    client = setup.app.test_client()
    token = setup.tokens[LEADER]
    urls: list[str] = []

    def collect(response) -> None:
        if "Location" in response.headers:
            urls.append(response.headers["Location"])
        html = response.get_data(as_text=True)
        if html.startswith("<!doctype html>"):
            page = Elements(html)
            # the skip link, and the footer's accessibility statement: the same address for
            # everyone (and no Referer carries the token there: Referrer-Policy no-referrer)
            fixed = ("#innhold", "/tilgjengelighet")
            urls.extend(a["href"] for a in page.named("a") if a["href"] not in fixed)
            urls.extend(f["action"] for f in page.named("form"))

    pages = [
        (1, {"q1": "prosjektleder"}),
        (2, {"q2": "nei", "q3": "skifte", "q4": "ikke_frikjopt"}),
        (3, LIKERT_P3),
        (4, P4),
        (5, {"q14": "Takk"}),
    ]
    collect(client.get(f"/s/{token}"))
    for number, data in pages:
        url = f"/s/{token}/side/{number}"
        collect(client.get(url))
        collect(post_page(client, url, {**data, "action": "next"}))
    collect(client.get(f"/s/{token}/ferdig"))
    collect(client.get(f"/s/{token}"))
    assert len(urls) > 10
    for url in urls:
        match = LINK.fullmatch(url)
        assert match and match["token"] == token, url
    cookie = client.get_cookie("session")
    serializer = setup.app.session_interface.get_signing_serializer(setup.app)
    assert set(serializer.loads(cookie.value)) == {"csrf_token"}


def limited_app(setup, limit=3):
    config = {"DATABASE": setup.db_path, "SECRET_KEY": "t", "TESTING": True}
    return create_app({**config, "TOKEN_FAILURE_LIMIT": limit, "TOKEN_FAILURE_WINDOW": 600})


def test_guessing_links_is_braked_per_address_with_a_bokmal_page(setup):
    app = limited_app(setup)
    attacker, neighbour = app.test_client(), app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = ATTACKER
    neighbour.environ_base["REMOTE_ADDR"] = NEIGHBOUR
    guesses = [attacker.get(f"/s/{new_token()}").status_code for _ in range(3)]
    assert guesses == [404, 404, 404]
    blocked = attacker.get(f"/s/{new_token()}")
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 600
    html = blocked.get_data(as_text=True)
    assert "For mange forsøk" in html and "Vent 10 minutter og prøv igjen." in html
    # Even a right guess is refused now, so the brake gives nothing away ...
    assert attacker.get(f"/s/{setup.tokens[MAYOR]}").status_code == 429
    assert attacker.get(f"/a/{new_token()}/side/1").status_code == 429
    # ... while other addresses answer as usual.
    assert neighbour.get(f"/s/{setup.tokens[MAYOR]}").status_code == 200


def test_closed_rounds_count_as_failures_like_unknown_links(setup):
    db = setup.db()
    close_round(db, setup.round_id)
    db.close()
    client = limited_app(setup, limit=2).test_client()
    assert client.get(f"/s/{setup.tokens[MAYOR]}").status_code == 404
    assert client.get(f"/s/{setup.tokens[LEADER]}").status_code == 404
    assert client.get(f"/s/{setup.tokens[MAYOR]}").status_code == 429


def test_answering_is_never_counted(setup):
    app = limited_app(setup, limit=1)
    client = app.test_client()
    token = setup.tokens[MAYOR]
    for _ in range(5):
        r = post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
        assert r.status_code == 302
        assert client.get(f"/s/{token}/side/3").status_code == 200
    assert app.extensions["survey_token_limiter"].tracked == 0


def test_the_check_on_the_answering_path_is_a_dictionary_lookup():
    limiter = FailureLimiter(30, 600)
    for i in range(1000):
        limiter.failed(f"10.0.{i // 256}.{i % 256}")
    started = time.perf_counter()
    for _ in range(100_000):
        limiter.check("192.0.2.1")
    assert time.perf_counter() - started < 0.5  # ~5 µs each at worst; measured ~0.1 µs


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_brake_lifts_when_the_window_ends():
    clock = Clock()
    limiter = FailureLimiter(2, 60, clock=clock)
    limiter.failed(ATTACKER)
    limiter.failed(ATTACKER)
    with pytest.raises(TooManyFailures) as exc:
        limiter.check(ATTACKER)
    assert exc.value.retry_after == 60
    clock.now += 59.5
    with pytest.raises(TooManyFailures):
        limiter.check(ATTACKER)
    clock.now += 0.5
    limiter.check(ATTACKER)  # a new window
    limiter.failed(ATTACKER)
    limiter.check(ATTACKER)  # one failure in the new window is below the limit


def test_the_brake_keeps_a_bounded_number_of_addresses():
    clock = Clock()
    limiter = FailureLimiter(2, 60, max_addresses=100, clock=clock)
    for i in range(50):
        limiter.failed(f"10.0.0.{i}")
    clock.now += 61  # these have expired
    for i in range(1000):
        limiter.failed(f"10.1.{i // 256}.{i % 256}")
        clock.now += 0.001
    assert 90 <= limiter.tracked <= 100
    limiter.failed("10.1.3.231")  # the newest addresses are the ones kept
    with pytest.raises(TooManyFailures):
        limiter.check("10.1.3.231")


def test_ipv6_clients_are_counted_per_64_prefix(setup):
    client = limited_app(setup, limit=2).test_client()
    for suffix in ("1", "2"):
        client.environ_base["REMOTE_ADDR"] = f"2001:db8:0:1::{suffix}"
        assert client.get(f"/s/{new_token()}").status_code == 404
    client.environ_base["REMOTE_ADDR"] = "2001:db8:0:1::ffff"
    assert client.get(f"/s/{setup.tokens[MAYOR]}").status_code == 429
    client.environ_base["REMOTE_ADDR"] = "2001:db8:0:2::1"
    assert client.get(f"/s/{setup.tokens[MAYOR]}").status_code == 200
