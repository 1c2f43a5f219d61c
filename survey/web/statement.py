"""The accessibility statement (tilgjengelighetserklæring) at /tilgjengelighet: open to
everyone without signing in, linked from every page's footer, rendered from
``survey/web/wcag.py`` so it says exactly what the suite checks.

Who it is for (SURVEY_ORGANISATION), where feedback goes (SURVEY_ACCESSIBILITY_CONTACT) and
where the organisation's own statement on uustatus.no is (SURVEY_ACCESSIBILITY_STATEMENT_URL)
are the installation's settings; without a contact the page tells a reader to ask whoever
sent them the survey, which is always someone they can reach.
"""

from __future__ import annotations

from collections import Counter
from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, current_app, render_template

from survey.dates import norwegian_date
from survey.web.wcag import CHECKED, CRITERIA

bp = Blueprint("statement", __name__)

UUTILSYNET = "https://www.uutilsynet.no/"
UUTILSYNET_MAIL = "post@uutilsynet.no"


@bp.route("/tilgjengelighet")
def statement() -> str:
    required = [c for c in CRITERIA if c.required]
    return render_template(
        "statement.html",
        criteria=CRITERIA,
        deviations=[c for c in CRITERIA if c.deviation],
        counts=Counter(c.status for c in required),
        required=len(required),
        organisation=current_app.config["ORGANISATION"],
        contact=current_app.config["ACCESSIBILITY_CONTACT"],
        published=current_app.config["ACCESSIBILITY_STATEMENT_URL"],
        checked=norwegian_date(CHECKED),
        version=_version(),
        uutilsynet=UUTILSYNET,
        uutilsynet_mail=UUTILSYNET_MAIL,
    )


def _version() -> str:
    try:
        return version("survey-engine")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "ukjent"
