"""A real database with a published 2009 questionnaire, a round and invitations: ``setup``
on each store (a SQLite file, and a PostgreSQL database of the throwaway cluster), and
``sqlite_setup`` for the tests of SQLite itself (its pragmas, its file on disk)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from survey import create_app
from survey.invitation_list import Person
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from survey.storage.store import Store
from tests.conftest import QUESTIONNAIRES

HOME_CARE_PAGE_1 = {
    "hvem_svarer": "bruker",
    "alder": "ar_80_89",
    "varighet": "ar_1_3",
    "tjenester": "hjemmesykepleie",
    "action": "next",
}
"""A valid first page of the bundled home-care user survey (anonymous rounds)."""

PEOPLE = [
    Person("Kari Nordmann", "kari@levanger.kommune.no", "ordforer", "Levanger", {"pulje": "2"}),
    Person("Ola Ødegård", "ola@verdal.kommune.no", "prosjektleder", "Verdal", {"pulje": "2"}),
]


@dataclass
class Setup:
    app: object
    db_path: str  # a SQLite file or a PostgreSQL URL
    round_id: int
    tokens: dict[str, str]  # email -> token

    def db(self):
        return open_database(self.db_path, migrate=False)

    def rows(self, sql: str, *params):
        return query(self.db_path, sql, *params)


@contextmanager
def opened(location: str) -> Iterator[Store]:
    """A connection of the test's own to the database at ``location``, closed afterwards
    (a PostgreSQL connection left open outlives its database)."""
    db = open_database(location, migrate=False)
    try:
        yield db
    finally:
        db.close()


def query(location: str, sql: str, *params) -> list:
    """The rows of one statement on the database at ``location`` (either store)."""
    db = open_database(location, migrate=False)
    try:
        return db.execute(sql, list(params)).fetchall()
    finally:
        db.close()


def make_setup(db_path: str) -> Setup:
    """The 2009 round with two invitations in the database at ``db_path``, and an app on it."""
    db = open_database(db_path)
    publish(db, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    round_ = create_round(db, "kvalitetskommune-2009", "Evaluering 2009")
    invitations = add_invitations(db, round_.id, PEOPLE)
    db.close()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test", "TESTING": True})
    return Setup(app, db_path, round_.id, {i.email: i.token for i in invitations})


@pytest.fixture
def setup(database) -> Setup:
    """On each store: ``database`` is a SQLite file's path or a PostgreSQL URL."""
    return make_setup(database)


@pytest.fixture
def sqlite_setup(tmp_path) -> Setup:
    """On a SQLite file only: for what only SQLite has (pragmas, file permissions)."""
    return make_setup(str(tmp_path / "survey.sqlite3"))


def write(location: str, sql: str, *params) -> None:
    """One statement written straight into the database at ``location`` (either store), as
    data made before a rule existed, or by time passing, would be."""
    db = open_database(location, migrate=False)
    try:
        with db.writing():
            db.execute(sql, list(params))
    finally:
        db.close()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
