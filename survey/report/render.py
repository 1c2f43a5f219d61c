"""From report content to HTML (Jinja2, autoescaped) and to PDF (WeasyPrint).

The PDF renderer may read the package's own stylesheet and fonts and nothing else: no
network address, no other file, not even a ``data:`` URL. Comments are respondents' text and
could contain ``<img src="file:///etc/passwd">``; autoescaping prints that as text, and the
fetcher is the second wall should markup ever get through.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document
from weasyprint.urls import URLFetcherResponse

try:  # the user-agent sheet's text; WeasyPrint 68-69 call it HTML5_UA
    from weasyprint.html import UA as WEASYPRINT_UA
except ImportError:  # pragma: no cover - depends on the installed WeasyPrint
    from weasyprint.html import HTML5_UA as WEASYPRINT_UA

from survey.gc_pause import paused_gc
from survey.questionnaire.model import Scale
from survey.report import ASSETS, REPORTS
from survey.report.charts import quality_bars, stacked_bars
from survey.report.content import Report, hidden_note, scale_words
from survey.report.paper import PaperForm

BETWEEN_TAGS = re.compile(r">\n\s*<")
MEDIA_TYPES = {".css": "text/css", ".ttf": "font/ttf", ".svg": "image/svg+xml"}


def decimal(value: float | None, places: int = 1) -> str:
    """Norwegian style: 4,8 and 1 234 (a non-breaking space between thousands)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{places}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def percent(share: float | None) -> str:
    return "–" if share is None else f"{decimal(share * 100, 0)}\u00a0%"


def signed(value: float | None, places: int = 1) -> str:
    if value is None:
        return ""
    text = decimal(abs(value), places)
    return f"+{text}" if value > 0.05 else (f"−{text}" if value < -0.05 else f"±{text}")


