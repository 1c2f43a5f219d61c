"""A whole survey run in the browser, in Norwegian, with no command line (issue 16's
Done-when): sign in, start a questionnaire from a template, make a mistake in it and mend
it, see its real pages as two roles and publish it; publish the 2009 evaluation and look
at it as two roles, create an invited round (a mistyped closing date is caught and fixed) and an anonymous one of the new questionnaire, invite
people from a list with Norwegian headers, send invitations whose links open the app that
sent them (a real SMTP server on loopback), answer from 320 px phones, send a reminder,
pick a breakdown and an earlier round to compare with, and download the report and the
exports. Every page passes axe; a screenshot of each step is saved (``skjermbilder/`` in
the test's temporary folder) for a person to look at."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from survey import create_app
from survey.demo import national_2009_round
from survey.storage import open_database
from survey.storage.users import add_user
from tests.browser.test_editor_browser import start_from_the_employee_survey
from tests.browser.test_respondent_browser import assert_accessible
from tests.browser.test_secretariat_browser import (  # noqa: F401 - the fixture is used here
    PASSWORD,
    Inbox,
    answer_as_mayor,
    inbox,
    link_in,
)
from tests.conftest import QUESTIONNAIRES, server_thread

ADMIN = "radgiver@kommune.example.no"
# Norwegian headers, as a municipality's spreadsheet has them
PEOPLE = "Navn;E-post;Rolle;Enhet;pulje\n" + "".join(
    f"Person {m}{r};p{m}{r}@kommune{m}.example.no;{role};Kommune {m:03};1\n"
    for m in range(1, 7)
    for r, role in enumerate(("ordforer", "radmann", "tillitsvalgt", "prosjektleder"))
)
MAYORS = [f"p{m}0@kommune{m}.example.no" for m in range(1, 7)]


class Steps:
    """Screenshots of each step, numbered, and axe on each page on the way."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str, *, check: bool = True) -> None:
        self.count += 1
        self.page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)
        if check:
            assert_accessible(self.page)


