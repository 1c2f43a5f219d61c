"""The report for people who read it once (issue 16), checked on the real PDF text
(pdftotext): words, not internal ids; lead-ins before their statements; Norwegian dates;
each scale's own words; marks with their keys; truthful notes on hidden cells."""

from __future__ import annotations

import random
import re
import subprocess
from datetime import date

import pytest

from survey.questionnaire import load_questionnaire
from survey.questionnaire.answers import Answer
from survey.report.content import Report, build_report
from survey.report.figures import REASONS, Figure, report_figures
from survey.report.render import render_html, render_pdf
from survey.scoring.suppression import COMPLEMENT, HIDDEN, SMALL
from tests.conftest import QUESTIONNAIRES
from tests.report.conftest import National
from tests.report.test_content import a_round
from tests.scoring.oracle import leaks, reason

HOME_CARE = load_questionnaire(QUESTIONNAIRES / "brukerundersokelse-hjemmetjeneste.yaml")
EMPLOYEES = load_questionnaire(QUESTIONNAIRES / "medarbeiderundersokelse.yaml")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def pdf_text(report: Report, tmp_path_factory: pytest.TempPathFactory) -> str:
    pdf = tmp_path_factory.mktemp("pdf") / "rapport.pdf"
    pdf.write_bytes(render_pdf(render_html(report)))
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def words(text: str) -> str:
    return " ".join(text.split())


def find(text: str, phrase: object) -> int:
    """Where a phrase starts, however pdftotext wraps it."""
    found = re.search(r"\s+".join(re.escape(w) for w in str(phrase).split()), text)
    assert found, phrase
    return found.start()


def employee_people(units: dict[str, int], seed: int = 5) -> list:
    """Employees of several units (each unit's first a leader)."""
    rng = random.Random(seed)
    people = []
    for unit, size in units.items():
        for i in range(size):
            role = "leder" if i == 0 else "medarbeider"
            answers = {"rolle": Answer(role)}
            for item in EMPLOYEES.items:
                if item.question_id == "q_lederrollen" and role != "leder":
                    continue
                answers[item.id] = Answer(min(6, max(1, round(rng.gauss(4.4, 1.0)))))
            people.append(({"role": role, "unit": unit}, answers))
    return people


def employee_report(units: dict[str, int], seed: int = 5, **audited) -> Report:
    """The employees of ``units`` reported by unit."""
    results = a_round(EMPLOYEES, employee_people(units, seed))
    return build_report(results, by=["unit"], today=date(2026, 12, 2), **audited)


def home_care_report() -> Report:
    rng = random.Random(4)
    people = []
    for _ in range(80):
        role = rng.choice(["bruker", "bruker", "parorende"])
        answers = {"hvem_svarer": Answer(role)}
        for pair in HOME_CARE.quality_pairs:
            answers[pair.expectation.id] = Answer(rng.randint(4, 6))
            answers[pair.experience.id] = Answer(rng.randint(2, 6))
        people.append(({"role": role, "unit": "Sone 1"}, answers))
    results = a_round(HOME_CARE, people, anonymous=True)
    return build_report(results, by=["role"], today=date(2026, 12, 2))


@pytest.fixture(scope="module")
def employees(tmp_path_factory) -> str:
    units = {"Sykehjemmet": 23, "Hjemmetjenesten": 17, "Skolen": 9, "Teknisk": 6, "NAV": 3}
    return pdf_text(employee_report(units), tmp_path_factory)


@pytest.fixture(scope="module")
def home_care(tmp_path_factory) -> str:
    return pdf_text(home_care_report(), tmp_path_factory)


def test_headings_and_contents_are_words_not_ids(national: National, employees: str):
    contents = national.text[national.text.index("Innhold") : national.text.index("Om tallene")]
    assert "Spørsmål q" not in national.text
    assert "Samarbeid og nettverk" in contents and "Formidling og evaluering" in contents
    ids = [q.id for q in EMPLOYEES.questions] + [page.id for page in EMPLOYEES.pages]
    ids = [name for name in ids if "_" in name]  # "rolle" is a word too
    assert "q_medarbeiderskap" in ids and "uonsket_deltid" in ids
    for name in ids:
        assert name not in employees
    assert "Ønsker du en større stilling enn den du har i dag?" in employees


