"""Shared helpers: questionnaires are written inline in tests, as their authors would."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

from survey.questionnaire import LoadResult, load_text

ROOT = Path(__file__).resolve().parents[1]
QUESTIONNAIRES = ROOT / "questionnaires"

settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci")

HEADER = """\
id: test
version: 1
title: Test
"""


def yaml(text: str) -> str:
    """Dedent an inline YAML document so that its first line is line 1."""
    return textwrap.dedent(text).lstrip("\n")


def lint(text: str) -> LoadResult:
    return load_text(yaml(text), "q.yaml")


def messages(result: LoadResult) -> list[str]:
    """Problems without hints, in the linter's own output form."""
    return [str(p).split("\n")[0] for p in result.problems]


@pytest.fixture
def bundled() -> list[Path]:
    return sorted(QUESTIONNAIRES.glob("*.yaml"))


@pytest.fixture(autouse=True)
def _close_kept_connections():
    """The web layer keeps one connection per thread and database; a test's database is
    gone after the test, so its connection must not outlive it."""
    yield
    from survey.web import database

    database.close_all()
