"""The web layer: a Flask application factory around the core."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        "survey",
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SURVEY_SECRET_KEY") or os.urandom(32),
        QUESTIONNAIRE_DIR=str(PROJECT_ROOT / "questionnaires"),
        DATABASE=os.environ.get("SURVEY_DATABASE")
        or str(Path(app.instance_path) / "survey.sqlite3"),
        BASE_URL=os.environ.get("SURVEY_BASE_URL", "http://127.0.0.1:5000"),
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    from survey.cli import COMMANDS
    from survey.web import database

    database.init_app(app)

    for command in COMMANDS:
        app.cli.add_command(command)
    return app