def test_a_lead_in_comes_before_its_statement(national: National):
    text = words(national.text)
    lead_in = text.index("vektlegger et konstruktivt samarbeid")
    statement = "Jeg opplever at deltakelse i programmet har styrket samarbeidet i min kommune/"
    heading = text.index("Samarbeid og nettverk", text.index("står i invitasjonslisten"))
    assert statement not in text[heading:lead_in]
    assert text.index(statement, lead_in) - lead_in < 200


def test_dates_are_written_as_norwegian_readers_write_them(employees: str, national: National):
    assert "Svarperiode" in employees
    assert re.search(r"Svarperiode\s+2\. november 2026 – 20\. november 2026", employees)
    assert re.search(r"Laget\s+2\. desember 2026", employees)
    for text in (employees, national.text):
        assert not ISO_DAY.search(text), ISO_DAY.search(text)


def test_a_scale_that_is_not_agreement_has_its_own_words(home_care: str, employees: str):
    assert re.search(r"Høyest\s+\(5–6\)", home_care) and re.search(r"Lavest\s+\(1–2\)", home_care)
    start = home_care.index("Først vil vi vite hva som er viktig")  # the first page's lead-in
    importance = home_care[start : home_care.index("Til deg som er pårørende", start)]
    assert importance.count("Høyest") >= 16  # two pages of eight statements
    assert "Enig" not in importance and "Uenig" not in importance
    method = words(home_care[home_care.rindex("Om tallene") :])
    assert "«Høyest» er andelen som svarte 5 eller 6" in method
    assert "«lavest» andelen som svarte 1 eller 2" in method
    # an agreement scale keeps its words
    assert re.search(r"Enig\s+\(5–6\)", employees) and re.search(r"Uenig\s+\(1–2\)", employees)


def test_reverse_worded_statements_are_marked_with_a_key(employees: str):
    reversed_ = [item for item in EMPLOYEES.items if item.reverse]
    assert reversed_
    text = words(employees)
    for item in reversed_:
        assert f"{item.text} ↕ motsatt formulert" in text, item.id
    summary = text[text.index("Sammendrag") : text.index("Innhold")]
    assert "↕ motsatt formulert påstand: her er enighet et dårlig tegn" in summary
    assert text.count("↕") == 2 * len(reversed_) + 1  # summary row, heading; the key


def test_k_below_one_is_marked_and_drawn_without_repeated_dimensions(home_care: str):
    assert "(dimensjon)" not in home_care
    quality = home_care[home_care.index("K er snittet for det brukerne opplevde") :]
    # the drawing: F and L per topic, with its text in the caption
    caption = words(quality)
    assert "Snittet for forventning (F, grå) og opplevelse (L) per tema" in caption
    assert re.search(r"Respekt: F \d,\d, L \d,\d, K under 1;", caption)
    assert re.search(r"^\s*Respekt\s+Alle\s+80\s+\d,\d\s+\d,\d\s+0,\d\d ▼ under 1$", quality, re.M)
    # a dimension of several topics is shown once, summed up; one of a single topic not at all
    assert re.search(r"^\s*Tilgjengelighet, samlet\s+Alle\s+80\s", quality, re.M)
    assert "Respektfull behandling" not in quality


def test_a_hidden_cell_says_why_and_the_method_says_what_it_means(employees: str):
    """Teknisk (6 people) is hidden to protect NAV (3): it is not "færre enn 5 svar", as
    every hidden cell said before, but "skjult for å beskytte en liten gruppe"; NAV is
    "færre enn 5 svar". Both are bounds the auditor has read with the shown figures (and
    would with everything released before), and the method page says what they mean."""
    notes: dict[str, set[str]] = {"Teknisk": set(), "NAV": set()}
    start = find(employees, EMPLOYEES.question("q_medarbeiderskap").text)
    end = find(employees, EMPLOYEES.question("q_ledelse").text)
    assert start < end
    for line in employees[start:end].splitlines():
        cells = line.split(maxsplit=1)
        if cells and cells[0] in notes and len(cells) > 1 and not cells[1][:1].isdigit():
            notes[cells[0]].add(" ".join(cells[1].split()))
    assert notes == {
        "Teknisk": {"skjult for å beskytte en liten gruppe"},
        "NAV": {"færre enn 5 svar"},
    }
    method = words(employees[employees.rindex("Personvern") :])
    assert "Ved hver skjult celle står hvorfor: «færre enn 5 svar» der gruppen selv" in method
    assert "kontrollert sammen med tallene og med grunnene som er gitt tidligere" in method


