"""Questionnaire engine for Norwegian municipal quality work.

``create_app`` is imported lazily so that the pure core (``survey.questionnaire``) can be
used, and tested, without importing Flask.
"""

from __future__ import annotations

from typing import Any


def create_app(test_config: dict[str, Any] | None = None) -> Any:
    """Application factory; found by ``flask --app survey``. The web app and the ``survey``
    commands are joined here, at the top, so neither of them imports the other."""
    from survey.cli import COMMANDS
    from survey.web import create_app as create_web_app

    app = create_web_app(test_config)
    for command in COMMANDS:
        app.cli.add_command(command)
    return app
