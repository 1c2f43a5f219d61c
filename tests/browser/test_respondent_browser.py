"""Respondents in a real browser: the 2009 questionnaire through a real server.

Checks what a person sees and does (labels, buttons, focus, keyboard) and what ends up in
the database, plus axe-core's WCAG 2.1 AA rules on every kind of page."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import Setup

MAYOR = "kari@levanger.kommune.no"
LEADER = "ola@verdal.kommune.no"
REQUIRED = "Du må svare på dette spørsmålet."
REQUIRED_DESCRIPTION = "Feil: " + REQUIRED
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(page: Page) -> None:
    results = Axe().run(page, options=WCAG)
    violations = results.response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def answer_likert_page(page: Page) -> None:
    for item, value in (("q5", 5), ("q6", 4), ("q7", 3), ("q8", 6), ("q9a", 6)):
        page.check(f"#{item}-{value}")
    page.check("#q9b-vet_ikke")


def stored_items(setup: Setup, email: str) -> list[str]:
    rows = setup.rows(
        "SELECT DISTINCT a.item FROM answers a JOIN responses r ON r.id = a.response_id "
        "JOIN invitations i ON i.id = r.invitation_id WHERE i.email = ? ORDER BY a.item",
        email,
    )
    return [r[0] for r in rows]


def test_mayor_answers_and_never_sees_project_leader_questions(page, server, setup):
    page.goto(f"{server}/s/{setup.tokens[MAYOR]}")
    assert_accessible(page)  # the introduction page
    page.get_by_role("link", name="Start").click()
    expect(page.locator("#q1")).to_be_checked()  # pre-filled from the invitation
    page.get_by_role("button", name="Neste").click()
    expect(page.get_by_text("Side 2 av 4")).to_be_visible()
    expect(page.locator("#q2")).to_have_count(0)
    assert_accessible(page)  # a Likert page
    answer_likert_page(page)
    page.get_by_role("button", name="Neste").click()
    page.check("#q10-ja_begge")
    page.check("#q11a-nei")
    page.check("#q11b")
    page.check("#q12-5")
    page.check("#q13-5")
    page.get_by_role("button", name="Neste").click()
    page.fill("#q14", "Godt samarbeid mellom partene.")
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_role("heading", name="Svaret ditt er registrert")).to_be_visible()
    assert_accessible(page)  # the thank-you page
    assert stored_items(setup, MAYOR) == sorted(
        ["q1", "q5", "q6", "q7", "q8", "q9a", "q9b", "q10", "q11a", "q11b", "q12", "q13", "q14"]
    )


def test_project_leader_answers_q2_to_q4_with_details(page, server, setup):
    page.goto(f"{server}/s/{setup.tokens[LEADER]}/side/1")
    expect(page.locator("#q1-prosjektleder")).to_be_checked()
    page.get_by_role("button", name="Neste").click()
    expect(page.get_by_text("Side 2 av 5")).to_be_visible()
    page.check("#q2")
    page.get_by_role("textbox", name="Spesifiser").fill("Ny ordfører etter valget")
    page.check("#q3")
    page.check("#q3-okt_frikjop")
    page.check("#q4")
    page.get_by_role("textbox", name="Prosent").fill("50")
    page.get_by_role("button", name="Neste").click()
    expect(page.get_by_text("Side 3 av 5")).to_be_visible()
    assert stored_items(setup, LEADER) == ["q1", "q2", "q3", "q4"]
    rows = setup.rows("SELECT item, code, number, text FROM answers WHERE item IN ('q2','q4')")
    assert sorted(rows) == [
        ("q2", "ja", None, "Ny ordfører etter valget"),
        ("q4", "frikjopt", 50.0, None),
    ]


def test_validation_error_keeps_answers_and_summary_moves_focus(page, server, setup):
    page.goto(f"{server}/s/{setup.tokens[LEADER]}/side/1")
    page.get_by_role("button", name="Neste").click()
    page.check("#q2")  # "Ja – spesifiser" without the text
    page.check("#q3")
    page.check("#q3-ingen_endringer")
    page.check("#q4-ikke_frikjopt")
    page.get_by_role("button", name="Neste").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Skriv hva du mener med «Ja – spesifiser».")
    expect(summary).to_contain_text("«Ingen endringer» kan ikke kombineres med andre svar.")
    expect(page.locator("#q3-ingen_endringer")).to_be_checked()
    expect(page.locator("#q4-ikke_frikjopt")).to_be_checked()
    assert_accessible(page)  # a choice page with errors
    summary.get_by_role("link", name="Skriv hva du mener med «Ja – spesifiser».").click()
    expect(page.locator("#q2__ja")).to_be_focused()
    assert stored_items(setup, LEADER) == ["q1"]


def test_closing_the_tab_and_reopening_the_link_resumes(browser: Browser, server, setup):
    token = setup.tokens[MAYOR]
    first = browser.new_context().new_page()
    first.goto(f"{server}/s/{token}/side/1")
    first.get_by_role("button", name="Neste").click()
    answer_likert_page(first)
    first.get_by_role("button", name="Neste").click()
    expect(first.get_by_text("Side 3 av 4")).to_be_visible()
    first.context.close()  # the tab and its cookies are gone

    again = browser.new_context().new_page()
    again.goto(f"{server}/s/{token}")
    again.get_by_role("link", name="Fortsett der du slapp").click()
    expect(again.get_by_text("Side 3 av 4")).to_be_visible()
    again.get_by_role("button", name="Tilbake").click()
    expect(again.locator("#q6-4")).to_be_checked()
    again.context.close()


def test_keyboard_only(page, server, setup):
    page.goto(f"{server}/s/{setup.tokens[MAYOR]}/side/3")
    page.goto(f"{server}/s/{setup.tokens[MAYOR]}/side/1")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # the checked role radio
    expect(page.locator("#q1")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#q1-radmann")).to_be_checked()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")  # submits with the first button: Neste
    expect(page.get_by_text("Side 2 av 4")).to_be_visible()


# 320 CSS px is a small phone (WCAG reflow); 640 is a 1280 px window at 200 % zoom.
@pytest.mark.parametrize("width", [320, 640])
def test_reflows_without_horizontal_scrolling(browser: Browser, server, setup, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    tab.goto(f"{server}/s/{setup.tokens[LEADER]}/side/1")
    tab.get_by_role("button", name="Neste").click()
    tab.wait_for_url("**/side/2")  # measured on the next page, not half-way there
    tab.wait_for_load_state()
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def test_unknown_link_page_is_accessible(page, server):
    response = page.goto(f"{server}/s/ukjent-lenke")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Lenken virker ikke")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("width", [320, 640])
def test_the_code_page_is_accessible_and_says_what_is_wrong(browser: Browser, server, width):
    """Where a one-time code from a letter is typed in: labelled, a wrong code named in an
    error summary with the code kept, no horizontal scrolling on a phone or at 200 %."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    tab.goto(f"{server}/kode")
    assert_accessible(tab)
    tab.get_by_label("Kode").fill("abcd efgh jkmn")
    tab.keyboard.press("Enter")
    tab.wait_for_load_state()
    expect(tab.get_by_role("alert")).to_contain_text("Vi fant ikke koden")
    expect(tab.locator(".error-summary")).to_be_focused()
    above = tab.evaluate(
        "document.querySelector('main').firstElementChild.classList.contains('error-summary')"
    )
    assert above  # at the top, before the heading, as on the pages of questions
    expect(tab.get_by_label("Kode")).to_have_value("abcd efgh jkmn")
    assert_accessible(tab)
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def test_the_error_summary_takes_the_focus_and_its_links_reach_each_field(page, server, setup):
    """GOV.UK's error summary, in Chromium: focus on it when the page loads (a screen reader
    reads it first, a keyboard user tabs on into its links), each question named, its link
    lands on the field, whose own message stands between the question and its options."""
    page.goto(f"{server}/s/{setup.tokens[LEADER]}/side/3")
    page.check("#q5-5")
    page.check("#q7-3")
    page.get_by_role("button", name="Neste").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Det er noe som må rettes")
    expect(summary.get_by_role("link")).to_have_text(
        [
            re.compile(r"^Jeg opplever at møtet mellom tjenesteyter .*… Du må svare"),
            "Jeg opplever at deltakelse i nettverket har vært nyttig. " + REQUIRED,
            "Det er viktig at nettverket opprettholdes etter programperioden. " + REQUIRED,
            "Har deres nettverk planer for videreføring av nettverket? " + REQUIRED,
        ]
    )
    assert_accessible(page)  # the summary and the marked fields
    expect(page.locator("#q5-5")).to_be_checked()
    expect(page.locator("#q7-3")).to_be_checked()
    page.keyboard.press("Tab")  # from the summary on to its first link
    expect(summary.get_by_role("link").first).to_be_focused()
    summary.get_by_role("link", name="nettverket har vært nyttig").click()
    expect(page.locator("#q8")).to_be_focused()
    expect(page.locator("#q8")).to_have_accessible_description(REQUIRED_DESCRIPTION)
    legend, message, first = (
        page.locator(selector).bounding_box()
        for selector in ("fieldset:has(#q8) legend", "#q8-feil", "#q8")
    )
    assert legend["y"] + legend["height"] <= message["y"] < first["y"]  # beside the field