def scale_points(scale: Scale) -> list[str]:
    """ "1 helt uenig", "2", ..., "6 helt enig": the chart legend."""
    return [f"{p} {scale.labels[p]}" if p in scale.labels else str(p) for p in scale.values]


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(REPORTS),
        autoescape=select_autoescape(["html", "svg"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(decimal=decimal, percent=percent, signed=signed)
    env.globals.update(
        stacked_bars=stacked_bars,
        quality_bars=quality_bars,
        scale_points=scale_points,
        scale_words=scale_words,
        hidden_note=hidden_note,
    )
    return env


def render_html(report: Report) -> str:
    html = environment().get_template("report.html").render(report=report)
    # The template's indentation between tags only gives WeasyPrint more nodes to parse
    # and more boxes to build and throw away. Escaped text holds no "<" or ">", so a run
    # of white space with a line break between two tags is always markup layout.
    return BETWEEN_TAGS.sub("><", html)


def render_paper_html(form: PaperForm, part: str = "whole") -> str:
    """A paper form (``report.paper``) as HTML for ``render_pdf``: the ``whole`` blank form,
    or for a mail merge (``report.mail_merge``) the recipients' ``covers`` or the ``body``."""
    template = environment().get_template("paper-form.html")
    return BETWEEN_TAGS.sub("><", template.render(form=form, part=part))


class AssetFetcher(URLFetcher):
    """Serves files under reports/assets/ and refuses every other URL (kept in
    ``refused`` so tests can see what a document tried to load)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file",))
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or parts.netloc or not path.is_relative_to(ASSETS) or not path.is_file():
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url!r}: only the report's own assets")
        media_type = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})


# WeasyPrint's user-agent stylesheet styles six pseudo-elements of *every* element:
# ``::marker`` and the footnote and note calls and markers. Each of them gets a computed
# style of its own, never shared (six per table cell and bar segment): in a long report a
# large share of its peak memory and time (docs/performance.md). The report has no
# footnotes or notes and markers only on list items, so those rules are scoped to what can
# use them; no element's own style changes.
UNIVERSAL_PSEUDO_RULES = {
    "::marker {": "li::marker {",
    "::footnote-call {": None,
    "::footnote-marker {": None,
    "::note-call {": None,
    "::note-marker {": None,
    "::note-callback {": None,
}


def report_ua_css(ua: str = WEASYPRINT_UA) -> str | None:
    """WeasyPrint's user-agent CSS with the universal pseudo-element rules scoped (see
    above), or None when the installed WeasyPrint's sheet no longer has each of them on a
    line of its own (the report then renders with the stock sheet; a test notices)."""
    out, found = [], set()
    for line in ua.splitlines():
        rule = next((r for r in UNIVERSAL_PSEUDO_RULES if line.startswith(r)), None)
        if rule is None:
            out.append(line)
            continue
        found.add(rule)
        if (scoped := UNIVERSAL_PSEUDO_RULES[rule]) is not None:
            out.append(scoped + line[len(rule) :])
    return "\n".join(out) + "\n" if found == set(UNIVERSAL_PSEUDO_RULES) else None


def _report_ua_stylesheet() -> CSS | None:
    text = report_ua_css()
    # its @counter-style rules are WeasyPrint's own, already known to every document
    return None if text is None else CSS(string=text, counter_style=CounterStyle())


REPORT_UA_STYLESHEET = _report_ua_stylesheet()


class ReportHTML(HTML):
    """WeasyPrint's ``HTML`` with the report's user-agent stylesheet (forms, which the
    report has none of, keep the stock sheets)."""

    def _ua_stylesheets(self, forms: bool = False) -> list:
        if forms or REPORT_UA_STYLESHEET is None:
            return super()._ua_stylesheets(forms)
        return [REPORT_UA_STYLESHEET]


def render_pdf(html: str, fetcher: AssetFetcher | None = None) -> bytes:
    """A tagged PDF (PDF/UA-1) with bookmarks from the headings and embedded font subsets.

    ``render`` then ``write_pdf`` is what WeasyPrint's ``HTML.write_pdf`` does; in two
    steps the memory that is no longer needed can be let go in between (see
    ``collected_after_layout`` and ``release_layout``)."""
    options = {"pdf_variant": "pdf/ua-1", "uncompressed_pdf": False}
    # The cycle collector would scan the render's millions of live objects again and
    # again (a quarter of a 100-page report's CPU time) and find almost nothing: what a
    # render leaves in cycles is collected once, after layout.
    with paused_gc():
        document = ReportHTML(
            string=html, base_url=ASSETS.as_uri() + "/", url_fetcher=fetcher or AssetFetcher()
        ).render(**options)
        collected_after_layout()
        return document.write_pdf(finisher=finish, **options)


def finish(document: Document, pdf: pydyf.PDF) -> None:
    """``write_pdf``'s finisher: complete the structure tree, then let the layout go."""
    complete_structure(document, pdf)
    release_layout(document, pdf)


def complete_structure(document: Document, pdf: pydyf.PDF) -> None:
    """Finish the tagging where WeasyPrint (68-70) leaves it undone.

    Table headers: WeasyPrint tags every ``<th>`` as a TH with an /ID and gives every TD
    the /Headers that point to those ids (from the ``scope="row"`` and ``scope="col"`` the
    templates write), but writes no /IDTree in the structure tree root, which ISO 32000-1
    (14.7.2) requires when elements carry an /ID: a reader that resolves /Headers through
    it finds nothing, and a figure is not connected to its row and column. Nor does any TH
    get the /Scope that PDF/UA (and readers that ignore /Headers) rely on.

    Links: WeasyPrint describes each link annotation (/Contents, what a screen reader
    announces) by its target's id ("side-samarbeid_og_nettverk"), not by its text.

    All three are completed here, on the PDF objects before they are written (no second
    parse of the file, nothing fetched). Each TH's /Scope is its ``<th>``'s scope
    attribute, read the way WeasyPrint read it for /Headers (``row``, else a column
    header), through the cell's box, which WeasyPrint links to its structure element as
    ``box.mark``; a link's /Contents is the text of its ``<a>`` (each piece of a link
    broken over two lines gets the whole text); the /IDTree maps every /ID in the
    document to its element. Should an upgrade rename ``mark`` or ``link_annotation``,
    tests/report/test_pdf_structure.py fails."""
    for page in document.pages:
        for box in _boxes(page._page_box):
            element = getattr(box, "mark", None)
            if element is not None and box.element_tag == "th" and "A" in element:
                row = box.element.get("scope") == "row"
                element["A"]["Scope"] = "/Row" if row else "/Column"
            annotation = getattr(box, "link_annotation", None)
            if annotation is not None and "Contents" in annotation and box.element is not None:
                text = " ".join("".join(box.element.itertext()).split())
                if text:
                    annotation["Contents"] = pydyf.String(text)
    ids = sorted(
        (obj["ID"].string, obj.reference)
        for obj in pdf.objects
        if isinstance(obj, pydyf.Dictionary)
        and obj.get("Type") == "/StructElem"
        and isinstance(obj.get("ID"), pydyf.String)
    )
    if ids:
        root = next(obj for obj in pdf.objects if _is(obj, "/StructTreeRoot"))
        root["IDTree"] = _name_tree(pdf, ids)


def _is(obj: object, kind: str) -> bool:
    return isinstance(obj, pydyf.Dictionary) and obj.get("Type") == kind


def _boxes(box: Any) -> Iterator[Any]:
    """A page's boxes, every one, in no particular order."""
    stack = [box]
    while stack:
        box = stack.pop()
        yield box
        stack.extend(getattr(box, "children", ()))


NAME_TREE_LEAF = 1000  # names per leaf: arrays stay well under PDF 1.7's 8,191 elements


def _name_tree(pdf: pydyf.PDF, names: list[tuple[str, bytes]]) -> bytes:
    """A name tree (ISO 32000-1, 7.9.6) of sorted (name, reference) pairs: one leaf, or
    a root whose kids are leaves with their /Limits."""
    leaves = []
    for start in range(0, len(names), NAME_TREE_LEAF):
        chunk = names[start : start + NAME_TREE_LEAF]
        leaf = pydyf.Dictionary(
            {"Names": pydyf.Array(v for name, ref in chunk for v in (pydyf.String(name), ref))}
        )
        leaf["Limits"] = pydyf.Array([pydyf.String(chunk[0][0]), pydyf.String(chunk[-1][0])])
        pdf.add_object(leaf)
        leaves.append(leaf)
    if len(leaves) == 1:
        del leaves[0]["Limits"]  # a root has no limits
        return leaves[0].reference
    root = pydyf.Dictionary({"Kids": pydyf.Array(leaf.reference for leaf in leaves)})
    pdf.add_object(root)
    return root.reference


def collected_after_layout() -> None:
    """The box tree WeasyPrint builds before layout is only garbage once every page is
    laid out, and it is a reference cycle: with the collector paused it would stay until
    the PDF is written (tens of MB in a long report). One full collection frees it."""
    gc.collect()
    release_free_memory()


def release_layout(document: Document, pdf: object) -> None:
    """``write_pdf``'s finisher, called when every PDF object (pages, fonts, the structure
    tree) is built and only writing them out is left: the pages' layout boxes are not
    needed any more, so the serialisation need not sit on top of them."""
    document.pages.clear()
    release_free_memory()


_libc_path = ctypes.util.find_library("c")
_malloc_trim = getattr(ctypes.CDLL(_libc_path), "malloc_trim", None) if _libc_path else None


def release_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``). Boxes
    and their attribute dictionaries are too big for Python's small-object allocator, so
    when they are freed the pages stay with the process unless trimmed; elsewhere a no-op."""
    if _malloc_trim is not None:
        _malloc_trim(0)
