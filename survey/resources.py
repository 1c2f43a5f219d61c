"""Where the folders that ship with the engine are: the one module that knows.

templates/, static/, reports/ and questionnaires/ live at the top of the repository, where
the people who edit them (the secretariat's questionnaires, the report's layout) look for
them. A wheel can only install files inside a package, so the build (setup.py) copies them,
and the demo's invitation list, into ``survey/_files/`` with the same relative paths. An
installed engine therefore finds them next to this module; a checkout, and the editable
install ``make`` creates (which imports survey/ from the checkout), finds them one level up.

These are plain paths, not ``importlib.resources`` traversables, because every user needs a
real directory: Jinja2's and Flask's loaders, ``send_from_directory`` and WeasyPrint's
``file://`` URLs. pip always unpacks a wheel, so a zipped install is not supported.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_BUNDLED = _PACKAGE / "_files"

#: The folder holding the shipped folders: the package's copy when built, else the checkout.
ROOT = _BUNDLED if _BUNDLED.is_dir() else _PACKAGE.parent

TEMPLATES = ROOT / "templates"
MAIL_TEMPLATES = TEMPLATES / "mail"
STATIC = ROOT / "static"
REPORTS = ROOT / "reports"
REPORT_ASSETS = REPORTS / "assets"
QUESTIONNAIRES = ROOT / "questionnaires"
DEMO_QUESTIONNAIRE = QUESTIONNAIRES / "kvalitetskommune-2009.yaml"
EMPLOYEE_QUESTIONNAIRE = QUESTIONNAIRES / "medarbeiderundersokelse.yaml"
DEMO_PEOPLE = ROOT / "docs" / "examples" / "demo-people.csv"
