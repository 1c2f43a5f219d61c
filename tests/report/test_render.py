"""Rendering: Norwegian numbers, escaped respondent text, and a PDF renderer that fetches
nothing but the package's own stylesheet and fonts."""

from __future__ import annotations

import gc
import subprocess
from html.parser import HTMLParser

import pytest

from survey.demo import national_2009_round
from survey.gc_pause import paused_gc
from survey.questionnaire.answers import Answer
from survey.report.content import build_report
from survey.report.render import (
    ASSETS,
    REPORT_UA_STYLESHEET,
    AssetFetcher,
    ReportHTML,
    decimal,
    environment,
    percent,
    render_html,
    render_pdf,
    report_ua_css,
)
from survey.storage import open_database
from survey.storage.results import round_results

HOSTILE = (
    '<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
    " {{ 7*7 }} {% if 1 %}ja{% endif %} https://example.org/track.png"
)


def test_numbers_are_written_the_norwegian_way():
    assert decimal(4.75) == "4,8" and decimal(4.0) == "4,0"
    assert decimal(1234567, 0) == "1\u00a0234\u00a0567"
    assert decimal(None) == "–" and decimal(float("nan")) == "–"
    assert percent(0.555) == "56\u00a0%" and percent(None) == "–"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.org/font.ttf",
        "data:text/css,body{color:red}",
        (ASSETS / ".." / "report.html").as_uri(),  # a step out of the assets folder
        (ASSETS / "fonts" / "missing.ttf").as_uri(),
        "file://evil.example.org" + (ASSETS / "report.css").as_posix(),
    ],
)
def test_the_fetcher_refuses_everything_but_the_assets(url):
    fetcher = AssetFetcher()
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_the_stylesheet_and_fonts():
    fetcher = AssetFetcher()
    css = fetcher.fetch((ASSETS / "report.css").as_uri())
    assert b"@font-face" in css.read() and css.content_type == "text/css"
    assert fetcher.fetch((ASSETS / "fonts" / "DejaVuSans.ttf").as_uri()).read()[:4] == (
        b"\x00\x01\x00\x00"
    )


def test_markup_that_slips_into_a_document_fetches_nothing():
    fetcher = AssetFetcher()
    html = (
        '<html lang="nb"><head><title>t</title><link rel="stylesheet" href="report.css">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head><body><h1>Tittel</h1>'
        '<img src="file:///etc/passwd" alt="x"><img src="https://example.org/a.png" alt="y">'
        "</body></html>"
    )
    assert render_pdf(html, fetcher).startswith(b"%PDF")
    assert set(fetcher.refused) == {
        "http://127.0.0.1:9/x.css",
        "file:///etc/passwd",
        "https://example.org/a.png",
    }


@pytest.fixture
def hostile_round(tmp_path):
    db = open_database(tmp_path / "survey.sqlite3")
    round_ = national_2009_round(db, municipalities=5, answer_rate=1.0)
    response_id = db.execute("SELECT min(id) FROM responses").fetchone()[0]
    with db.writing():
        db.execute(
            "INSERT OR REPLACE INTO answers (response_id, item, code, number, text) "
            "VALUES (?, 'q14', '', NULL, ?)",
            [response_id, HOSTILE],
        )
    return round_results(db, round_.id)


def test_respondent_text_is_printed_literally_and_fetches_nothing(hostile_round, tmp_path):
    assert any(a.get("q14") == Answer(HOSTILE) for _, a in hostile_round.respondents)
    report = build_report(hostile_round, by=())
    html = render_html(report)
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in html.split("kommentarer")[-1]
    fetcher = AssetFetcher()
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render_pdf(html, fetcher))
    assert fetcher.refused == []
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert '<img src="file:///etc/passwd">' in text and "{{ 7*7 }}" in text
    assert "https://example.org/track.png" in text


def test_rendering_puts_the_garbage_collector_back_as_it_found_it():
    """A render pauses the collector as bulk steps do, through the same counted pause, so
    a render and an export in two threads cannot switch it back on under each other."""
    assert gc.isenabled()
    html = '<html lang="nb"><head><title>t</title></head><body><h1>Tittel</h1></body></html>'
    assert render_pdf(html).startswith(b"%PDF")
    assert gc.isenabled()
    with paused_gc():  # an export under way while the report renders
        assert render_pdf(html).startswith(b"%PDF")
        assert not gc.isenabled()  # the render's end does not end the export's pause
    assert gc.isenabled()
    gc.disable()
    try:
        render_pdf(html)
        assert not gc.isenabled()  # a caller's own pause is left alone
    finally:
        gc.enable()


def test_the_report_uses_the_scoped_user_agent_stylesheet():
    """If a WeasyPrint upgrade changes its user-agent sheet so that the universal
    pseudo-element rules are no longer found, the report still renders (with the stock
    sheet) but every element gets six unused pseudo-element styles again."""
    css = report_ua_css()
    assert css is not None and REPORT_UA_STYLESHEET is not None
    rules = [line for line in css.splitlines() if line.startswith("::")]
    assert rules == [], rules
    assert "li::marker { font-variant-numeric: tabular-nums;" in css
    page = ReportHTML(string="<p>x</p>")
    assert page._ua_stylesheets() == [REPORT_UA_STYLESHEET]
    assert report_ua_css("p { color: red }\n") is None  # the rules not found: stock sheet


def test_list_bullets_survive_the_scoped_marker_rule(tmp_path):
    html = (
        '<html lang="nb"><head><title>t</title></head><body>'
        "<ul><li>første</li><li>andre</li></ul></body></html>"
    )
    pdf = tmp_path / "l.pdf"
    pdf.write_bytes(render_pdf(html))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "• første" in text and "• andre" in text


def test_indentation_between_tags_is_dropped_but_not_text(hostile_round):
    html = render_html(build_report(hostile_round, by=("role",)))
    assert ">\n" not in html.split("<body>")[1]
    assert "færre enn 5 svar" in html and "{{ 7*7 }}" in html


_BLOCKS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "tr",
        "td",
        "th",
        "table",
        "section",
        "article",
        "ul",
        "ol",
        "figure",
        "figcaption",
        "caption",
        "thead",
        "tbody",
        "header",
        "footer",
        "nav",
        "dl",
        "dt",
        "dd",
        "br",
        "body",
        "head",
        "title",
        "style",
    ]
)


class _Words(HTMLParser):
    """The words a reader sees: text, with a break wherever a block starts or ends. Two
    words run together (an inline tag that lost the space before it) show up as one."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.handle_starttag(tag, [])

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> list[str]:
        reader = cls()
        reader.feed(html)
        return "".join(reader.parts).split()


@pytest.mark.parametrize("by", [("role",), ("role", "pulje")])
def test_dropping_the_indentation_runs_no_words_together(hostile_round, by):
    assert _Words.of("<p><b>to</b>\n<i>ord</i></p>") == ["to", "ord"]  # what it would see:
    assert _Words.of("<p><b>to</b><i>ord</i></p>") == ["toord"]
    assert _Words.of("<td>to</td><td>ord</td>") == ["to", "ord"]  # blocks never run on
    report = build_report(hostile_round, by=by)
    as_written = environment().get_template("report.html").render(report=report)
    words = _Words.of(render_html(report))
    assert len(words) > 1000
    assert words == _Words.of(as_written)
