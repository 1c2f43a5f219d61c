"""The accessibility statement cannot drift from the suite: it lists exactly WCAG 2.1's
50 criteria of level A and AA, every test it cites exists (and runs in this same suite, so
a claim whose test fails turns the build red), every "oppfylt" is backed by a test or by
what a person checked, and the page at /tilgjengelighet shows every criterion with its
status. Every page links it from its footer."""

from __future__ import annotations

import re
import subprocess
import sys

import lxml.html
import pytest

from survey import create_app
from survey.web.wcag import CRITERIA, NOT_REQUIRED
from tests.conftest import ROOT

# WCAG 2.1's success criteria of level A and AA (w3.org/TR/WCAG21), written out here
# rather than read from the module under test: 30 of level A, 20 of level AA.
LEVEL_A = """
1.1.1 1.2.1 1.2.2 1.2.3 1.3.1 1.3.2 1.3.3 1.4.1 1.4.2 2.1.1 2.1.2 2.1.4 2.2.1 2.2.2 2.3.1
2.4.1 2.4.2 2.4.3 2.4.4 2.5.1 2.5.2 2.5.3 2.5.4 3.1.1 3.2.1 3.2.2 3.3.1 3.3.2 4.1.1 4.1.2
"""
LEVEL_AA = """
1.2.4 1.2.5 1.3.4 1.3.5 1.4.3 1.4.4 1.4.5 1.4.10 1.4.11 1.4.12 1.4.13 2.4.5 2.4.6 2.4.7
3.1.2 3.2.3 3.2.4 3.3.3 3.3.4 4.1.3
"""
WCAG21 = dict.fromkeys(LEVEL_A.split(), "A") | dict.fromkeys(LEVEL_AA.split(), "AA")
STATUSES = {"oppfylt", "delvis oppfylt", "ikke oppfylt", "ikke relevant"}
NODE_ID = re.compile(r"^tests/[\w/]+\.py::\w+(\[[^\]]+\])?$")


def _cited() -> list[str]:
    return sorted({test for criterion in CRITERIA for test in criterion.tests})


def _found(node_id: str, collected: set[str]) -> bool:
    """A node id names a test, or (without parameters) every parametrisation of one."""
    return node_id in collected or any(c.startswith(node_id + "[") for c in collected)


def test_the_statement_lists_the_50_a_and_aa_criteria_of_wcag_21_each_once():
    numbers = [c.number for c in CRITERIA]
    assert len(numbers) == len(set(numbers)) == 50
    assert {c.number: c.level for c in CRITERIA} == WCAG21
    assert len([n for n in WCAG21 if WCAG21[n] == "A"]) == 30
    # WCAG's own order, so the page reads like the standard
    assert numbers == sorted(numbers, key=lambda n: tuple(int(p) for p in n.split(".")))


def test_the_norwegian_regulation_requires_47_of_them():
    assert {"1.2.3", "1.2.4", "1.2.5"} == NOT_REQUIRED
    assert len([c for c in CRITERIA if c.required]) == 47


def test_every_claim_is_backed_by_a_test_or_by_what_a_person_checked():
    for c in CRITERIA:
        assert c.status in STATUSES, c.number
        assert c.name and c.how.strip(), c.number
        if c.status == "oppfylt":
            assert c.tests or c.manual.strip(), f"{c.number}: oppfylt, but checked by nothing"
        if c.status in ("delvis oppfylt", "ikke oppfylt"):
            assert c.deviation.strip(), f"{c.number}: {c.status}, but no deviation said"
            assert c.tests or c.manual.strip(), f"{c.number}: what is met, checked by nothing"
        else:
            assert not c.deviation, f"{c.number}: a deviation on a criterion that is {c.status}"
        for test in c.tests:
            assert NODE_ID.match(test), (c.number, test)
            assert (ROOT / test.split("::")[0]).is_file(), (c.number, test)


