"""Hostile answers in a real browser: nothing runs, nothing is fetched, the policy holds.

The answers are stored through the test client, then the respondent's pages are opened in
Debian's Chromium through the real server on 127.0.0.1 (tests/browser/conftest.py). Every
request the browser makes is recorded: only our pages and our stylesheet may appear. A
Content-Security-Policy violation would show as a console error, so there must be none."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.conftest import (
    ARGS,
    CHROMIUM,
    server,  # noqa: F401 - the fixture is used here
)
from tests.security.conftest import MAYOR
from tests.security.test_hostile_text import answer_with

CANARY = "http://127.0.0.1:9"  # nothing listens there; a request to it is a leak
HOSTILE = (
    "<script>window.__xss = 1</script>"
    "<img src=x onerror='window.__xss = 2'>"
    '<img src="file:///etc/passwd">'
    f'<link rel="stylesheet" href="{CANARY}/x.css">'
    f"<iframe src='{CANARY}/frame'></iframe>"
    "</textarea><script>window.__xss = 3</script>"
    "{{ 7*7 }} {% if true %}ja{% endif %} ‮gnp.exe 👍🏽"
)


def in_browser(test: Callable[[Page], None]) -> None:
    """Run ``test`` with a page of its own Chromium, in a thread of its own: Playwright's
    sync API allows one instance per thread, and tests/browser keeps one open."""

    def run() -> None:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                context = chromium.new_context(locale="nb-NO")
                page = context.new_page()
                page.set_default_timeout(10_000)
                test(page)
            finally:
                chromium.close()

    with ThreadPoolExecutor(1) as thread:
        thread.submit(run).result(timeout=120)


def test_hostile_answers_neither_run_nor_fetch_in_a_real_browser(server, setup):  # noqa: F811
    token = setup.tokens[MAYOR]
    answer_with(setup.app.test_client(), token, HOSTILE)
    requests: list[str] = []
    console: list[str] = []
    paths = [f"/s/{token}", f"/s/{token}/side/1", f"/s/{token}/side/5", f"/s/{token}/ferdig"]

    def visit(page: Page) -> None:
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        for path in paths:
            page.goto(server + path)
            page.wait_for_load_state("load")
            assert page.evaluate("window.__xss") is None, path
            assert page.locator("img, iframe, script").count() == 0, path
            if path.endswith("/side/1"):
                expect(page.locator("#q1__annet")).to_have_value(HOSTILE)
            if path.endswith("/side/5"):
                expect(page.locator("#q14")).to_have_value(HOSTILE)

    in_browser(visit)
    allowed = {server + path for path in paths}
    allowed |= {f"{server}/static/survey.css", f"{server}/static/favicon.svg"}
    assert set(requests) <= allowed
    assert console == []


def test_the_policy_stops_a_script_even_where_escaping_failed(server, setup):  # noqa: F811
    """Defence in depth: with escaping switched off on purpose, the markup reaches the page,
    and the Content-Security-Policy alone keeps the script from running and the stylesheet
    of another origin from loading."""
    setup.app.jinja_env.autoescape = False
    token = setup.tokens[MAYOR]
    answer_with(setup.app.test_client(), token, HOSTILE)
    failed: dict[str, str] = {}
    console: list[str] = []
    injected: list[int] = []
    ran: list[object] = []

    def visit(page: Page) -> None:
        page.on("requestfailed", lambda request: failed.update({request.url: request.failure}))
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"{server}/s/{token}/side/1")
        page.wait_for_load_state("load")
        injected.append(page.locator("script").count())
        ran.append(page.evaluate("window.__xss"))

    in_browser(visit)
    assert injected[0] >= 1  # the injection did happen ...
    assert ran == [None]  # ... and nothing of it ran
    # The browser did not even try: blocked by the policy, not refused by the network.
    assert failed == {f"{CANARY}/x.css": "csp"}
    assert any("Content Security Policy" in text for text in console)
