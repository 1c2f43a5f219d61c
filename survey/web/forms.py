"""The base of the secretariat's forms: WTForms' own messages in bokmål.

WTForms ships its built-in messages ("Not a valid choice.", "This field is required.") in
Norwegian bokmål; a form only has to ask for them. Flask-WTF would look them up through
Flask-Babel, which this app does not use, so the form asks WTForms directly. Messages a
form writes itself (``DataRequired("Skriv et emne.")``) are bokmål already.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms.meta import DefaultMeta

LOCALES = ("nb_NO", "nb")


class Form(FlaskForm):
    class Meta:
        locales = LOCALES

        def get_translations(self, form: Any) -> Any:
            return DefaultMeta.get_translations(self, form)  # type: ignore[arg-type]
