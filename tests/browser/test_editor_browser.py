"""Writing a questionnaire in a real browser (issue 16, defect 9): start from the bundled
employee survey, make an error and fix it, preview the respondent's pages as two roles
(nothing stored), publish. axe-core checks each new page; the editor also works without
JavaScript, and with it says what the linter finds while the text is typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from survey import create_app
from survey.storage import open_database
from survey.storage.users import add_user
from tests.browser.test_respondent_browser import assert_accessible
from tests.conftest import server_thread

PASSWORD = "et langt og godt passord"
ADMIN = "admin@sekretariatet.no"


@pytest.fixture
def workspace(tmp_path, database) -> Iterator[tuple[str, str]]:
    """An admin's account and the app on a loopback server, on each store."""
    path = database
    db = open_database(path)
    add_user(db, ADMIN, PASSWORD, "admin")
    db.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "test"})
    app.instance_path = str(tmp_path / "instance")
    with server_thread(app) as base:
        yield base, str(path)


def count(db_path: str, table: str) -> int:
    db = open_database(db_path, migrate=False)
    try:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        db.close()


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/sekretariat/")
    page.get_by_label("E-postadresse").fill(ADMIN)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", name="Runder")).to_be_visible()


def start_from_the_employee_survey(page: Page) -> None:
    page.get_by_role("link", name="Nytt spørreskjema fra mal").click()
    expect(page.get_by_role("heading", name="Nytt spørreskjema fra mal")).to_be_visible()
    page.get_by_label("Medarbeiderundersøkelse").check()
    page.get_by_label("Id for det nye spørreskjemaet").fill("ansatte-2027")
    page.get_by_label("Tittel").fill("Ansatte i Levanger 2027")
    page.get_by_role("button", name="Lag kopien og rediger den").click()
    expect(page.get_by_role("heading", name="Rediger spørreskjemaet ansatte-2027")).to_be_visible()


def test_from_a_template_through_an_error_and_two_roles_to_published(page: Page, workspace) -> None:
    base, db_path = workspace
    sign_in(page, base)
    page.get_by_role("link", name="Nytt spørreskjema fra mal").click()
    assert_accessible(page)  # the templates
    page.get_by_role("button", name="Lag kopien og rediger den").click()
    expect(page.get_by_role("alert")).to_contain_text("Velg spørreskjemaet du vil starte fra.")
    expect(page.get_by_role("alert")).to_contain_text("Skriv en id for det nye spørreskjemaet.")
    assert_accessible(page)  # the form with its errors
    page.goto(f"{base}/sekretariat/")
    start_from_the_employee_survey(page)
    assert_accessible(page)  # the editor

    editor = page.get_by_label("YAML-tekst")
    text = editor.input_value()
    assert "id: ansatte-2027\n" in text and 'title: "Ansatte i Levanger 2027"' in text
    editor.fill(text.replace("type: likert_matrix", "type: likret_matrix", 1))
    # with JavaScript, the linter's word comes while typing (nothing saved yet)
    expect(page.locator("#live-kontroll")).to_contain_text("likret_matrix")
    page.get_by_role("button", name="Kontroller").click()
    row = page.locator("tr.has-error").first
    expect(row).to_contain_text("likret_matrix")
    expect(row.locator("p.error")).to_contain_text("feil:")
    assert_accessible(page)  # the editor with errors beside the lines
    page.get_by_role("button", name="Publiser").click()
    expect(
        page.get_by_role("heading", name="Teksten er lagret, men kan ikke publiseres")
    ).to_be_visible()
    assert count(db_path, "questionnaire_versions") == 0

    page.get_by_label("YAML-tekst").fill(text)
    page.get_by_role("button", name="Kontroller").click()
    expect(page.get_by_role("status").first).to_contain_text("Linteren fant ingen feil")

    # a leader: the leaders' page is among the pages
    page.get_by_label("Forhåndsvis som").select_option("leder")
    page.get_by_role("button", name="Forhåndsvis").click()
    expect(page.get_by_text("Forhåndsvisning – ingenting lagres.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ansatte i Levanger 2027")).to_be_visible()
    assert_accessible(page)  # the preview's start page
    page.get_by_role("link", name="Start").click()
    expect(page.get_by_text("Side 1 av 10")).to_be_visible()
    expect(page.get_by_label("Leder med personalansvar")).to_be_checked()
    assert_accessible(page)  # a preview page
    page.get_by_role("button", name="Neste").click()  # nothing else answered
    expect(page.get_by_role("alert")).to_contain_text("Du må svare på dette spørsmålet.")
    page.get_by_label("Oppvekst (barnehage, skole, SFO)").check()
    page.get_by_label("Deltid").check()
    page.get_by_label("Stillingsprosent").fill("60")
    page.get_by_label("3–9 år").check()
    page.get_by_role("button", name="Neste").click()
    # the condition on the part-time page, from the answer just given
    expect(page.get_by_text("Side 2 av 11")).to_be_visible()
    expect(page.get_by_text("Ønsker du en større stilling enn den du har i dag?")).to_be_visible()
    page.get_by_role("button", name="Tilbake").click()
    expect(page.get_by_label("Deltid")).to_be_checked()  # carried in the preview's form
    page.goto(page.url.split("/side/")[0] + "/side/6?rolle=leder")
    expect(page.get_by_role("heading", name="Til deg som er leder")).to_be_visible()

    # an employee: no leaders' page
    page.get_by_role("link", name="Se som Medarbeider").click()
    page.get_by_role("link", name="Start").click()
    expect(page.get_by_text("Side 1 av 9")).to_be_visible()
    page.goto(page.url.split("/side/")[0] + "/side/6?rolle=medarbeider")
    expect(page.get_by_role("heading", name="Til deg som er leder")).to_have_count(0)
    expect(page.get_by_text("Side 5 av 9")).to_be_visible()  # page 7, the next one shown
    expect(page.get_by_role("heading", name="Samarbeid", exact=True)).to_be_visible()
    assert count(db_path, "responses") == 0 and count(db_path, "answers") == 0

    page.get_by_role("link", name="Tilbake til redigeringen").click()
    page.get_by_role("button", name="Publiser").click()
    expect(page.get_by_role("heading", name="Hvem ser hvilke spørsmål")).to_be_visible()
    db = open_database(db_path, migrate=False)
    try:
        published = db.execute("SELECT questionnaire_id, version FROM questionnaire_versions")
        assert published.fetchall() == [("ansatte-2027", "1")]
    finally:
        db.close()


def test_the_editor_works_without_javascript_and_keeps_the_text(browser: Browser, workspace):
    base, _ = workspace
    page = browser.new_context(locale="nb-NO", java_script_enabled=False).new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base)
    start_from_the_employee_survey(page)
    editor = page.get_by_label("YAML-tekst")
    broken = editor.input_value().replace("type: likert_matrix", "type: likret_matrix", 1)
    editor.fill(broken)
    page.get_by_role("button", name="Kontroller").click()
    expect(page.locator("tr.has-error").first).to_contain_text("likret_matrix")
    page.reload()  # kept on the server, not in the page
    assert page.get_by_label("YAML-tekst").input_value() == broken
    expect(page.locator("tr.has-error").first).to_contain_text("likret_matrix")
    # 320 px wide: the text area fits the screen and keeps its indentation
    page.set_viewport_size({"width": 320, "height": 640})
    box = page.get_by_label("YAML-tekst").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 321)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, wide[:10]
    page.context.close()
