"""A questionnaire's text under a new id and title: the start of a copy.

Only the top-level ``id:``, ``title:`` and ``version:`` lines change (a copy is version 1
of a new questionnaire); every other line, comments and indentation included, stays as its
author wrote it, so the copy reads like the original.
"""

from __future__ import annotations

import json
import re

from survey.questionnaire.rules.ids import QUESTIONNAIRE_ID

_TOP_LEVEL = re.compile(r"^(id|title|version)\s*:")
_PLAIN_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


def valid_questionnaire_id(candidate: str) -> bool:
    """Whether ``candidate`` is an id the linter accepts for a questionnaire."""
    return bool(QUESTIONNAIRE_ID.match(candidate))


def renamed(text: str, questionnaire_id: str, title: str) -> str:
    """``text`` with its top-level id, title and version replaced (added at the top when
    missing). A value that spans lines (a folded title) is replaced with its lines."""
    values = {
        "id": questionnaire_id if _PLAIN_ID.match(questionnaire_id) else _quoted(questionnaire_id),
        "title": _quoted(title),
        "version": "1",
    }
    lines = text.splitlines()
    out: list[str] = []
    seen: set[str] = set()
    skipping = False
    for number, line in enumerate(lines):
        if skipping and _continues(lines, number):
            continue  # the rest of a replaced multi-line value
        skipping = False
        match = _TOP_LEVEL.match(line)
        if match and match.group(1) not in seen:
            key = match.group(1)
            seen.add(key)
            out.append(f"{key}: {values[key]}")
            skipping = True
            continue
        out.append(line)
    missing = [f"{key}: {values[key]}" for key in ("id", "version", "title") if key not in seen]
    return "\n".join(missing + out) + "\n"


def _continues(lines: list[str], number: int) -> bool:
    """Whether line ``number`` belongs to the value above it: indented, or blank with an
    indented line next."""
    for line in lines[number:]:
        if line.strip():
            return line.startswith((" ", "\t"))
    return False


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one), on one line."""
    return json.dumps(" ".join(value.split()), ensure_ascii=False)
