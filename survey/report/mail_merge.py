"""A mail merge of personal paper forms: each person's first page, then the questions.

Laid out whole, a form per person is four pages of WeasyPrint layout (about a second) and
keeps every page's layout in memory until the PDF is written: 690 forms took 11 minutes
and would have needed some 4 GB. Only the first page differs from person to person (the
address in the envelope's window, the return code, the QR code of their link), so it is
the only page laid out per person, in batches that bound the memory; the questions are laid
out once, and their pages are put after every cover page as references to the same
content (pypdf), so the file grows by a page dictionary per page, not by its drawing.

The pieces are tagged PDFs; joined, the file is a print file for the post room and keeps no
structure tree (pypdf cannot merge them). The blank form, which is the one read on screen,
is the tagged PDF/UA of ``render.render_pdf``.
"""

from __future__ import annotations

import io
from dataclasses import replace

from pypdf import PdfReader, PdfWriter

from survey.report.paper import PaperForm
from survey.report.render import render_paper_html, render_pdf

BATCH = 100
"""Cover pages laid out together: about 150 MB of layout at a time."""


def mail_merge_pdf(form: PaperForm, batch: int = BATCH) -> bytes:
    """One form per recipient, each starting on a right-hand page (a two-sided print puts
    no two people on one sheet)."""
    body = PdfReader(io.BytesIO(render_pdf(render_paper_html(form, "body"))))
    questions = body.pages[1:]  # the first page stands in for the cover
    writer = PdfWriter()
    width, height = questions[0].mediabox.width, questions[0].mediabox.height
    for start in range(0, len(form.recipients), batch):
        chunk = replace(form, recipients=form.recipients[start : start + batch])
        covers = PdfReader(io.BytesIO(render_pdf(render_paper_html(chunk, "covers"))))
        for cover in covers.pages:
            writer.add_page(cover)
            for page in questions:
                writer.add_page(page)
            if (1 + len(questions)) % 2:
                writer.add_blank_page(width, height)
    writer.add_metadata({"/Title": f"{form.questionnaire.title} – personlige skjemaer"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
