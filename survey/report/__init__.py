"""Result reports: scored content (``content``) laid out by Jinja2 templates in reports/
and rendered to PDF by WeasyPrint (``render``)."""

from survey.resources import REPORT_ASSETS as ASSETS
from survey.resources import REPORTS

__all__ = ["ASSETS", "REPORTS"]
