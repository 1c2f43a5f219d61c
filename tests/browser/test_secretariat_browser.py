"""The secretariat's whole round in a real browser, with a real SMTP server on 127.0.0.1:
sign in, publish the 2009 questionnaire, create a round, invite 20 people, send the
invitations, answer as three of them through the links in their e-mail, remind the other
17, and download a report whose figures are the three answers. axe-core checks every
secretariat page on the way."""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Download, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from survey import create_app
from survey.storage import open_database
from survey.storage.users import add_user
from tests.browser.test_respondent_browser import answer_likert_page, assert_accessible
from tests.conftest import QUESTIONNAIRES, server_thread
from tests.web.conftest import query

PASSWORD = "et langt og godt passord"
ROLES = ("ordforer", "radmann", "tillitsvalgt", "prosjektleder")
PEOPLE = "name;email;role;unit\n" + "".join(
    f"Person {m}{r};p{m}{r}@kommune{m}.example.no;{role};Kommune {m}\n"
    for m in range(1, 6)
    for r, role in enumerate(ROLES)
)
MAYORS = ["p10@kommune1.example.no", "p20@kommune2.example.no", "p30@kommune3.example.no"]
LIKERT = {"q5": 5, "q6": 4, "q7": 3, "q8": 6, "q9a": 6}  # what answer_likert_page ticks


