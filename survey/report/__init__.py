"""Result reports: scored content (``content``) laid out by Jinja2 templates in reports/
and rendered to PDF by WeasyPrint (``render``)."""

from pathlib import Path

REPORTS = Path(__file__).resolve().parents[2] / "reports"
ASSETS = REPORTS / "assets"
