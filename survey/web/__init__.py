"""The web layer: a Flask application factory around the core."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Config, Flask, current_app, request, url_for
from werkzeug.routing import IntegerConverter, Map

from survey import resources
from survey.records import MAX_ID
from survey.settings import resolve


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        "survey",
        instance_relative_config=True,
        template_folder=str(resources.TEMPLATES),
        static_folder=str(resources.STATIC),
    )
    # fixed choices of the engine, not settings (an instance config file may still change them)
    app.config.from_mapping(
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # a respondent may pause for hours; the token is per session
    )
    # test_config replaces the instance config file, so a developer's file never reaches tests
    config_file = Config(app.config.root_path)
    if test_config is None:
        config_file.from_pyfile("config.py", silent=True)
    app.config.update(config_file)  # Flask options that are not our settings pass through
    app.config.update(test_config or {})
    resolved = resolve(config_file, test_config, instance_path=app.instance_path)
    app.extensions["survey_settings"] = resolved
    app.config.update({name: setting.value for name, setting in resolved.items()})
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or _secret_key(app)
    # the session cookie (secretariat sign-in) travels only over HTTPS when we are served so
    if app.config["BASE_URL"].startswith("https:"):
        app.config["SESSION_COOKIE_SECURE"] = True

    from survey.web import (
        accounts,
        auth,
        data_entry,
        database,
        editor,
        errors,
        health,
        manage,
        pages,
        proxies,
        reachability,
        report_packs,
        respond,
        returned,
        secretariat,
        security,
        statement,
    )

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals["static_url"] = _static_url
    app.jinja_env.globals["radio_points"] = pages.radio_points
    app.jinja_env.globals["widget"] = pages.widget
    app.url_map.converters["int"] = StoredInteger  # before any route is added
    database.init_app(app)
    proxies.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(respond.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(secretariat.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(reachability.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(statement.bp)
    health.init_app(app)
    app.register_blueprint(returned.bp)
    app.register_blueprint(data_entry.bp)
    app.register_blueprint(report_packs.bp)
    return app


class StoredInteger(IntegerConverter):
    """``<int:…>`` in every route: a number that can be an id (or a page), so that
    ``/sekretariat/runder/9223372036854775808`` is not found like any other unknown id instead
    of reaching the database driver, which cannot even ask for it (``records.MAX_ID``)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _secret_key(app: Flask) -> str:
    """The key kept in the instance folder, for when SECRET_KEY is not set: it must survive
    restarts and be shared by all worker processes, or every form in progress would fail
    its CSRF check."""
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_hex(32))
    return path.read_text().strip()


def _static_url(filename: str) -> str:
    """``url_for('static', filename=...)``, built once per app and mount point: every page
    links the same two files, and building a URL costs as much as a small template."""
    urls = current_app.extensions.setdefault("survey_static_urls", {})
    key = (request.script_root, filename)
    url = urls.get(key)
    if url is None:
        if len(urls) >= 64:  # a front end that passes a client's SCRIPT_NAME on
            urls.clear()
        url = urls[key] = url_for("static", filename=filename)
    return url
