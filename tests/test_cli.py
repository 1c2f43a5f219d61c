"""The survey command as an operator uses it: real processes, real files, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from survey.questionnaire.yamlsource import read_source
from tests.conftest import QUESTIONNAIRES, ROOT, yaml

SURVEY = [sys.executable, "-c", "from survey.cli import main; main()"]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SURVEY, *args], capture_output=True, text=True, cwd=cwd)


def test_validate_bundled_questionnaires_passes():
    files = sorted(str(p.relative_to(ROOT)) for p in QUESTIONNAIRES.glob("*.yaml"))
    result = run("validate", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "3 file(s) checked: 0 error(s), 0 warning(s)"
    assert (
        "questionnaires/kvalitetskommune-2009.yaml: ok (kvalitetskommune-2009 version 1: "
        "16 questions, 7 likert items, 1 indexes)" in result.stderr
    )


def test_validate_prints_every_problem_with_hint_and_fails(tmp_path):
    (tmp_path / "a.yaml").write_text(
        yaml(
            """
            id: a
            version: 1
            title: A
            pages:
              - id: p
                questions:
                  - {id: q1, type: likert, scale: enighet, text: A}
                  - {id: q2, type: text, text: B, show_if: "q1 == 'ja'"}
            """
        )
    )
    (tmp_path / "b.yaml").write_text("id: b\ntitle: [unclosed\n")
    result = run("validate", "a.yaml", "b.yaml", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "a.yaml:7:39: error: unknown scale 'enighet' in question 'q1'"
    assert lines[1] == "    hint: define it under 'scales:'; defined scales: (none defined)"
    assert lines[2] == "a.yaml:8:49: error: show_if of question 'q2': 'q1' is on the same page"
    assert any(line.startswith("b.yaml:3:1: error: YAML syntax error") for line in lines)
    assert result.stderr.splitlines()[-1] == "2 file(s) checked: 3 error(s), 0 warning(s)"


def test_unknown_key_in_a_text_question_is_named_correctly(tmp_path):
    (tmp_path / "c.yaml").write_text(
        yaml(
            """
            id: c
            version: 1
            title: C
            pages:
              - id: p
                questions:
                  - {id: q2, type: text, text: B, colour: red}
            """
        )
    )
    result = run("validate", "c.yaml", cwd=tmp_path)
    assert (
        result.stdout.splitlines()[0] == "c.yaml:7:39: error: unknown key 'colour' in question 'q2'"
    )
    assert "valid keys here: audience, help, id, lead_in, max_length" in result.stdout


def test_validate_strict_fails_on_warnings(tmp_path):
    (tmp_path / "w.yaml").write_text(
        yaml(
            """
            id: w
            version: 1
            title: W
            pages:
              - id: p
                questions:
                  - {id: a, type: single_choice, text: A, choices: [{code: x, label: X, exclusive: true}]}
            """
        )
    )
    assert run("validate", "w.yaml", cwd=tmp_path).returncode == 0
    strict = run("validate", "--strict", "w.yaml", cwd=tmp_path)
    assert strict.returncode == 1
    assert (
        "w.yaml:7:88: warning: 'exclusive' has no effect in single choice question 'a'"
        in strict.stdout
    )


def test_validate_missing_file_is_an_error(tmp_path):
    result = run("validate", "nope.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("nope.yaml:1:1: error: cannot read file")


def test_show_prints_outline_with_audience():
    result = run("show", "questionnaires/kvalitetskommune-2009.yaml")
    assert result.returncode == 0, result.stderr
    assert "page prosjektorganisering [prosjektleder]" in result.stdout
    assert "frikjopt[+number%]" in result.stdout
    assert (
        "index vurdering_av_programmet: q5 q6 q7 q8 q9a q12 q13 (min 4 answered, target 4,5)"
        in result.stdout
    )


def test_flask_cli_exposes_the_same_commands():
    flask = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "survey",
        "validate",
        "questionnaires/kvalitetskommune-2009.yaml",
    ]
    result = subprocess.run(flask, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "0 error(s)" in result.stderr


@pytest.mark.parametrize("path", sorted(QUESTIONNAIRES.glob("*.yaml")), ids=lambda p: p.name)
def test_json_schema_accepts_bundled_questionnaires(path):
    schema = json.loads(run("schema").stdout)
    source, problems = read_source(str(path), path.read_text(encoding="utf-8"))
    assert problems == []
    jsonschema.validate(source.data, schema)


def test_json_schema_rejects_unknown_keys():
    schema = json.loads(run("schema").stdout)
    with pytest.raises(jsonschema.ValidationError, match="colour"):
        jsonschema.validate(
            {"id": "x", "version": 1, "title": "T", "pages": [], "colour": 1}, schema
        )


def test_demo_prints_personal_links_and_a_one_time_secretariat_password(tmp_path):
    import os
    import re

    from survey.storage import open_database
    from survey.storage.users import sign_in

    env = {**os.environ, "SURVEY_DATABASE": str(tmp_path / "demo.sqlite3")}
    first = subprocess.run([*SURVEY, "demo"], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    assert len(re.findall(r"/s/[\w-]{32}", first.stdout)) == 4
    email, password = re.search(r"as (\S+), password (\S+)", first.stdout).groups()
    assert sign_in(open_database(tmp_path / "demo.sqlite3"), email, password).role == "admin"
    again = subprocess.run([*SURVEY, "demo"], capture_output=True, text=True, env=env)
    assert "password" not in again.stdout  # created once, never printed again


def test_validate_refuses_what_breaks_the_app_with_positioned_errors(tmp_path):
    """Issue 15, item 7, through the operator's edge: the same messages as the upload."""
    from tests.questionnaire.test_linter_limits import (
        FIVE_THOUSAND_DIGITS,
        NESTED_1000_DEEP,
        THREE_MILLION_POINTS,
    )

    files = {
        "punkter.yaml": THREE_MILLION_POINTS,
        "sifre.yaml": FIVE_THOUSAND_DIGITS,
        "nesting.yaml": NESTED_1000_DEEP,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = run("validate", *files, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout.splitlines()[::2] == [
        "punkter.yaml:5:15: error: scale 's' has 3,000,000 points, more than the 20 allowed",
        "sifre.yaml:7:46: error: a number with 5000 digits is longer than the 15 allowed",
        "nesting.yaml:10:81: error: show_if of question 'q2': the condition nests parentheses "
        "and 'not' more than 32 levels deep",
    ]
    assert result.stderr.splitlines()[-1] == "3 file(s) checked: 3 error(s), 0 warning(s)"


def test_the_demo_serves_on_its_port_with_links_that_lead_there(tmp_path):
    """Issue 16, defect 1: `make run PORT=…` (survey demo --port) prints links for the port
    it actually serves, and they open the app."""
    import os
    import re
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SURVEY_DATABASE": str(tmp_path / "demo.sqlite3")}
    env.pop("SURVEY_BASE_URL", None)
    server = subprocess.Popen(
        [*SURVEY, "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        printed = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("/sekretariat/" in p for p in printed):
            line = server.stdout.readline()
            if not line:
                break
            printed.append(line)
        output = "".join(printed)
        links = re.findall(r"https?://\S+/s/[\w-]{32}", output)
        assert len(links) == 4, output
        assert all(link.startswith(f"http://127.0.0.1:{port}/s/") for link in links)
        deadline = time.monotonic() + 60  # by time: a loaded machine starts servers slowly
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(links[0], timeout=5) as page:
                    assert page.status == 200
                    assert "Evaluering av Kvalitetskommuneprogrammet" in page.read().decode()
                break
            except ConnectionRefusedError:
                time.sleep(0.1)
            except urllib.error.URLError as error:
                if not isinstance(error.reason, ConnectionRefusedError):
                    raise
                time.sleep(0.1)
        else:
            raise AssertionError("the demo did not serve")
    finally:
        server.terminate()  # gunicorn's master: the workers finish, then it exits
        server.wait(timeout=60)
        server.stdout.close()
