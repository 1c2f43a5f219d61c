"""X-Forwarded-* headers are believed only as far as the PROXY_X_* settings trust them.

Without the settings (the default) they are ignored entirely: a client naming a new
address in each request stays one client to the link-guessing brake, and cannot make a
cookie Secure or the send page's address check pass by saying so. With a trusted proxy,
the brake counts each real client, cookies follow the browser's https, links and the
address check follow the public host, and a prefix reaches every link."""

from __future__ import annotations

from survey import create_app
from survey.web.reachability import check_reach
from tests.web.conftest import csrf

PROXY = "10.0.0.2"  # the reverse proxy's address, as the app sees it
LIMIT = 5


def app_for(setup, **settings):
    config = {"DATABASE": setup.db_path, "SECRET_KEY": "test", "TESTING": True}
    return create_app({**config, "TOKEN_FAILURE_LIMIT": LIMIT, **settings})


def guess(client, n: int, forwarded_for: str) -> int:
    response = client.get(
        f"/s/gjetning{n}",
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": PROXY},
    )
    return response.status_code


def test_a_spoofed_x_forwarded_for_cannot_escape_the_brake_without_a_trusted_proxy(setup):
    client = app_for(setup).test_client()

    statuses = [guess(client, n, f"198.51.100.{n}") for n in range(LIMIT + 3)]

    assert statuses == [404] * LIMIT + [429] * 3  # one client, whatever it says it is


def test_behind_a_trusted_proxy_each_client_is_braked_on_its_own(setup):
    client = app_for(setup, PROXY_X_FOR=1).test_client()

    guesser = [guess(client, n, "203.0.113.66") for n in range(LIMIT + 1)]
    neighbour = guess(client, 99, "198.51.100.7")  # another client behind the same proxy

    assert guesser == [404] * LIMIT + [429]
    assert neighbour == 404


def test_only_the_entries_the_trusted_proxies_appended_are_read(setup):
    """The proxy appends the address it saw; what the client sent before it is the client's
    own claim, and varying it changes nothing."""
    client = app_for(setup, PROXY_X_FOR=1).test_client()

    statuses = [guess(client, n, f"192.0.2.{n}, 203.0.113.66") for n in range(LIMIT + 2)]

    assert statuses == [404] * LIMIT + [429] * 2


def session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_cookies_are_secure_when_a_trusted_proxy_says_the_browser_uses_https(setup):
    https = {"X-Forwarded-Proto": "https"}

    trusted = app_for(setup, PROXY_X_PROTO=1).test_client().get("/logg-inn", headers=https)
    untrusted = app_for(setup).test_client().get("/logg-inn", headers=https)
    plain = app_for(setup, PROXY_X_PROTO=1).test_client().get("/logg-inn")

    assert "; Secure" in session_cookie(trusted)
    assert "Secure" not in session_cookie(untrusted)
    assert "Secure" not in session_cookie(plain)


def test_the_send_pages_address_check_sees_the_public_address_only_through_a_trusted_proxy(
    setup,
):
    """BASE_URL is the public address; the secretariat uses it through the proxy. Trusted,
    the request's own address is that one, and the check passes without a probe. Untrusted,
    the request is plain http to the app's own host, and the probe of BASE_URL (here a port
    where nothing answers) fails: no mail would leave."""
    public = "https://127.0.0.1:9"  # nothing listens: a probe there can only fail
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "127.0.0.1:9"}
    trusted = app_for(setup, BASE_URL=public, PROXY_X_PROTO=1, PROXY_X_HOST=1)
    untrusted = app_for(setup, BASE_URL=public)

    for app in (trusted, untrusted):  # the check, in a request that went through the app
        app.add_url_rule("/reach", "reach", lambda: "ok" if check_reach().ok else "refused")

    assert trusted.test_client().get("/reach", headers=headers).text == "ok"
    assert untrusted.test_client().get("/reach", headers=headers).text == "refused"


def test_a_trusted_prefix_reaches_every_link_and_an_untrusted_one_none(setup):
    headers = {"X-Forwarded-Prefix": "/survey"}
    token = setup.tokens["kari@levanger.kommune.no"]

    trusted = app_for(setup, PROXY_X_PREFIX=1).test_client()
    page = trusted.get(f"/s/{token}", headers=headers).get_data(as_text=True)
    untrusted = app_for(setup).test_client()
    plain = untrusted.get(f"/s/{token}", headers=headers).get_data(as_text=True)

    assert 'href="/survey/static/' in page and f'"/survey/s/{token}/side/1"' in page
    assert "/survey/" not in plain
    form = trusted.get(f"/s/{token}/side/1", headers=headers)
    answered = trusted.post(
        f"/s/{token}/side/1",
        data={"csrf_token": csrf(form.get_data(as_text=True)), "q1": "ordforer", "action": "next"},
        headers=headers,
    )
    assert answered.headers["Location"] == f"/survey/s/{token}/side/3"  # a mayor skips 2
