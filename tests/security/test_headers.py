"""Security headers on every response the app sends, and pages that need no inline code."""

from __future__ import annotations

import re

import pytest

from survey import create_app
from survey.storage.rounds import close_round
from tests.conftest import ROOT
from tests.security.conftest import LIKERT_P3, MAYOR, post_page

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def directives(policy: str) -> dict[str, list[str]]:
    parts = [p.split() for p in policy.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def assert_secure(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    # scripts only as files of our own (the report page's status check), never inline
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["font-src"] == ["'self'"]  # the report preview's own fonts
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    assert not [v for values in policy.values() for v in values if "unsafe" in v or "*" in v]


def test_every_kind_of_response_carries_the_headers(setup, tmp_path):
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    responses = {
        "start": client.get(f"/s/{token}"),
        "page": client.get(f"/s/{token}/side/1"),
        "redirect after saving": post_page(
            client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"}
        ),
        "form with errors": post_page(client, f"/s/{token}/side/3", {"action": "next"}),
        "expired form": client.post(f"/s/{token}/side/3", data={**LIKERT_P3}),
        "stylesheet": client.get("/static/survey.css"),
        "unknown token": client.get("/s/ukjent"),
        "unknown address": client.get("/finnes/ikke"),
        "wrong method": client.post(f"/s/{token}"),
        "too large": client.post(f"/s/{token}/side/3", data={"q14": "x" * 3_000_000}),
    }
    db = setup.db()
    close_round(db, setup.round_id)
    db.close()
    responses["closed round"] = client.get(f"/s/{token}")
    limited = create_app(
        {"DATABASE": setup.db_path, "SECRET_KEY": "t", "TESTING": True, "TOKEN_FAILURE_LIMIT": 1}
    ).test_client()
    limited.get("/s/ukjent")
    responses["rate limited"] = limited.get("/s/ukjent")
    broken = create_app({"DATABASE": str(tmp_path), "SECRET_KEY": "t", "TESTING": True})
    responses["database unavailable"] = broken.test_client().get(f"/s/{token}")
    statuses = {name: r.status_code for name, r in responses.items()}
    assert statuses == {
        "start": 200,
        "page": 200,
        "redirect after saving": 302,
        "form with errors": 200,
        "expired form": 400,
        "stylesheet": 200,
        "unknown token": 404,
        "unknown address": 404,
        "wrong method": 405,
        "too large": 413,
        "closed round": 404,
        "rate limited": 429,
        "database unavailable": 503,
    }
    for response in responses.values():
        assert_secure(response)
        response.close()


@pytest.mark.parametrize("path", sorted((ROOT / "templates").rglob("*.html")), ids=str)
def test_templates_have_no_inline_script_or_style(path):
    """The policy forbids inline code; a template that used it would simply break. A
    script is a file of our own, loaded by its address."""
    html = path.read_text(encoding="utf-8")
    html = re.sub(
        r"<script src=\"\{\{ static_url\('[a-z_]+\.js'\) \}\}\" defer></script>", "", html
    )
    assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=|javascript:", html, re.I)


def test_unknown_address_gets_the_bokmal_page_not_werkzeugs(setup):
    r = setup.app.test_client().get("/s/x/side/en")
    assert r.status_code == 404 and "Lenken virker ikke" in r.get_data(as_text=True)
