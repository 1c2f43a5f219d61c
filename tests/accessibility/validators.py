"""Where the suite's outside checkers are, and how they are run.

They are installed by ``make test`` (tests/validators/package.json, pinned by its lock
file) into .venv/validators: the W3C Nu HTML checker (vnu.jar, run by Debian's Java) and
HTML_CodeSniffer (a script injected into Debian's Chromium). A test that finds them missing
fails with the command that installs them: a validator that silently does not run would
look like a clean page.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT

INSTALLED = ROOT / ".venv" / "validators" / "node_modules"
VNU = INSTALLED / "vnu-jar" / "build" / "dist" / "vnu.jar"
HTMLCS = INSTALLED / "html_codesniffer" / "build" / "HTMLCS.js"


def installed(path: Path) -> Path:
    assert path.is_file(), f"{path} is missing: `make test` installs the validators"
    return path


def nu_errors(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """The Nu checker's errors per page name, each as "line: message (extract)". One Java
    process checks every page (its start costs more than the checking)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for number, (name, html) in enumerate(pages.items()):
        file = folder / f"{number:04d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.html"
        file.write_text(html, encoding="utf-8")
        names[file.name] = name
    run = subprocess.run(
        [
            "java",
            "-jar",
            str(installed(VNU)),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            "--stdout",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    found: dict[str, list[str]] = {}
    for message in json.loads(run.stdout)["messages"]:
        url = message.get("url", "?")
        name = names.get(url.rsplit("/", 1)[-1], url)
        extract = " ".join(message.get("extract", "").split())[:120]
        found.setdefault(name, []).append(
            f"{message.get('lastLine', '?')}: {message['message']} ({extract})"
        )
    return found