@pytest.fixture
def installation(tmp_path, inbox, database) -> Iterator[tuple[str, str]]:  # noqa: F811
    """A municipality's installation: last year's round of the 2009 evaluation (to compare
    with), an adviser's account, and the app on a real loopback server mailing through a
    real SMTP server on loopback; on each store."""
    _, smtp_port = inbox
    path = database
    db = open_database(path)
    national_2009_round(db, name="Evaluering 2009", municipalities=6, answer_rate=1.0)
    add_user(db, ADMIN, PASSWORD, "admin")
    db.close()
    app = create_app(
        {
            "DATABASE": str(path),
            "SECRET_KEY": "test",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
            "MAIL_SENDER": "Kvalitetsrådgiveren <post@kommune.example.no>",
            "MAIL_TIMEOUT": 10,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    with server_thread(app) as base:
        app.config["BASE_URL"] = base
        yield base, str(path)


def test_a_whole_survey_in_the_browser(
    page: Page,
    browser: Browser,
    installation,
    inbox,  # noqa: F811
    tmp_path,
):
    base, _ = installation
    received: Inbox = inbox[0]
    page.set_default_timeout(15_000)
    step = Steps(page, tmp_path / "skjermbilder")

    page.goto(f"{base}/sekretariat/")
    page.get_by_label("E-postadresse").fill(ADMIN)
    page.get_by_label("Passord").fill(PASSWORD)
    step("logg-inn")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", name="Runder")).to_be_visible()
    step("runder")

    # a questionnaire of one's own: the employee survey copied from its template, a
    # mistake made and mended, its real pages seen as two roles, then published
    start_from_the_employee_survey(page)
    step("fra-mal")
    text = page.get_by_label("YAML-tekst").input_value()
    page.get_by_label("YAML-tekst").fill(
        text.replace("type: likert_matrix", "type: likret_matrix", 1)
    )
    page.get_by_role("button", name="Kontroller").click()
    expect(page.locator("tr.has-error").first).to_contain_text("likret_matrix")
    step("feil-i-skjemaet")
    page.get_by_label("YAML-tekst").fill(text)
    page.get_by_role("button", name="Kontroller").click()
    expect(page.get_by_role("status").first).to_contain_text("Linteren fant ingen feil")
    for role, pages in (("leder", 10), ("medarbeider", 9)):
        page.get_by_label("Forhåndsvis som").select_option(role)
        page.get_by_role("button", name="Forhåndsvis").click()
        page.get_by_role("link", name="Start").click()
        expect(page.get_by_text(f"Side 1 av {pages}")).to_be_visible()
        step(f"forhandsvist-som-{role}")
        page.get_by_role("link", name="Tilbake til redigeringen").click()
    page.get_by_role("button", name="Publiser").click()
    expect(page.get_by_role("heading", name="Hvem ser hvilke spørsmål")).to_be_visible()
    step("publisert")
    page.goto(f"{base}/sekretariat/")

    # the questionnaire, and how it looks to two roles
    page.get_by_role("link", name="Last opp spørreskjema").click()
    page.set_input_files("#file", str(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    page.get_by_role("button", name="Kontroller og publiser").click()
    expect(page.get_by_role("heading", name="Hvem ser hvilke spørsmål")).to_be_visible()
    step("skjemaet")
    preview = page.url
    for role in ("ordforer", "prosjektleder"):
        page.goto(f"{preview}?rolle={role}")
        step(f"som-{role}")
    page.goto(preview)

    # an invited round; the closing date mistyped a year back, then fixed
    page.get_by_role("link", name="Opprett en runde med dette skjemaet").click()
    page.get_by_label("Navn på runden").fill("Evaluering 2010")
    page.get_by_label("Minste gruppestørrelse").fill("3")
    typo = date.today() - timedelta(days=365)
    page.get_by_label("Siste svardag").fill(typo.isoformat())
    page.get_by_role("button", name="Opprett runden").click()
    expect(page.get_by_text("Siste svardag kan ikke være før i dag")).to_be_visible()
    step("skrivefeil-i-dato")
    page.get_by_label("Siste svardag").fill((date.today() + timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Opprett runden").click()
    expect(page.get_by_role("heading", name="Invitasjoner: Evaluering 2010")).to_be_visible()

    people = tmp_path / "deltakere.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    page.set_input_files("#file", str(people))
    page.get_by_role("button", name="Legg til").click()
    expect(page.get_by_role("heading", name="24 invitert")).to_be_visible()
    step("invitert")

    page.get_by_role("button", name="Send invitasjoner (24)").click()
    expect(page.get_by_text(f"Lenkene går til {base}, og den adressen fører hit.")).to_be_visible()
    step("send-invitasjoner")
    page.get_by_role("button", name="Ja, send invitasjoner").click()
    expect(page.get_by_role("status")).to_contain_text("Sendt: 24.")
    invitations = received.since(0)
    links = {m["To"].addresses[0].addr_spec: link_in(m) for m in invitations}
    assert len(links) == 24 and all(link.startswith(f"{base}/s/") for link in links.values())

    # six mayors answer on 320 px phones, through the links in their mail
    phone = browser.new_context(locale="nb-NO", viewport={"width": 320, "height": 640})
    respondent = phone.new_page()
    for n, mayor in enumerate(MAYORS):
        answer_as_mayor(respondent, links[mayor])
        if n == 0:
            respondent.screenshot(path=step.folder / "mobil-takk.png", full_page=True)
        assert respondent.evaluate("document.documentElement.scrollWidth") <= 320
    phone.close()

    page.reload()
    page.get_by_role("button", name="Send påminnelse til dem som ikke har svart (18)").click()
    page.get_by_role("button", name="Ja, send påminnelser").click()
    expect(page.get_by_role("status")).to_contain_text("Sendt: 18.")
    assert len(received.since(24)) == 18
    expect(page.get_by_text(re.compile(r"Påminnelser: sist sendt .*, til 18\."))).to_be_visible()
    step("paminnelse-sendt")

    # an anonymous round of the questionnaire made from the template, with an open link,
    # answered on a phone
    page.goto(f"{base}/sekretariat/runder/ny")
    page.get_by_label("Spørreskjema").select_option(label="Ansatte i Levanger 2027")
    page.get_by_label("Navn på runden").fill("Åpen evaluering 2010")
    page.get_by_label("Anonym").check()
    page.get_by_label("Åpen lenke i stedet for engangskoder").check()
    page.get_by_role("button", name="Opprett runden").click()
    page.goto(f"{base}/sekretariat/")
    page.get_by_role("link", name="Åpen evaluering 2010").click()
    open_link = page.locator("a[href*='/a/']").first.get_attribute("href")
    step("anonym-runde")
    phone = browser.new_context(locale="nb-NO", viewport={"width": 320, "height": 640})
    anonymous = phone.new_page()
    anonymous.goto(open_link)
    anonymous.get_by_role("link", name="Start").click()
    expect(anonymous.get_by_text("Side 1 av")).to_be_visible()
    expect(anonymous.get_by_text("Hvilket tjenesteområde arbeider du i?")).to_be_visible()
    assert anonymous.evaluate("document.documentElement.scrollWidth") <= 320
    phone.close()

    # the report: by role, compared with last year, in the browser and as PDF
    page.goto(f"{base}/sekretariat/")
    page.get_by_role("link", name="Evaluering 2010", exact=True).click()
    page.get_by_label("Tall etter").select_option(label="Rolle")
    page.get_by_label("Sammenlign med en tidligere runde").select_option(label="Evaluering 2009")
    step("velg-rapport")
    page.get_by_role("button", name="Se i nettleseren").click()
    expect(page.get_by_role("row", name=re.compile("Sammenlignet med"))).to_be_visible()
    step("rapport-i-nettleseren")
    page.get_by_role("link", name="Tilbake til runden").click()
    page.get_by_label("Tall etter").select_option(label="Rolle")
    page.get_by_label("Sammenlign med en tidligere runde").select_option(label="Evaluering 2009")
    page.get_by_role("button", name="Last ned som PDF").click()
    expect(page.get_by_role("status")).to_have_text("Rapporten er klar.", timeout=90_000)
    step("rapporten-er-klar")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned rapporten (PDF)").click()
    pdf = tmp_path / "rapport.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Sammenlignet med" in text and "Evaluering 2009" in text
    assert re.search(r"Ordfører\s+6\s", text)  # the six mayors, by role

    # the exports
    page.go_back()
    page.goto(f"{base}/sekretariat/")
    page.get_by_role("link", name="Evaluering 2010", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert len(rows) == 6
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    download.value.save_as(tmp_path / "svar.xlsx")
    workbook = load_workbook(tmp_path / "svar.xlsx", read_only=True)
    assert workbook.sheetnames and workbook.worksheets[0].max_row >= 7
    step("ferdig")
    assert len(list(step.folder.glob("*.png"))) >= 17
