"""The pages every validator here reads: rendered once per session (see pages.py)."""

from __future__ import annotations

import pytest

from tests.accessibility.pages import Pages, collect


@pytest.fixture(scope="session")
def every_page(tmp_path_factory) -> Pages:
    return collect(tmp_path_factory.mktemp("pages"))
