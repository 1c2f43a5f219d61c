"""The report's HTML preview in a real browser, under the app's Content-Security-Policy.

The preview links the report's own stylesheets, which load the bundled DejaVu Sans with
@font-face. A policy without ``font-src`` falls back to ``default-src 'none'``, so Chromium
refused the fonts and the preview fell back to whatever sans-serif the machine had."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from survey import create_app
from survey.demo import national_2009_round
from survey.storage import open_database
from survey.storage.users import add_user
from tests.conftest import server_thread

ADMIN = "admin@sekretariatet.no"
PASSWORD = "et langt og godt passord"
FONTS = """async () => {
    await document.fonts.ready;
    return [...document.fonts].map(f => `${f.family} ${f.weight} ${f.status}`).sort();
}"""


def test_the_report_preview_loads_its_fonts_under_the_policy(page: Page, tmp_path, database):
    path = database
    db = open_database(path)
    round_ = national_2009_round(db, municipalities=3, answer_rate=1.0)
    add_user(db, ADMIN, PASSWORD, "admin")
    db.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "test"})
    app.instance_path = str(tmp_path / "instance")
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else 0)
    with server_thread(app) as base:
        page.goto(f"{base}/logg-inn")
        page.get_by_label("E-postadresse").fill(ADMIN)
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        expect(page.get_by_role("heading", name="Runder")).to_be_visible()
        fonts_served: list[int] = []
        page.on("response", lambda r: fonts_served.append(r.status) if ".ttf" in r.url else 0)
        page.goto(f"{base}/sekretariat/runder/{round_.id}/rapport")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        fonts = page.evaluate(FONTS)
    assert fonts == ["Report Sans bold loaded", "Report Sans normal loaded"]  # not "error"
    assert fonts_served == [200, 200]
    assert refused == []
