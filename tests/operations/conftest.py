"""A real database (a SQLite file, and a PostgreSQL database of the throwaway cluster) with
the 2009 questionnaire published, and the three edges onto it: the operations themselves,
the web app (an admin signed in) and the CLI (in process)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from survey import create_app
from survey.accounts import Account
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.questionnaires import publish
from survey.storage.store import Store
from survey.storage.users import add_user, audit_entries
from tests.conftest import QUESTIONNAIRES
from tests.web.conftest import csrf

ADMIN = "admin@sekretariatet.no"
PASSWORD = "et langt og godt passord"


@dataclass
class Edges:
    app: Flask
    db: Store
    admin: Account
    path: str  # a SQLite file or a PostgreSQL URL

    def web(self) -> FlaskClient:
        client = self.app.test_client()
        page = client.get("/logg-inn")
        client.post(
            "/logg-inn",
            data={
                "csrf_token": csrf(page.get_data(as_text=True)),
                "email": ADMIN,
                "password": PASSWORD,
            },
        )
        return client

    def post(self, client: FlaskClient, url: str, data: dict, form_page: str | None = None):
        """POST a form the way a browser does: with the CSRF token of the page it is on."""
        page = client.get(form_page or url).get_data(as_text=True)
        return client.post(url, data={"csrf_token": csrf(page), **data})

    def cli(self, *args: str) -> tuple[int, str]:
        runner: FlaskCliRunner = self.app.test_cli_runner()
        result = runner.invoke(args=list(args))
        return result.exit_code, result.output

    def audit(self) -> list[tuple[str, str, str]]:
        """(actor, action, detail), oldest first, without sign-ins."""
        return [
            (actor, action, detail)
            for _, actor, action, detail in reversed(audit_entries(self.db))
            if action not in ("signed in", "sign-in failed")
        ]

    def count(self, table: str) -> int:
        return self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture
def edges(tmp_path, database) -> Iterator[Edges]:
    """On each store: ``database`` is a SQLite file's path or a PostgreSQL URL."""
    path = database
    db = open_database(path)
    publish(db, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    admin = add_user(db, ADMIN, PASSWORD, "admin")
    app = create_app(
        {
            "DATABASE": str(path),
            "SECRET_KEY": "test",
            "TESTING": True,
            "BASE_URL": "https://survey.example.no",
        }
    )
    app.instance_path = str(tmp_path / "instance")
    yield Edges(app, db, admin, path)
    db.close()
