"""Build docs/questionnaire-format.md from docs/questionnaire-format.template.md.

    python docs/build_format_reference.py           rewrite docs/questionnaire-format.md
    python docs/build_format_reference.py --check   exit 1, showing a diff, if the committed
                                                    doc is not what the template and the
                                                    current code produce

Both modes exit 1 if an example marked as valid does not validate (the doc is still written
without --check, so the problem can be looked at).

Markers (HTML comments on the line before a fenced block; removed from the output):
  <!--check: complete [warn-ok]-->   yaml block is a whole file; must validate
  <!--check: top [warn-ok]-->        top-level fragment, merged into BASE; must validate
  <!--check: questions [warn-ok]-->  list of questions, put on a page of BASE; must validate
  <!--check: none-->                 not checked (deliberately wrong or partial)
  <!--file: NAME [valid]-->          yaml block written verbatim to NAME/example.yaml in a
                                     temporary directory; with 'valid' it must validate
  <!--run: NAME-->                   console block: run each '$ ' command in NAME's directory
                                     ('repo' = the repository root) and put its output (stdout
                                     and stderr) in place of the following <<OUT>> line;
                                     '$ echo $?' gives the previous command's exit code
A line <<MESSAGES>> becomes the table of respondent messages (answers.Messages).
A line <<BOUNDS>> becomes the table of bounds on numbers and sizes (rules.limits.BOUNDS).

"Must validate" means no errors and, without warn-ok, no warnings. YAML examples are checked
in-process with load_text; only the console commands run as subprocesses, with `survey`
running on the interpreter that runs this script. Commands print relative paths only (they
run where the file is), so the output does not depend on the temporary directory.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "docs" / "questionnaire-format.template.md"
OUTPUT = ROOT / "docs" / "questionnaire-format.md"

if str(ROOT) not in sys.path:  # run as a script from a checkout without an install
    sys.path.insert(0, str(ROOT))

from survey.questionnaire import load_text  # noqa: E402
from survey.questionnaire.answers import Messages  # noqa: E402
from survey.questionnaire.rules.limits import BOUNDS  # noqa: E402
from survey.questionnaire.yamlsource import read_source  # noqa: E402

BASE = {
    "id": "eksempel",
    "version": 1,
    "title": "Eksempel",
    "roles": [
        {"code": code, "label": label}
        for code, label in [
            ("ordforer", "Ordfører"),
            ("radmann", "Rådmann"),
            ("tillitsvalgt", "Tillitsvalgt"),
            ("prosjektleder", "Prosjektleder"),
            ("annet", "Annet"),
        ]
    ],
    "scales": {
        "enighet": {
            "points": 6,
            "labels": {1: "Helt uenig", 6: "Helt enig"},
            "not_scored": [{"code": "vet_ikke", "label": "Vet ikke"}],
        }
    },
    "choice_lists": {
        "ja_nei": [{"code": "ja", "label": "Ja"}, {"code": "nei", "label": "Nei"}],
        "ja_nei_vet_ikke": [
            {"code": "ja", "label": "Ja"},
            {"code": "nei", "label": "Nei"},
            {"code": "vet_ikke", "label": "Vet ikke"},
        ],
    },
    "pages": [
        {"id": "side_1", "questions": [{"id": "base_tekst", "type": "text", "text": "Kommentar"}]}
    ],
}

DESCRIPTIONS = {
    "required": "a required question is left empty and has no `required_message` of its own",
    "choose_one": "the answer is not one of the question's options",
    "scale": "the answer is not a point on the scale (nor a `not_scored` option)",
    "exclusive": "an option with `exclusive: true` is ticked together with others",
    "too_many": "more options are ticked than `max_choices` allows",
    "too_many_one": "more than one option is ticked where `max_choices: 1`",
    "specify_text": "an option with `specify: text` is chosen, but its field is empty",
    "specify_number": "an option with `specify: number` is chosen, but its field is empty",
    "whole_number": "a decimal number is given where only whole numbers are allowed",
    "number": "the answer is not a number",
    "between": "a number is outside `min` and `max`",
    "at_least": "a number is below `min` (no `max` set)",
    "at_most": "a number is above `max` (no `min` set)",
    "too_long": "a text is longer than `max_length`",
    "hidden": "an answer is given to a question the respondent should not see",
}
EXAMPLE = {"low": 1, "high": 6, "n": 3, "label": "Annet, spesifiser", "length": 512}
SPECIAL = {
    "between": {"low": 0, "high": 100},
    "at_least": {"low": 0, "high": 100},
    "at_most": {"low": 0, "high": 100},
    "too_long": {"n": 500, "length": 512},
    "exclusive": {"label": "Ingen endringer"},
    "specify_number": {"label": "Prosjektleder er frikjøpt"},
}


def merge(base: dict, fragment: dict) -> dict:
    out = dict(base)
    for key, value in fragment.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def example_file(text: str, mode: str, name: str) -> str:
    """The whole questionnaire that a checked block stands for."""
    if mode == "complete":
        return text
    if mode not in ("questions", "top"):
        raise SystemExit(f"{name}: unknown check mode {mode!r}")
    # read_source only reads a mapping, so a list of questions is read as one under a key.
    wrapped = "questions:\n" + textwrap.indent(text, "  ") if mode == "questions" else text
    source, problems = read_source(name, wrapped)
    if problems:
        raise SystemExit(f"{name}: cannot read fragment: {problems}")
    if mode == "questions":
        data = merge(BASE, {"pages": [{"id": "side_1", "questions": source.data["questions"]}]})
    else:
        data = merge(BASE, source.data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def validate(text: str, name: str, warn_ok: bool) -> tuple[bool, str]:
    result = load_text(text, name)
    bad = bool(result.errors) or (bool(result.warnings) and not warn_ok)
    return bad, "\n".join(str(p) for p in result.problems)


def messages_table() -> tuple[list[str], list[str]]:
    names = [k for k, v in vars(Messages).items() if not k.startswith("_") and isinstance(v, str)]
    rows = ["| When | Message |", "|---|---|"]
    for name in names:
        text = getattr(Messages, name).format(**SPECIAL.get(name, EXAMPLE))
        rows.append(f"| {DESCRIPTIONS.get(name, name)} | {text} |")
    return rows, [name for name in names if name not in DESCRIPTIONS]


class Shell:
    """Runs console commands with `survey` bound to this interpreter."""

    def __init__(self, tmp: Path):
        bindir = tmp / "bin"
        bindir.mkdir()
        wrapper = bindir / "survey"
        code = "import sys; sys.argv[0] = 'survey'; from survey.cli import main; main()"
        wrapper.write_text(
            f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -c "{code}" "$@"\n',
            encoding="utf-8",
        )
        wrapper.chmod(0o755)
        pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        self.env = {
            **os.environ,
            "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": pythonpath,
            "PYTHONIOENCODING": "utf-8",
        }

    def run(self, command: str, cwd: Path) -> tuple[str, int]:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            encoding="utf-8",
        )
        return done.stdout.rstrip("\n"), done.returncode

    def session(self, body: list[str], cwd: Path) -> list[str]:
        """A console block with the real output in place of its <<OUT>> lines."""
        out: list[str] = []
        result, last = "", 0
        for line in body:
            if line.startswith("$ "):
                out.append(line)
                if line == "$ echo $?":
                    result = str(last)
                else:
                    result, last = self.run(line[2:], cwd)
            elif line == "<<OUT>>":
                if result:
                    out.append(result)
            else:
                out.append(line)
        return out


def build(tmp: Path, pool: ThreadPoolExecutor, verbose: bool) -> tuple[str, list[str]]:
    """Return the doc's text and the list of failures.

    Console blocks run in the pool while the rest is built: each block's files are written
    before it is submitted, and the blocks do not write anything the others read."""
    shell = Shell(tmp)
    lines = TEMPLATE.read_text(encoding="utf-8").split("\n")
    out: list[str | Future[list[str]]] = []
    failures: list[str] = []
    marker: tuple[str, list[str]] | None = None
    nblock = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if m := re.fullmatch(r"<!--(check|file|run): (.*)-->", line):
            marker = (m.group(1), m.group(2).split())
            i += 1
            continue
        if line == "<<BOUNDS>>":
            out += ["| What | Allowed |", "|---|---|"]
            out += [f"| {what} | {allowed} |" for what, allowed in BOUNDS]
            i += 1
            continue
        if line == "<<MESSAGES>>":
            rows, undescribed = messages_table()
            out.extend(rows)
            if undescribed:
                failures.append(f"messages without a description in DESCRIPTIONS: {undescribed}")
            i += 1
            continue
        fence = re.fullmatch(r"```(\w+)", line)
        if not fence:
            out.append(line)
            i += 1
            continue
        lang = fence.group(1)
        j = i + 1
        while lines[j] != "```":
            j += 1
        body = lines[i + 1 : j]
        where = f"line {i + 1}"
        if lang == "yaml":
            nblock += 1
            text = "\n".join(body) + "\n"
            if marker is None:
                failures.append(f"yaml block {nblock} ({where}) has no marker: {body[0]}")
            elif marker[0] == "file":
                name, flags = marker[1][0], marker[1][1:]
                (tmp / name).mkdir()
                (tmp / name / "example.yaml").write_text(text, encoding="utf-8")
                if "valid" in flags:
                    bad, problems = validate(text, "example.yaml", warn_ok=False)
                    if bad:
                        failures.append(f"file {name} ({where}) is not valid:\n{problems}")
            elif marker[0] == "check" and marker[1][0] != "none":
                mode, warn_ok = marker[1][0], "warn-ok" in marker[1]
                name = f"block{nblock:02d}"
                bad, problems = validate(example_file(text, mode, name), name, warn_ok)
                if bad:
                    failures.append(f"yaml block {nblock} ({mode}, {where}) fails:\n{problems}")
                elif problems and verbose:
                    print(f"yaml block {nblock} ({mode} warn-ok, {where}):\n{problems}")
        out.append(line)
        if lang == "console" and marker and marker[0] == "run":
            name = marker[1][0]
            cwd = ROOT if name == "repo" else tmp / name
            out.append(pool.submit(shell.session, body, cwd))
        else:
            out.extend(body)
        out.append("```")
        i = j + 1
        marker = None
    doc = [
        part for entry in out for part in (entry.result() if isinstance(entry, Future) else [entry])
    ]
    leftover = [line for line in doc if "<<OUT>>" in line or line.startswith("<!--")]
    if leftover:
        failures.append(f"markers left in the output: {leftover}")
    if verbose:
        print(f"{nblock} yaml blocks")
    return "\n".join(doc), failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the doc is out of date"
    )
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="format-reference-") as tmp,
        ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool,
    ):
        text, failures = build(Path(tmp), pool, verbose=not args.check)
    status = 0
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
        status = 1
    name = OUTPUT.relative_to(ROOT).as_posix()
    if args.check:
        committed = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if committed != text:
            sys.stdout.writelines(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"{name} (committed)",
                    f"{name} (generated)",
                )
            )
            print(
                f"\n{name} is out of date: run 'python docs/build_format_reference.py'",
                file=sys.stderr,
            )
            status = 1
    else:
        OUTPUT.write_text(text, encoding="utf-8", newline="\n")
        print(f"{name} written")
    return status


if __name__ == "__main__":
    sys.exit(main())
