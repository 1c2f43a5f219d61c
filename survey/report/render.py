"""From report content to HTML (Jinja2, autoescaped) and to PDF (WeasyPrint).

The PDF renderer may read the package's own stylesheet and fonts and nothing else: no
network address, no other file, not even a ``data:`` URL. Comments are respondents' text and
could contain ``<img src="file:///etc/passwd">``; autoescaping prints that as text, and the
fetcher is the second wall should markup ever get through.
"""

from __future__ import annotations

import gc
import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from survey.questionnaire.model import Scale
from survey.report import ASSETS, REPORTS
from survey.report.charts import stacked_bars
from survey.report.content import Report

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
    env.globals.update(stacked_bars=stacked_bars, scale_points=scale_points)
    return env


def render_html(report: Report) -> str:
    html = environment().get_template("report.html").render(report=report)
    # The template's indentation between tags only gives WeasyPrint more nodes to parse
    # and more boxes to build and throw away. Escaped text holds no "<" or ">", so a run
    # of white space with a line break between two tags is always markup layout.
    return BETWEEN_TAGS.sub("><", html)


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


def render_pdf(html: str, fetcher: AssetFetcher | None = None) -> bytes:
    """A tagged PDF (PDF/UA-1) with bookmarks from the headings and embedded font subsets."""
    with fewer_collections():
        document = HTML(
            string=html, base_url=ASSETS.as_uri() + "/", url_fetcher=fetcher or AssetFetcher()
        )
        return document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)


GC_THRESHOLD = (50_000, 20, 100)
_gc_lock = threading.Lock()
_gc_renders = 0
_gc_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run Python's cyclic garbage collector less often while WeasyPrint renders.

    A render allocates millions of small objects that stay alive until the PDF is written;
    with the default thresholds the collector scans them again and again (a quarter of a
    100-page report's CPU time). Cycles are still collected, only in bigger batches: the
    peak memory barely moves. Renders in several threads share the setting; the last one
    to finish puts the old thresholds back."""
    global _gc_renders, _gc_saved
    with _gc_lock:
        if _gc_renders == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(*GC_THRESHOLD)
        _gc_renders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_renders -= 1
            if _gc_renders == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)
