"""Render the 2009 paper form and put its pages in docs/images/ for the README.

    python docs/build_paper_form_images.py

The blank form of questionnaires/kvalitetskommune-2009.yaml with the secretariat's return
address of 2009 (``survey paper-form``), every page, and the cover page of a personal form
of the mail merge (a made-up person and link). Each page is rendered with
``pdftoppm -r 50`` (poppler-utils): small enough for the README, large enough to judge.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"

if str(ROOT) not in sys.path:  # run as a script from a checkout without an install
    sys.path.insert(0, str(ROOT))

from survey.questionnaire import load_questionnaire  # noqa: E402
from survey.report.mail_merge import mail_merge_pdf  # noqa: E402
from survey.report.paper import paper_form, recipient  # noqa: E402
from survey.report.render import render_paper_html, render_pdf  # noqa: E402
from survey.return_codes import return_code  # noqa: E402

RETURN_ADDRESS = "Kvalitetskommuneprogrammet\nPostboks 1378 Vika\n0114 Oslo"
LINK = "https://sporreskjema.example.no/s/3q0Vn1zZcX8kHq2mYwT5bR7uLd9aPfJe"


def pages(pdf: bytes, name: str, only: int | None = None) -> list[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "form.pdf"
        path.write_bytes(pdf)
        first = ["-f", str(only), "-l", str(only)] if only else []
        subprocess.run(
            ["pdftoppm", *first, "-r", "50", "-png", str(path), str(Path(folder) / "p")],
            check=True,
        )
        written = []
        for number, png in enumerate(sorted(Path(folder).glob("p-*.png")), start=1):
            target = IMAGES / f"{name}-{number}.png"
            target.write_bytes(png.read_bytes())
            written.append(target)
        return written


def main() -> None:
    q = load_questionnaire(ROOT / "questionnaires" / "kvalitetskommune-2009.yaml")
    blank = render_pdf(render_paper_html(paper_form(q, return_address=RETURN_ADDRESS)))
    person = recipient(("Kari Nordmann", "Rådhusgata 1", "7600 Levanger"), return_code(17), LINK)
    merged = mail_merge_pdf(paper_form(q, return_address=RETURN_ADDRESS, recipients=[person]))
    for path in pages(blank, "paper-form-2009") + pages(merged, "paper-form-personal", only=1):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
