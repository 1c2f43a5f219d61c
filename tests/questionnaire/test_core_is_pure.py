"""The core must stay usable without the web, storage or PDF layers."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("flask", "flask_wtf", "sqlite3", "sqlite_utils", "psycopg", "weasyprint", "werkzeug")


def test_core_imports_no_flask_sqlite_or_weasyprint():
    code = (
        "import sys, survey.questionnaire, survey.questionnaire.visibility, "
        "survey.questionnaire.outline;"
        "from survey.questionnaire import load_file;"
        "load_file('questionnaires/kvalitetskommune-2009.yaml');"
        f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
