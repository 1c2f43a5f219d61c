"""The README shows real commands with their real output; keep it that way."""

from __future__ import annotations

import re
import subprocess
import sys

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


def test_console_examples_print_what_the_readme_says():
    blocks = _console_blocks()
    assert len(blocks) >= 2
    for command, expected in blocks:
        args = command.split()[1:]
        cwd = ROOT / "docs" / "examples" if "broken.yaml" in args else ROOT
        if "questionnaires/*.yaml" in args:
            args = sorted(
                str(p.relative_to(ROOT)) for p in (ROOT / "questionnaires").glob("*.yaml")
            )
            args.insert(0, "validate")
        result = subprocess.run(
            [sys.executable, "-c", "from survey.cli import main; main()", *args],
            capture_output=True,
            text=True,
            cwd=cwd,
        )
        assert result.stdout + result.stderr == expected, command
