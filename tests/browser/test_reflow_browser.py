"""Reflow (WCAG 1.4.10) on every respondent page of every bundled questionnaire.

A 320 px wide phone and a 1280 px window at 200 % zoom (a 640 px CSS viewport: zoom is not
``device_scale_factor``) walk through each questionnaire as each role whose pages differ,
the way a respondent arrives (a personal link, an open link, a one-time code): the start
and code pages, every page empty and sent (its error state) and then answered, and the
thank-you page. On each the browser measures that nothing is wider than the window and that
every radio button and checkbox has its label beside it (the label's first line at the
height of the input, to its right), never a lone circle above a wrapped label."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Page

from survey import create_app
from survey.accounts import operator
from survey.invitation_list import Person
from survey.operations.access_codes import create_codes
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from tests.conftest import QUESTIONNAIRES, server_thread

# The first radio button of every group and the first checkbox of every list is chosen
# unless a journey says otherwise; these words test wrapping where a respondent types.
LONG_WORD = "Hjemmesykepleiekoordineringstjenesteansvarlig"

MEASURE = """() => {
  const problems = [];
  const width = window.innerWidth;
  const scrolled = document.documentElement.scrollWidth;
  if (scrolled > width) problems.push(`the page is ${scrolled} px wide in ${width} px`);
  for (const element of document.querySelectorAll("main *")) {
    const box = element.getBoundingClientRect();
    if (box.width && box.right > width + 0.5 && !element.closest(".visually-hidden"))
      problems.push(`${element.tagName.toLowerCase()}#${element.id} ends at ${box.right} px`);
  }
  for (const input of document.querySelectorAll("input[type=radio], input[type=checkbox]")) {
    const label = document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
    if (!label) { problems.push(`${input.id} has no label`); continue; }
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    let text = walker.nextNode();
    while (text && !text.textContent.trim()) text = walker.nextNode();
    const start = text.textContent.search(/\\S/);
    const first = document.createRange();
    first.setStart(text, start);
    first.setEnd(text, start + 1);
    const line = first.getBoundingClientRect();
    const box = input.getBoundingClientRect();
    if (!(line.top < box.bottom && line.bottom > box.top))
      problems.push(`${input.id}: the label's first line (${line.top}–${line.bottom}) is ` +
                    `not beside the input (${box.top}–${box.bottom})`);
    if (line.left < box.right || line.left > box.right + 24)
      problems.push(`${input.id}: the label starts at ${line.left} px, the input ends ` +
                    `at ${box.right} px`);
  }
  return {width: scrolled, problems};
}"""

FILL = """([choices, texts]) => {
  for (const input of document.querySelectorAll("main input[type=radio], main input[type=checkbox]")) {
    const wanted = choices[input.name];
    const first = document.querySelector(`input[name="${CSS.escape(input.name)}"]`) === input;
    input.checked = wanted ? wanted.includes(input.value) : first;
  }
  for (const [id, value] of Object.entries(texts)) {
    const input = document.getElementById(id);
    if (input) input.value = value;
  }
}"""

CLEAR = """() => {
  for (const input of document.querySelectorAll("main input, main textarea")) {
    if (input.type === "radio" || input.type === "checkbox") input.checked = false;
    else if (input.type !== "hidden") input.value = "";
  }
}"""


@dataclass
class Journey:
    """One respondent's way through a questionnaire: the answers that decide which pages
    they see (the rest take the first option)."""

    name: str
    questionnaire: str
    choices: dict[str, list[str]]
    texts: dict[str, str] = field(default_factory=dict)
    pages: int = 0  # how many pages of questions the respondent should see


JOURNEYS = [
    Journey(
        "2009, ordfører (personal link)",
        "kvalitetskommune-2009",
        {"q1": ["ordforer"]},
        {"q14": LONG_WORD},
        pages=4,
    ),
    Journey(
        "2009, prosjektleder (personal link)",
        "kvalitetskommune-2009",
        {
            "q1": ["prosjektleder"],
            "q2": ["nei"],
            "q3": ["skifte", "okt_frikjop"],
            "q4": ["ikke_frikjopt"],
        },
        pages=5,
    ),
    Journey(
        "home care, user (open link)",
        "brukerundersokelse-hjemmetjeneste",
        {"hvem_svarer": ["bruker"], "tjenester": ["hjemmesykepleie"]},
        pages=5,
    ),
    Journey(
        "home care, next of kin (open link)",
        "brukerundersokelse-hjemmetjeneste",
        {
            "hvem_svarer": ["parorende"],
            "tjenester": ["praktisk_bistand", "trygghetsalarm", "matombringing", "annet"],
        },
        {"tjenester__annet": LONG_WORD, "kommentar": LONG_WORD},
        pages=7,
    ),
    Journey(
        "employee, part time (one-time code)",
        "medarbeiderundersokelse",
        {"rolle": ["medarbeider"], "stilling": ["deltid"]},
        {"stilling__deltid": "60"},
        pages=10,
    ),
    Journey(
        "employee, leader (one-time code)",
        "medarbeiderundersokelse",
        {"rolle": ["leder"], "stilling": ["heltid"]},
        pages=10,
    ),
]


@dataclass
class Site:
    base: str
    links: dict[str, str]  # journey name -> where the respondent starts
    code_journeys: set[str]


@pytest.fixture
def site(tmp_path) -> Iterator[Site]:
    """All bundled questionnaires published, with a round of each kind of access."""
    path = str(tmp_path / "reflow.sqlite3")
    db = open_database(path)
    for file in sorted(QUESTIONNAIRES.glob("*.yaml")):
        publish(db, load_file(file))
    invited = create_round(db, "kvalitetskommune-2009", "Evaluering")
    people = [
        Person("Kari Nordmann", "kari@levanger.kommune.no", "ordforer", "Levanger", {}),
        Person("Ola Ødegård", "ola@verdal.kommune.no", "prosjektleder", "Verdal", {}),
    ]
    tokens = [i.token for i in add_invitations(db, invited.id, people)]
    open_round = create_round(
        db, "brukerundersokelse-hjemmetjeneste", "Hjemmetjenesten", anonymous=True
    )
    coded = create_round(
        db, "medarbeiderundersokelse", "Medarbeidere", anonymous=True, open_link=False
    )
    codes = create_codes(db, operator(), coded.id, 2)
    db.close()
    links = {
        JOURNEYS[0].name: f"/s/{tokens[0]}",
        JOURNEYS[1].name: f"/s/{tokens[1]}",
        JOURNEYS[2].name: f"/a/{open_round.open_token}",
        JOURNEYS[3].name: f"/a/{open_round.open_token}",
        JOURNEYS[4].name: codes[0],
        JOURNEYS[5].name: codes[1],
    }
    app = create_app({"DATABASE": path, "SECRET_KEY": "test", "TESTING": True})
    with server_thread(app) as base:
        yield Site(base, links, {JOURNEYS[4].name, JOURNEYS[5].name})


def measure(tab: Page, where: str, seen: dict[str, int]) -> list[str]:
    tab.wait_for_load_state()
    found = tab.evaluate(MEASURE)
    seen[where] = found["width"]
    return [f"{where}: {problem}" for problem in found["problems"]]


def walk(tab: Page, site: Site, journey: Journey, seen: dict[str, int]) -> list[str]:
    """Every page of ``journey``, each measured empty-and-sent and then answered."""
    problems: list[str] = []
    start = site.links[journey.name]
    if journey.name in site.code_journeys:
        tab.goto(f"{site.base}/kode")
        problems += measure(tab, "code page", seen)
        tab.get_by_label("Kode").fill("FEIL-KODE-" + LONG_WORD)
        tab.get_by_role("button", name="Gå til undersøkelsen").click()
        problems += measure(tab, "code page with an error", seen)
        tab.get_by_label("Kode").fill(start)
        tab.get_by_role("button", name="Gå til undersøkelsen").click()
    else:
        tab.goto(site.base + start)
    problems += measure(tab, f"{journey.name}: start page", seen)
    tab.get_by_role("link", name="Start").click()
    pages = 0
    while "/ferdig" not in tab.url:
        tab.wait_for_load_state()
        where = f"{journey.name}: {tab.url.split('/')[-1]} ({tab.title()})"
        pages += 1
        assert pages <= journey.pages, f"{where}: more pages than {journey.pages}"
        problems += measure(tab, where, seen)
        if tab.locator("main input[type=radio]").count():  # no empty page may be sent on
            tab.evaluate(CLEAR)
            tab.locator("button[value=next]").click()
            tab.wait_for_load_state()
            assert tab.title().startswith("Feil"), f"{where}: sent empty without an error"
            problems += measure(tab, where + " with errors", seen)
        tab.evaluate(FILL, [journey.choices, journey.texts])
        tab.locator("button[value=next]").click()
        tab.wait_for_load_state()
    assert pages == journey.pages, f"{journey.name}: {pages} pages, not {journey.pages}"
    problems += measure(tab, f"{journey.name}: thank-you page", seen)
    return problems


# 320 CSS px is a small phone; 640 is a 1280 x 800 window at 200 % zoom.
@pytest.mark.parametrize(("width", "height"), [(320, 640), (640, 400)])
def test_every_respondent_page_reflows_with_labels_beside_their_inputs(
    browser: Browser, site: Site, width: int, height: int
):
    context = browser.new_context(locale="nb-NO", viewport={"width": width, "height": height})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    seen: dict[str, int] = {}
    problems: list[str] = []
    tab.goto(f"{site.base}/s/ukjent-lenke")
    problems += measure(tab, "unknown link", seen)
    for journey in JOURNEYS:
        context.clear_cookies()  # a new respondent on the open link
        problems += walk(tab, site, journey, seen)
    context.close()
    assert len(seen) > 80  # every page was measured, not just a few
    widest: dict[str, int] = {}
    for where, measured in seen.items():
        journey = where.split(":")[0]
        widest[journey] = max(widest.get(journey, 0), measured)
    assert problems == [], "\n".join(problems[:40]) + f"\nwidest pages: {widest}"
