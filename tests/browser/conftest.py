"""A real HTTP server on 127.0.0.1 and Debian's Chromium driven by Playwright.

The server runs the real app on a free loopback port in a thread; the browser is the
system's /usr/bin/chromium (never a downloaded one), started with background networking
off so it talks to nothing but our server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import ARGS, CHROMIUM, server_thread  # noqa: F401 - ARGS, CHROMIUM: as before
from tests.web.conftest import Setup, setup  # noqa: F401 - the fixture is used here


@pytest.fixture
def server(setup: Setup) -> Iterator[str]:  # noqa: F811
    with server_thread(setup.app) as base:
        yield base


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nb-NO")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
