"""docs/questionnaire-format.md is generated: it must match its template and the current code."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_format_reference_is_up_to_date():
    result = subprocess.run(
        [sys.executable, "docs/build_format_reference.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        encoding="utf-8",
    )
    assert result.returncode == 0, (
        "docs/questionnaire-format.md is out of date or an example is wrong; "
        "run 'make docs' and review the diff\n" + result.stdout + result.stderr
    )
