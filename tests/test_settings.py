"""Settings: declared once in survey/settings.py, typed, layered, shown masked, documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Config, Flask

from survey import create_app
from survey.cli import main
from survey.mail import OutboxMailer, SmtpMailer, mailer_from_config
from survey.settings import MASK, SETTINGS, SettingError, markdown_table, resolve
from tests.conftest import ROOT

SECRET_KEY = "s3cret-key-that-must-never-be-printed"
MAIL_PASSWORD = "hunter2-mail-password"
SENDER = "Sekretariatet <post@kommune.example>"


@pytest.fixture
def instance(tmp_path, monkeypatch) -> Path:
    """create_app() with its instance folder in tmp_path, as a deployment would have it:
    instance/config.py is read, and the secret key file is written there, not in the repo."""
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(folder))
    return folder


def test_defaults():
    settings = resolve(environ={}, instance_path="/srv/survey/instance")

    assert {name: r.source for name, r in settings.items()} == {s.name: "default" for s in SETTINGS}
    values = {name: r.value for name, r in settings.items()}
    assert values["DATABASE"] == "/srv/survey/instance/survey.sqlite3"
    assert values["BASE_URL"] == "http://127.0.0.1:5000"
    assert values["SECRET_KEY"] is None  # create_app then keeps one in the instance folder
    assert values["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    assert (values["TOKEN_FAILURE_LIMIT"], values["TOKEN_FAILURE_WINDOW"]) == (30, 600.0)
    assert (values["MAIL_SERVER"], values["MAIL_USE_TLS"], values["MAIL_TIMEOUT"]) == (
        None,
        False,
        30.0,
    )


def test_environment_overrides_defaults_with_typed_values():
    environ = {
        "SURVEY_BASE_URL": "https://survey.kommune.example",
        "SURVEY_MAIL_PORT": " 2525 ",
        "SURVEY_MAIL_USE_TLS": "Yes",
        "SURVEY_MAIL_TIMEOUT": "2.5",
        "SURVEY_TOKEN_FAILURE_LIMIT": "5",
        "SURVEY_MAIL_SERVER": "",  # empty counts as unset
        "MAIL_SERVER": "smtp.example",  # not ours: settings come from SURVEY_* only
    }
    settings = resolve(environ=environ)

    assert settings["BASE_URL"] == ("https://survey.kommune.example", "environment")
    assert settings["MAIL_PORT"] == (2525, "environment")
    assert settings["MAIL_USE_TLS"] == (True, "environment")
    assert settings["MAIL_TIMEOUT"] == (2.5, "environment")
    assert settings["TOKEN_FAILURE_LIMIT"] == (5, "environment")
    assert settings["MAIL_SERVER"] == (None, "default")


@pytest.mark.parametrize(
    ("text", "expected"),
    [(t, True) for t in ("1", "true", "TRUE", "yes", "On")]
    + [(t, False) for t in ("0", "false", "No", "off", " OFF ")],
)
def test_yes_no_values(text, expected):
    assert resolve(environ={"SURVEY_MAIL_USE_TLS": text})["MAIL_USE_TLS"].value is expected


def test_existing_environment_names_reach_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_DATABASE", str(tmp_path / "env.sqlite3"))
    monkeypatch.setenv("SURVEY_BASE_URL", "https://survey.kommune.example")
    monkeypatch.setenv("SURVEY_SECRET_KEY", SECRET_KEY)

    app = create_app({"TESTING": True})

    assert app.config["DATABASE"] == str(tmp_path / "env.sqlite3")
    assert app.config["BASE_URL"] == "https://survey.kommune.example"
    assert app.secret_key == SECRET_KEY
    assert app.config["SESSION_COOKIE_SECURE"] is True  # https base URL


def test_instance_config_file_is_read(instance):
    (instance / "config.py").write_text(
        f"MAIL_SERVER = 'smtp.kommune.example'\nMAIL_PORT = '2525'\nMAIL_SENDER = {SENDER!r}\n"
        "TOKEN_FAILURE_WINDOW = 60\nSESSION_COOKIE_NAME = 'survey_session'\n"
    )

    app = create_app()

    assert app.config["MAIL_PORT"] == 2525  # text in the file is parsed like the environment
    assert app.config["TOKEN_FAILURE_WINDOW"] == 60.0
    assert app.config["SESSION_COOKIE_NAME"] == "survey_session"  # Flask options pass through
    assert app.extensions["survey_settings"]["MAIL_SERVER"] == (
        "smtp.kommune.example",
        "config file",
    )
    # no SECRET_KEY anywhere: one is made and kept in the instance folder
    assert app.secret_key == (instance / "secret_key").read_text().strip()
    assert create_app().secret_key == app.secret_key


def test_environment_wins_over_the_config_file(instance, monkeypatch):
    (instance / "config.py").write_text("BASE_URL = 'http://file.example'\nMAIL_TIMEOUT = 5\n")
    monkeypatch.setenv("SURVEY_BASE_URL", "https://env.example")

    settings = create_app().extensions["survey_settings"]

    assert settings["BASE_URL"] == ("https://env.example", "environment")
    assert settings["MAIL_TIMEOUT"] == (5.0, "config file")


def test_precedence_default_config_file_environment_test(tmp_path):
    (tmp_path / "config.py").write_text(
        "MAIL_SERVER = 'file.example'\nMAIL_PORT = 1025\nMAIL_SENDER = 'file@example.no'\n"
    )
    config_file = Config(str(tmp_path))
    config_file.from_pyfile("config.py")
    environ = {"SURVEY_MAIL_SERVER": "env.example", "SURVEY_MAIL_PORT": "2025"}

    settings = resolve(config_file, {"MAIL_SERVER": "test.example"}, environ=environ)

    assert settings["MAIL_SERVER"] == ("test.example", "test")
    assert settings["MAIL_PORT"] == (2025, "environment")
    assert settings["MAIL_SENDER"] == ("file@example.no", "config file")
    assert settings["MAIL_TIMEOUT"] == (30.0, "default")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"SURVEY_MAIL_PORT": "abc"},
            "environment variable SURVEY_MAIL_PORT: 'abc' is not a whole number, e.g. 587",
        ),
        (
            {"SURVEY_MAIL_USE_TLS": "maybe"},
            "environment variable SURVEY_MAIL_USE_TLS: 'maybe' is not a yes/no value; "
            "use one of 1/true/yes/on/0/false/no/off",
        ),
        (
            {"SURVEY_MAIL_PORT": "70000"},
            "environment variable SURVEY_MAIL_PORT: '70000' is above the maximum of 65535",
        ),
        (
            {"SURVEY_TOKEN_FAILURE_LIMIT": "0"},
            "environment variable SURVEY_TOKEN_FAILURE_LIMIT: '0' is below the minimum of 1",
        ),
        (
            {"SURVEY_MAIL_TIMEOUT": "nan"},
            "environment variable SURVEY_MAIL_TIMEOUT: 'nan' is not a number, e.g. 30 or 2.5",
        ),
    ],
)
def test_bad_environment_values_name_the_variable(environ, message):
    with pytest.raises(SettingError) as error:
        resolve(environ=environ)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("config_file", "test_config", "message"),
    [
        (
            {"MAIL_USE_TLS": 1},
            None,
            "MAIL_USE_TLS in the instance config file: 1 is not a yes/no value",
        ),
        (
            {"MAIL_PORT": 587.5},
            None,
            "MAIL_PORT in the instance config file: 587.5 is not a whole number",
        ),
        (None, {"DATABASE": 5}, "DATABASE in test_config: expected a file or folder path, got 5"),
        (None, {"BASE_URL": b"x"}, "BASE_URL in test_config: expected text, got bytes b'x'"),
    ],
)
def test_bad_values_from_files_and_test_config(config_file, test_config, message):
    with pytest.raises(SettingError, match=re.escape(message)):
        resolve(config_file, test_config, environ={})


def test_a_wrong_secret_is_not_quoted_and_a_bytes_secret_key_is_accepted():
    with pytest.raises(SettingError) as error:
        resolve({"MAIL_PASSWORD": ["hunter2"]}, environ={})
    assert str(error.value) == (
        "MAIL_PASSWORD in the instance config file: expected text, got list "
        "(not shown: it is secret)"
    )
    key = resolve({"SECRET_KEY": b"\x00key"}, environ={})["SECRET_KEY"]
    assert key == (b"\x00key", "config file")


def test_a_bad_value_stops_the_cli_with_the_message_and_no_traceback(monkeypatch):
    monkeypatch.setenv("SURVEY_MAIL_PORT", "abc")

    result = CliRunner().invoke(main, ["config"])

    assert result.exit_code == 1
    assert result.output == (
        "Error: environment variable SURVEY_MAIL_PORT: 'abc' is not a whole number, e.g. 587\n"
    )


def _config_output(tmp_path, monkeypatch, *args: str) -> str:
    monkeypatch.setenv("SURVEY_DATABASE", str(tmp_path / "survey.sqlite3"))
    monkeypatch.setenv("SURVEY_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("SURVEY_MAIL_SERVER", "smtp.kommune.example")
    monkeypatch.setenv("SURVEY_MAIL_PASSWORD", MAIL_PASSWORD)
    result = CliRunner().invoke(main, ["config", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_survey_config_prints_values_and_sources_with_secrets_masked(tmp_path, monkeypatch):
    output = _config_output(tmp_path, monkeypatch)

    assert SECRET_KEY not in output and MAIL_PASSWORD not in output
    lines = {line.split()[0]: line.split() for line in output.splitlines()}
    assert list(lines) == [s.name for s in SETTINGS]
    assert lines["SECRET_KEY"] == ["SECRET_KEY", MASK, "environment"]
    assert lines["MAIL_PASSWORD"] == ["MAIL_PASSWORD", MASK, "environment"]
    assert lines["MAIL_SERVER"] == ["MAIL_SERVER", "smtp.kommune.example", "environment"]
    assert lines["MAIL_USERNAME"] == ["MAIL_USERNAME", "(unset)", "default"]
    assert lines["BASE_URL"] == ["BASE_URL", "http://127.0.0.1:5000", "default"]
    assert lines["MAIL_TIMEOUT"] == ["MAIL_TIMEOUT", "30", "default"]


def test_survey_config_as_json_masks_secrets_too(tmp_path, monkeypatch):
    output = _config_output(tmp_path, monkeypatch, "--format", "json")

    assert SECRET_KEY not in output and MAIL_PASSWORD not in output
    rows = {row["name"]: row for row in json.loads(output)}
    assert rows["MAIL_PASSWORD"] == {
        "name": "MAIL_PASSWORD",
        "env": "SURVEY_MAIL_PASSWORD",
        "value": MASK,
        "source": "environment",
    }
    assert rows["DATABASE"]["value"] == str(tmp_path / "survey.sqlite3")


def test_mail_settings_from_the_environment_reach_the_mailer(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_MAIL_SERVER", "smtp.kommune.example")
    monkeypatch.setenv("SURVEY_MAIL_USE_TLS", "on")
    monkeypatch.setenv("SURVEY_MAIL_USERNAME", "survey")
    monkeypatch.setenv("SURVEY_MAIL_PASSWORD", MAIL_PASSWORD)
    monkeypatch.setenv("SURVEY_MAIL_SENDER", SENDER)
    monkeypatch.setenv("SURVEY_MAIL_TIMEOUT", "7")
    app = create_app({"DATABASE": str(tmp_path / "s.sqlite3"), "SECRET_KEY": "t"})

    mailer = mailer_from_config(app.config, instance_path=app.instance_path)

    assert isinstance(mailer, SmtpMailer)
    assert (mailer.host, mailer.port, mailer.starttls, mailer.timeout) == (
        "smtp.kommune.example",
        587,
        True,
        7.0,
    )
    assert (mailer.username, mailer.password, mailer.sender) == ("survey", MAIL_PASSWORD, SENDER)


def test_without_a_mail_server_the_outbox_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_MAIL_OUTBOX", str(tmp_path / "out"))
    app = create_app({"DATABASE": str(tmp_path / "s.sqlite3"), "SECRET_KEY": "t"})

    mailer = mailer_from_config(app.config, instance_path=app.instance_path)

    assert isinstance(mailer, OutboxMailer) and mailer.folder == tmp_path / "out"


def test_every_setting_is_declared_with_its_environment_name_and_a_one_line_doc():
    for setting in SETTINGS:
        assert setting.env == f"SURVEY_{setting.name}"
        assert setting.doc.endswith(".") and "\n" not in setting.doc, setting.name
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)


def test_only_the_settings_module_reads_the_environment():
    readers = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "survey").rglob("*.py"))
        if re.search(r"os\.environ|getenv\(", path.read_text(encoding="utf-8"))
    ]
    assert readers == ["survey/settings.py"]


def test_readme_settings_table_is_up_to_date():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- settings:start -->\n", 1)[1].split("<!-- settings:end -->", 1)[0]
    assert table == markdown_table(), (
        "README.md's settings table is stale; run 'make docs' and review the diff"
    )
