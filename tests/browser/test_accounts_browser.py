"""Accounts in the workspace, in a real browser on a real loopback server (issue 20, defect
9): an admin adds an analyst and a unit leader for one unit, each signs in in a browser of
their own and sees only what their role allows, then the admin disables the analyst, whose
open session ends at once. axe checks every "Brukere" page on the way."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from survey.storage import open_database
from survey.storage.users import add_user
from tests.browser.test_respondent_browser import assert_accessible
from tests.web.conftest import Setup

ADMIN = "admin@sekretariatet.no"
ANALYST = "analytiker@sekretariatet.no"
LEADER = "leder@levanger.kommune.no"
PASSWORD = "et langt og godt passord"


def browser_of(browser: Browser) -> Page:
    """A browser of one's own: its own cookies, so its own session."""
    tab = browser.new_context(locale="nb-NO").new_page()
    tab.set_default_timeout(10_000)
    return tab


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/sekretariat/")
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", name="Runder")).to_be_visible()


def add_account(page: Page, email: str, role: str, units: str, password: str) -> None:
    page.get_by_role("link", name="Legg til bruker").click()
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Rolle").select_option(role)
    page.get_by_label("Enheter (bare for enhetsleder)").fill(units)
    page.get_by_label("Passord", exact=True).fill(password)
    page.get_by_label("Gjenta passordet").fill(password)
    page.get_by_role("button", name="Legg til").click()
    expect(page.get_by_role("heading", name=email)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Kontoen er lagt til.")


def test_an_admin_adds_an_analyst_and_a_unit_leader_then_disables_the_analyst(
    page: Page, browser: Browser, server: str, setup: Setup
):
    db = open_database(setup.db_path, migrate=False)
    add_user(db, ADMIN, PASSWORD, "admin")
    db.close()

    sign_in(page, server, ADMIN, PASSWORD)
    page.get_by_role("link", name="Brukere").click()
    expect(page.get_by_role("heading", name="Brukere", exact=True)).to_be_visible()
    assert_accessible(page)

    # A unit leader without a unit and a short password: both said, at their fields.
    page.get_by_role("link", name="Legg til bruker").click()
    assert_accessible(page)
    page.get_by_label("E-postadresse").fill(LEADER)
    page.get_by_label("Rolle").select_option("unit-leader")
    page.get_by_label("Passord", exact=True).fill("kort")
    page.get_by_label("Gjenta passordet").fill("kort")
    page.get_by_role("button", name="Legg til").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("En enhetsleder må ha minst én enhet.")
    expect(summary).to_contain_text("Passordet må ha minst 12 tegn.")
    expect(page.get_by_label("E-postadresse")).to_have_value(LEADER)  # kept
    assert_accessible(page)
    page.get_by_role("link", name="Brukere").first.click()

    add_account(page, ANALYST, "analyst", "", "analytikerens passord")
    assert_accessible(page)  # an account's page
    page.get_by_role("link", name="Brukere").first.click()
    add_account(page, LEADER, "unit-leader", "Levanger", "lederens eget passord")
    page.get_by_role("link", name="Brukere").first.click()
    rows = page.get_by_role("row")
    expect(rows.filter(has_text=ANALYST)).to_contain_text("analytiker")
    expect(rows.filter(has_text=LEADER)).to_contain_text("enhetsleder")
    expect(rows.filter(has_text=LEADER)).to_contain_text("Levanger")

    # The analyst reads the whole round, and manages nothing.
    analyst = browser_of(browser)
    sign_in(analyst, server, ANALYST, "analytikerens passord")
    expect(analyst.get_by_role("link", name="Evaluering 2009")).to_be_visible()
    expect(analyst.get_by_role("link", name="Brukere")).to_have_count(0)
    expect(analyst.get_by_role("link", name="Ny runde")).to_have_count(0)
    analyst.get_by_role("link", name="Evaluering 2009").click()
    expect(analyst.get_by_role("heading", name="Evaluering 2009", exact=True)).to_be_visible()
    analyst.goto(f"{server}/sekretariat/brukere/")
    expect(analyst.get_by_role("heading", name="Ingen tilgang")).to_be_visible()

    # The unit leader sees their own unit, and is refused another by address.
    leader = browser_of(browser)
    sign_in(leader, server, LEADER, "lederens eget passord")
    expect(leader.get_by_role("link", name="Brukere")).to_have_count(0)
    leader.get_by_role("link", name="Evaluering 2009").click()
    expect(leader.get_by_role("heading", name="Evaluering 2009: Levanger")).to_be_visible()
    expect(leader.get_by_role("heading", name="Indekser for Levanger")).to_be_visible()
    leader.goto(f"{server}/sekretariat/runder/{setup.round_id}?enhet=Verdal")
    expect(leader.get_by_role("heading", name="Ingen tilgang")).to_be_visible()
    leader.goto(f"{server}/sekretariat/brukere/")
    expect(leader.get_by_role("heading", name="Ingen tilgang")).to_be_visible()

    # The admin disables the analyst, after being asked; the analyst's open page is dead.
    analyst.goto(f"{server}/sekretariat/")
    expect(analyst.get_by_role("heading", name="Runder")).to_be_visible()
    page.get_by_role("link", name=ANALYST).click()
    page.get_by_role("link", name=f"Deaktiver {ANALYST}").click()
    expect(page.get_by_role("heading", name=f"Deaktiver {ANALYST}?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Ja, deaktiver kontoen").click()
    expect(page.get_by_role("status")).to_contain_text("Kontoen er deaktivert")
    expect(page.get_by_role("row").filter(has_text=ANALYST)).to_contain_text("deaktivert")

    analyst.get_by_role("link", name="Evaluering 2009").click()  # the next request
    expect(analyst).to_have_url(re.compile(r"/logg-inn\?neste="))
    expect(analyst.get_by_role("heading", name="Logg inn")).to_be_visible()
    analyst.get_by_label("E-postadresse").fill(ANALYST)
    analyst.get_by_label("Passord").fill("analytikerens passord")
    analyst.get_by_role("button", name="Logg inn").click()
    expect(analyst.get_by_role("alert")).to_have_text("Feil e-postadresse eller passord.")

    leader.goto(f"{server}/sekretariat/")  # the other accounts go on
    expect(leader.get_by_role("heading", name="Runder")).to_be_visible()
    assert setup.rows(
        "SELECT u.email, count(s.id_hash) FROM users u LEFT JOIN sessions s ON s.user_id = u.id "
        "GROUP BY u.email ORDER BY u.email"
    ) == [(ADMIN, 1), (ANALYST, 0), (LEADER, 1)]
    assert [
        (actor, action)
        for actor, action in setup.rows("SELECT actor, action FROM audit_log ORDER BY id")
        if action in ("user added", "user disabled")
    ] == [(ADMIN, "user added"), (ADMIN, "user added"), (ADMIN, "user disabled")]
    analyst.context.close()
    leader.context.close()

    # At 320 px (WCAG 1.4.10) the list and an account's page are no wider than the window.
    page.set_viewport_size({"width": 320, "height": 640})
    for url in (
        f"{server}/sekretariat/brukere/",
        page.get_by_role("link", name=LEADER).get_attribute("href"),
    ):
        page.goto(url if url.startswith("http") else f"{server}{url}")
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (url, width)
