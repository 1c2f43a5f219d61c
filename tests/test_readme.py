"""The README shows real commands with their real output; keep it that way."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from survey.cli import COMMANDS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands():
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.splitlines()] == [
        ["make", "run"],
        ["make", "test"],
    ]


def test_every_command_is_documented():
    for command in COMMANDS:
        assert f"`survey {command.name}" in README, command.name


def _console_blocks() -> list[tuple[str, str]]:
    blocks = re.findall(r"```console\n\$ (.+?)\n(.*?)```", README, re.S)
    return [(cmd, out) for cmd, out in blocks if "\n...\n" not in out]  # skip abridged ones


def test_console_examples_print_what_the_readme_says(tmp_path):
    blocks = _console_blocks()
    assert len(blocks) >= 3
    env = {**os.environ, "SURVEY_DATABASE": str(tmp_path / "readme.sqlite3")}
    examples = ROOT / "docs" / "examples"

    def survey(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from survey.cli import main; main()", *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
        )

    survey("load", "questionnaires/kvalitetskommune-2009.yaml")
    survey("round", "create", "kvalitetskommune-2009", "--name", "README")
    for command, expected in blocks:
        args = command.split()[1:]
        if "questionnaires/*.yaml" in args:
            files = sorted(ROOT.glob("questionnaires/*.yaml"))
            args = ["validate", *(str(p.relative_to(ROOT)) for p in files)]
        uses_example = any((examples / a).exists() for a in args)
        result = survey(*args, cwd=examples if uses_example else ROOT)
        assert result.stdout + result.stderr == expected, command
