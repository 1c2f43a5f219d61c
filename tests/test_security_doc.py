"""docs/security.md names a test for every threat; each one it names must exist, or the page
promises a check that nobody runs (tests move and get renamed)."""

from __future__ import annotations

import re

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "security.md"
# `tests/a/test_b.py::test_c` or, after one of those in the same cell, `…::test_d`
REFERENCE = re.compile(r"`(tests/[\w/]+\.py|…)::(\w+)`")


def _references() -> list[tuple[str, str]]:
    found, last_file = [], None
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        for path, name in REFERENCE.findall(line):
            if path != "…":
                last_file = path
            assert last_file is not None, f"'…::{name}' before any file in: {line[:80]}"
            found.append((last_file, name))
    return found


def test_every_test_the_security_page_names_exists():
    references = _references()
    assert len(references) >= 40
    missing = []
    for path, name in references:
        source = ROOT / path
        if not source.exists() or not re.search(
            rf"^(async )?def {name}\(", source.read_text(encoding="utf-8"), re.M
        ):
            missing.append(f"{path}::{name}")
    assert missing == []
