"""Render one report of each bundled questionnaire and put a page of each in docs/images/.

    python docs/build_report_images.py

The 2009 report is the national demo's (``survey demo --national``, then ``survey report 2
--compare 1``), made in a temporary database; the employee and home-care reports are of
generated answers (fixed seeds), made the same way the tests make them. Each page is
rendered with ``pdftoppm -r 60`` (poppler-utils), small enough for the README.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"

if str(ROOT) not in sys.path:  # run as a script from a checkout without an install
    sys.path.insert(0, str(ROOT))

from survey.questionnaire import load_questionnaire  # noqa: E402
from survey.questionnaire.answers import Answer  # noqa: E402
from survey.records import RoundResults  # noqa: E402
from survey.report.content import Report, build_report  # noqa: E402
from survey.report.render import render_html, render_pdf  # noqa: E402
from survey.storage.rounds import Round  # noqa: E402

QUESTIONNAIRES = ROOT / "questionnaires"
TODAY = date(2026, 12, 2)


def a_round(questionnaire, respondents, *, anonymous: bool) -> RoundResults:
    round_ = Round(1, "Høsten 2026", 1, anonymous, 5, None, None, None, True, "2026-11-01")
    return RoundResults(round_, questionnaire, respondents, [], "2026-11-02", "2026-12-02")


def home_care() -> Report:
    """140 users and next of kin, anonymous, by role: the K page."""
    q = load_questionnaire(QUESTIONNAIRES / "brukerundersokelse-hjemmetjeneste.yaml")
    rng = random.Random(4)
    people = []
    for _ in range(140):
        role = rng.choice(["bruker", "bruker", "parorende"])
        answers = {"hvem_svarer": Answer(role)}
        for pair in q.quality_pairs:
            answers[pair.expectation.id] = Answer(rng.randint(4, 6))
            answers[pair.experience.id] = Answer(rng.randint(2, 6))
        people.append(({"role": role, "unit": "Sone 1"}, answers))
    return build_report(a_round(q, people, anonymous=True), by=["role"], today=TODAY)


def employees() -> Report:
    """Five units by unit, two of them small: the reasons given for hidden cells."""
    q = load_questionnaire(QUESTIONNAIRES / "medarbeiderundersokelse.yaml")
    rng = random.Random(5)
    units = {"Sykehjemmet": 23, "Hjemmetjenesten": 17, "Skolen": 9, "Teknisk": 6, "NAV": 3}
    people = []
    for unit, size in units.items():
        for i in range(size):
            role = "leder" if i == 0 else "medarbeider"
            answers = {"rolle": Answer(role)}
            for item in q.items:
                if item.question_id == "q_lederrollen" and role != "leder":
                    continue
                answers[item.id] = Answer(min(6, max(1, round(rng.gauss(4.4, 1.0)))))
            people.append(({"role": role, "unit": unit}, answers))
    return build_report(a_round(q, people, anonymous=True), by=["unit"], today=TODAY)


def national(folder: Path) -> Path:
    """The national demo's report, as the README's commands make it."""
    db = folder / "demo.sqlite3"
    pdf = folder / "kvalitetskommune-2009.pdf"
    env = {"SURVEY_DATABASE": str(db), "PATH": "/usr/bin:/bin"}
    survey = [sys.executable, "-c", "from survey.cli import main; main()"]
    for args in (["demo", "--national"], ["report", "2", "--compare", "1", "-o", str(pdf)]):
        subprocess.run([*survey, *args], cwd=ROOT, env=env, check=True, capture_output=True)
    return pdf


def page(pdf: Path, number: int, name: str) -> None:
    target = IMAGES / name
    subprocess.run(
        ["pdftoppm", "-f", str(number), "-l", str(number), "-r", "60", "-png", "-singlefile"]
        + [str(pdf), str(target.with_suffix(""))],
        check=True,
    )
    print(f"{target.relative_to(ROOT)}: page {number} of {pdf.name}")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        pdf = national(folder)
        page(pdf, 2, "report-kvalitetskommune-2009.png")  # the summary
        page(pdf, 8, "report-page.png")  # statements with their bars and tables
        for report, number, name in (
            (employees(), 7, "report-medarbeiderundersokelse.png"),
            (home_care(), 13, "report-hjemmetjeneste.png"),
        ):
            pdf = folder / name.replace(".png", ".pdf")
            pdf.write_bytes(render_pdf(render_html(report)))
            page(pdf, number, name)


if __name__ == "__main__":
    main()