def test_every_cited_test_exists_in_the_suite(request):
    """Looked up among the tests this session collected, and, for those a narrower run did
    not collect, by collecting their files: a renamed or deleted test cannot stay cited."""
    collected = {item.nodeid for item in request.session.items}
    missing = [test for test in _cited() if not _found(test, collected)]
    if missing:
        files = sorted({test.split("::")[0] for test in missing})
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
            + files,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        collected |= {line.strip() for line in run.stdout.splitlines() if "::" in line}
    assert [test for test in missing if not _found(test, collected)] == []


def _page(tmp_path, **settings) -> lxml.html.HtmlElement:
    config = {"DATABASE": str(tmp_path / "s.sqlite3"), "SECRET_KEY": "t", "TESTING": True}
    app = create_app(config | settings)
    response = app.test_client().get("/tilgjengelighet")  # nobody signed in
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True))


def test_the_page_lists_every_criterion_with_its_status_and_its_tests(tmp_path):
    page = _page(tmp_path)
    for c in CRITERIA:
        (row,) = page.xpath(f'//tr[@id="krav-{c.number}"]')
        cells = row.xpath("./th | ./td")
        assert cells[0].text_content().strip() == f"{c.number} {c.name}"
        assert cells[1].text_content().split()[0] == c.level
        assert ("ikke krav i forskriften" in cells[1].text_content()) is not c.required
        assert cells[2].text_content().strip() == c.status
        assert [code.text for code in cells[3].iter("code")] == list(c.tests)
        if c.deviation:
            assert c.deviation in " ".join(cells[3].text_content().split())
    assert len(page.xpath("//tbody/tr")) == 50


def test_the_page_names_the_organisation_and_the_feedback_route(tmp_path):
    published = "https://uustatus.no/nb/erklaringer/publisert/0000"
    page = _page(
        tmp_path,
        ORGANISATION="Levanger kommune",
        ACCESSIBILITY_CONTACT="post@levanger.no",
        ACCESSIBILITY_STATEMENT_URL=published,
    )
    text = " ".join(page.text_content().split())
    assert "som Levanger kommune bruker" in text
    assert page.xpath(f'//main/p[1]/a[@href="{published}"]')  # the statement the law asks
    assert page.xpath('//a[@href="mailto:post@levanger.no"]')
    assert page.xpath('//a[@href="https://www.uutilsynet.no/"]')  # the enforcement route
    assert page.xpath('//a[@href="mailto:post@uutilsynet.no"]')


def test_without_a_contact_the_page_says_whom_to_ask(tmp_path):
    page = _page(tmp_path)
    text = " ".join(page.text_content().split())
    assert "uustatus.no/" not in lxml.html.tostring(page, encoding="unicode")
    assert "Kontakt virksomheten som sendte deg undersøkelsen" in text
    assert [a for a in page.iter("a") if a.get("href", "").startswith("mailto:")] == [
        a for a in page.iter("a") if a.get("href") == "mailto:post@uutilsynet.no"
    ]


@pytest.mark.parametrize(
    "setting", ["ORGANISATION", "ACCESSIBILITY_CONTACT", "ACCESSIBILITY_STATEMENT_URL"]
)
def test_the_statements_settings_come_from_the_environment(tmp_path, monkeypatch, setting):
    monkeypatch.setenv(f"SURVEY_{setting}", "x@kommune.example")
    app = create_app({"DATABASE": str(tmp_path / "s.sqlite3"), "SECRET_KEY": "t"})
    assert app.config[setting] == "x@kommune.example"


def test_every_page_links_the_statement_from_its_footer(every_page):
    """The report's preview too, whose frame is the web's (secretariat._framed)."""
    footer = re.compile(
        r'<footer[^>]*>\s*<p><a href="/tilgjengelighet">Tilgjengelighetserklæring</a></p>\s*'
        r"</footer>\s*</body>"
    )
    without = [name for name, html in every_page.html.items() if not footer.search(html)]
    assert without == []
    assert "rapport i nettleseren" in every_page.html
    assert "tilgjengelighetserklæring" in every_page.html