def test_a_reason_that_would_say_too_much_is_left_out_and_only_reasons_are_figures():
    units = {"Stor": 20, "Liten": 2, "Midt": 5}  # told "Midt ≥ 5", Liten ≤ 2 would follow
    report = employee_report(units, seed=6)
    rows = [
        row
        for page in report.pages
        for question in page.questions
        for item in question.items
        for row in item.rows
        if row.group.label in ("Liten", "Midt") and question.id != "q_lederrollen"  # 1 each
    ]
    assert rows and {row.hidden for row in rows} == {HIDDEN}
    html = render_html(report)
    assert 'hidden-cell">skjult<' in html and 'hidden-cell">skjult for' not in html
    item = f"item:{EMPLOYEES.items[0].id}"
    figures = report_figures(report, ["unit"])
    assert not [f for f in figures if f.measure == item and f.statistic in REASONS.values()]
    # where the reasons are given, they are ledger figures
    told = employee_report({"Sykehjemmet": 23, "Teknisk": 6, "NAV": 3})
    figures = report_figures(told, ["unit"])
    assert Figure(item, (("unit", "NAV"),), "fewer than k", 5.0) in figures
    assert Figure(item, (("unit", "Teknisk"),), "at least k", 5.0) in figures


def pages(text: str) -> list[list[str]]:
    """Each page's lines with text, without its running header and page number."""
    found = []
    for page in text.split("\f"):
        lines = [line for line in page.splitlines() if line.strip()]
        if not lines:
            continue
        lines = [line for line in lines if not re.fullmatch(r"\s*Side \d+ av \d+\s*", line)]
        found.append(lines[1:] if len(found) else lines)  # the cover has no header
    return found


def test_the_summary_comes_first_and_reads_alone(national: National):
    summary = words("\n".join(pages(national.text)[1]))
    assert summary.startswith("Sammendrag • Svar: ")
    rate = re.search(r"Svar: (\d+) av (\d+) inviterte svarte \((\d+) %\)", summary)
    invited = [i for i in national.results.invitations if i[0]["role"] != "annet"]  # residual
    assert rate and int(rate[2]) == len(invited) and int(rate[1]) == sum(a for _, a in invited)
    assert "Høyest vurdert av alle: «" in summary and "Lavest vurdert av alle: «" in summary
    assert re.search(r"Vurdering av programmet: snitt \d,\d for alle \(mål 4,5\)", summary)
    assert "Innhold" in pages(national.text)[2][0]  # the contents after it


def test_no_page_holds_a_line_or_two(national: National, employees: str, home_care: str):
    for text in (national.text, employees, home_care):
        for number, lines in enumerate(pages(text), start=1):
            assert len(lines) >= 3, (number, lines)


def test_no_small_table_is_split_over_two_pages(national: National, employees: str, home_care: str):
    """A choice table starts with its "Svar" header and ends with its base row."""
    for text in (national.text, employees, home_care):
        for number, lines in enumerate(pages(text), start=1):
            heads = sum(bool(re.match(r"\s*Svar\s{2,}[^\d\s]", line)) for line in lines)
            bases = sum(bool(re.match(r"\s*(Svarte|Så spørsmålet)\s{2,}", line)) for line in lines)
            assert heads == bases, (number, lines)
            # a number table's header under its caption, never repeated on a page of its own
            for at, line in enumerate(lines):
                if re.fullmatch(r"\s*Gruppe\s+Svar\s+Snitt\s+Median\s*", line):
                    assert at > 0 and not re.search(r"\S\s{2,}\S", lines[at - 1]), (number, lines)


