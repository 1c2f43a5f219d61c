"""Attacks on the real app: the 2009 round of tests/web (a real SQLite file) and a client
that behaves like a browser, fetching each page for its CSRF token before posting."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.web.conftest import Setup, csrf, sqlite_setup  # noqa: F401 - the fixture is used here

MAYOR = "kari@levanger.kommune.no"
LEADER = "ola@verdal.kommune.no"


@pytest.fixture
def setup(sqlite_setup: Setup) -> Setup:  # noqa: F811
    """The attacks run on SQLite only: what they test is the app's handling of hostile
    input, the same above either store (tests/web runs the app's pages on both)."""
    return sqlite_setup


LIKERT_P3 = {"q5": "5", "q6": "4", "q7": "3", "q8": "6", "q9a": "6", "q9b": "vet_ikke"}
P4 = {"q10": "ja_begge", "q11a": "nei", "q11b": "ja", "q12": "5", "q13": "5"}


def post_page(client, url: str, data: dict, **kwargs):
    """GET the page (as a browser would, for its CSRF token), then POST it."""
    page = client.get(url, **kwargs)
    assert page.status_code == 200, page.status_code
    return client.post(
        url, data={"csrf_token": csrf(page.get_data(as_text=True)), **data}, **kwargs
    )


def stored(case: Setup, email: str) -> list[tuple]:
    return case.rows(
        "SELECT a.item, a.code, a.number, a.text FROM answers a JOIN responses r "
        "ON r.id = a.response_id JOIN invitations i ON i.id = r.invitation_id "
        "WHERE i.email = ? ORDER BY a.item, a.code",
        email,
    )


def everything(case: Setup) -> dict[str, list[tuple]]:
    """Every row of every table: 'nothing changed' is checked against this."""
    db = case.db()
    try:
        tables = [t for t in db.table_names() if t != "sqlite_sequence"]
        return {t: db.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        db.close()


class Elements(HTMLParser):
    """The elements and attributes a browser would build from a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text_in: dict[str, str] = {}  # element id -> its text content (textareas)
        self._open: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "textarea":
            self._open = attributes.get("id") or ""
            self.text_in[self._open] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self.text_in[self._open] += data

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def by_id(self, element_id: str) -> dict[str, str | None]:
        return next(attrs for _, attrs in self.tags if attrs.get("id") == element_id)
