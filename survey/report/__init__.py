"""Result reports: scored content (``content``) laid out by Jinja2 templates in reports/
and rendered to PDF by WeasyPrint (``render``)."""