def test_a_report_of_mostly_hidden_cells_says_why_up_front(tmp_path_factory, employees: str):
    units = {f"Enhet {n}": 3 for n in range(1, 9)} | {"Stab": 7}
    text = pdf_text(employee_report(units, seed=7), tmp_path_factory)
    summary = words("\n".join(pages(text)[1]))
    assert summary.startswith("Sammendrag Hvorfor de fleste tallene mangler")
    assert "Det er personvernet som virker, ikke en feil." in summary
    # a report of groups large enough says nothing of the kind
    assert "Hvorfor de fleste" not in employees


def test_home_cares_summary_rates_the_service_not_what_matters(home_care: str):
    summary = words("\n".join(pages(home_care)[1]))
    top = re.search(r"Høyest vurdert av alle: «([^»]+)»", summary)
    assert top and top[1].startswith("Hvor fornøyd er du")  # not "Hvor viktig er det ..."
    assert re.search(r"Opplevd kvalitet: K er under 1 for \d temaer?", summary)


@pytest.mark.parametrize(
    "before",
    [
        {},
        {"role": [{"role": "medarbeider"}]},
        {"cell": [{"role": "medarbeider", "unit": "Teknisk"}]},
        {"stated": [({"role": "leder"}, "fewer than k", 5.0)]},
    ],
)
def test_reasons_are_given_only_where_everything_released_keeps_every_small_group(before):
    """A reason is an inequality on its group's count, audited with every figure and
    reason released before (``Released.told``): whatever was released, the reasons given
    with this report, the figures shown and everything before leave every group under
    the minimum at least one respondent of room either side, as the independent judge
    (``tests/scoring/oracle.py``) finds by enumerating every table consistent with all
    of it."""
    units = {"Sykehjemmet": 23, "Teknisk": 6, "NAV": 3}
    people = employee_people(units)
    item = EMPLOYEES.items[0]
    measure = f"item:{item.id}"
    groups = [g for key, value in before.items() if key != "stated" for g in value]
    stated = before.get("stated", [])
    report = employee_report(
        units,
        released_before={measure: groups},
        respondents_all=people,
        stated_before={measure: stated},
    )
    block = next(i for p in report.pages for q in p.questions for i in q.items if i.id == item.id)
    reasons = {(row.group.label, row.hidden) for row in block.rows if row.suppressed}
    if not before:  # the first release of the snapshot: its own figures only
        assert reasons == {("NAV", SMALL), ("Teknisk", COMPLEMENT)}
    counts: dict[tuple[str, str], int] = {}
    for group, answers in people:
        if item.id in answers:
            cell = (group["role"], group["unit"])
            counts[cell] = counts.get(cell, 0) + 1

    def cells(group: dict[str, str]) -> list[tuple[str, str]]:
        return [
            c for c in counts if all(c[("role", "unit").index(d)] == v for d, v in group.items())
        ]

    figures = [cells(g) for g in groups]
    figures += [
        cells(dict(f.group))
        for f in report_figures(report, ["unit"])
        if f.measure == measure and f.statistic == "n"
    ]
    limits = [reason(cells(g), why == "fewer than k", 5) for g, why, _ in stated]
    limits += [
        reason(cells(dict(f.group)), f.statistic == "fewer than k", 5)
        for f in report_figures(report, ["unit"])
        if f.measure == measure and f.statistic in REASONS.values()
    ]
    assert leaks(counts, figures, 5, limits=limits) == []


def test_the_method_page_says_what_the_check_reads_and_lets_pass(
    national: National, home_care: str
):
    method = words(national.text[national.text.rindex("Om tallene") :])
    assert (
        "Antall inviterte i hver gruppe, som svarprosenten viser, er med i kontrollen: "
        "ingen gruppe kan ha flere svar enn den har inviterte." in method
    )
    assert "Der alle i en gruppe har svart det samme, vises det likevel (100 %)" in method
    assert "vet da også hva personen svarte." in method
    # an anonymous round has no numbers invited to read, and its page says nothing of them
    anonymous = words(home_care[home_care.rindex("Om tallene") :])
    assert "Antall inviterte" not in anonymous
    assert "Der alle i en gruppe har svart det samme" in anonymous