class Inbox:
    """An SMTP server's received messages, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def since(self, start: int) -> list[EmailMessage]:
        with self.lock:
            return self.messages[start:]


class _AnyPort(Controller):
    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    received = Inbox()
    controller = _AnyPort(received, hostname="127.0.0.1", port=0, ready_timeout=10)
    controller.start()
    try:
        yield received, controller.port
    finally:
        controller.stop()


@pytest.fixture
def workspace(tmp_path, database, inbox) -> Iterator[tuple[str, str]]:
    """The workspace on a real server, on each store (``database``), mail to ``inbox``."""
    _, smtp_port = inbox
    path = database
    db = open_database(path)
    add_user(db, "admin@sekretariatet.no", PASSWORD, "admin")
    db.close()
    app = create_app(
        {
            "DATABASE": str(path),
            "SECRET_KEY": "test",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
            "MAIL_SENDER": "Sekretariatet <post@sekretariatet.no>",
            "MAIL_TIMEOUT": 10,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    with server_thread(app) as base:
        app.config["BASE_URL"] = base
        yield base, str(path)


def link_in(message: EmailMessage) -> str:
    return re.search(r"https?://\S+/s/\S+", message.get_body().get_content()).group(0)


def answer_as_mayor(page: Page, link: str) -> None:
    page.goto(link)
    page.get_by_role("link", name="Start").click()
    page.get_by_role("button", name="Neste").click()
    answer_likert_page(page)
    page.get_by_role("button", name="Neste").click()
    for field in ("#q10-ja_begge", "#q11a-nei", "#q11b", "#q12-5", "#q13-5"):
        page.check(field)
    page.get_by_role("button", name="Neste").click()
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_role("heading", name="Svaret ditt er registrert")).to_be_visible()


def test_a_round_from_upload_to_report(page: Page, browser, workspace, inbox, tmp_path):
    base, db_path = workspace
    received, _ = inbox
    page.goto(f"{base}/sekretariat/")
    expect(page).to_have_url(re.compile(r"/logg-inn"))
    assert_accessible(page)
    page.get_by_label("E-postadresse").fill("admin@sekretariatet.no")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", name="Runder")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Last opp spørreskjema").click()
    assert_accessible(page)
    page.set_input_files("#file", str(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    page.get_by_role("button", name="Kontroller og publiser").click()
    expect(page.get_by_role("heading", name="Hvem ser hvilke spørsmål")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Opprett en runde med dette skjemaet").click()
    assert_accessible(page)
    page.get_by_label("Navn på runden").fill("Evaluering 2009")
    page.get_by_label("Minste gruppestørrelse").fill("3")
    page.get_by_role("button", name="Opprett runden").click()
    expect(page.get_by_role("heading", name="Invitasjoner: Evaluering 2009")).to_be_visible()

    people = tmp_path / "deltakere.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    page.set_input_files("#file", str(people))
    page.get_by_role("button", name="Legg til").click()
    expect(page.get_by_role("heading", name="20 invitert")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Send invitasjoner (20)").click()
    expect(page.get_by_text(f"Lenkene går til {base}, og den adressen fører hit.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Ja, send invitasjoner").click()
    expect(page.get_by_role("status")).to_contain_text("Sendt: 20.")
    invitations = received.since(0)
    assert len(invitations) == 20
    links = {m["To"].addresses[0].addr_spec: link_in(m) for m in invitations}

    respondent = browser.new_context(locale="nb-NO").new_page()
    for mayor in MAYORS:
        answer_as_mayor(respondent, links[mayor])
    respondent.context.close()

    page.reload()
    page.get_by_role("button", name="Send påminnelse til dem som ikke har svart (17)").click()
    page.get_by_role("button", name="Ja, send påminnelser").click()
    reminders = received.since(20)
    assert len(reminders) == 17
    assert not {m["To"].addresses[0].addr_spec for m in reminders} & set(MAYORS)

    page.goto(f"{base}/sekretariat/")
    page.get_by_role("link", name="Evaluering 2009").click()
    assert_accessible(page)
    pdf = tmp_path / "rapport.pdf"
    download_report(page).save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # three mayors answered q5 with 5: the total row, and the mayors' own row (3 >= 3)
    # (the other statements the mayors answered have means 4, 3 and 6: only q5's rows say 5,0)
    q5 = text
    assert re.search(r"^\s*Alle\s+3\s+5,0\s+5,0\s", q5, re.M)
    assert re.search(r"^\s*Ordfører\s+3\s+5,0\s", q5, re.M)
    assert "Inviterte" in text and re.search(r"Svarprosent\s+15\s%", text)
    tallied = "SELECT count(*) FROM answers WHERE item = 'q5' AND number = ?"
    assert query(db_path, tallied, LIKERT["q5"]) == [(3,)]

    # Without JavaScript the waiting page's button asks again, for the same report.
    for cached in (tmp_path / "instance" / "reports").glob("*.pdf"):
        cached.unlink()
    plain = browser.new_context(locale="nb-NO", java_script_enabled=False).new_page()
    plain.goto(f"{base}/sekretariat/")
    plain.get_by_label("E-postadresse").fill("admin@sekretariatet.no")
    plain.get_by_label("Passord").fill(PASSWORD)
    plain.get_by_role("button", name="Logg inn").click()
    plain.get_by_role("link", name="Evaluering 2009").click()
    plain.get_by_role("link", name="Last ned rapporten (PDF)").click()
    expect(plain.get_by_role("heading", name="Rapporten lages")).to_be_visible()
    for _ in range(60):
        try:
            with plain.expect_download(timeout=1000) as again:
                plain.get_by_role("button", name="Sjekk om rapporten er klar").click()
            break
        except PlaywrightTimeout:
            continue
    else:
        raise AssertionError("no report after 60 checks")
    assert again.value.path().read_bytes() == pdf.read_bytes()
    plain.context.close()


def download_report(page: Page) -> Download:
    """Follow the round page's report link to the page that waits for the PDF, and take
    the PDF from the link it offers when its live region says the report is ready. The
    page must not reload itself meanwhile (WCAG 2.2.1): a mark set on it survives."""
    page.get_by_role("link", name="Last ned rapporten (PDF)").click()
    expect(page.get_by_role("heading", name="Rapporten lages")).to_be_visible()
    assert_accessible(page)
    page.evaluate("window.stillTheSamePage = true")
    expect(page.get_by_role("status")).to_have_text("Rapporten er klar.", timeout=60_000)
    assert page.evaluate("window.stillTheSamePage === true")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned rapporten (PDF)").click()
    return download.value
