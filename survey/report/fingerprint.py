"""What a rendered report is made of, as one digest: the key its cached PDF is filed under.

A report is a function of the round's results as read (every respondent's stated role,
unit and attributes, every answer with its codes and details, every invitation and whether
it was answered, the round itself), of the breakdown, and of the templates, stylesheets and
code that score and lay it out. The digest covers exactly those, so a cached PDF is served
while, and only while, it is what rendering now would give. It used to be keyed on a
summary of the answers (counts and sums) that ignored stated roles, choice codes and
invitations: after a respondent changed their role the preview showed 9 mayors while the
PDF still showed 8.

The digest is the same in every worker process (nothing in it depends on the order of a
set or on hash randomisation), so the processes share one cached file.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from pathlib import Path

from survey.questionnaire.answers import Answer
from survey.records import RoundResults
from survey.resources import REPORTS

_CODE = Path(__file__).resolve().parents[1]  # the survey package
_MADE_WITH = (  # what turns results into a PDF, besides the results
    (REPORTS, "**/*"),
    (_CODE / "report", "*.py"),
    (_CODE / "scoring", "*.py"),
)


def report_digest(results: RoundResults, by: Sequence[str]) -> str:
    """A digest of everything the report of ``results`` broken down ``by`` is made from."""
    digest = hashlib.sha256()
    digest.update(repr((made_with(), list(by))).encode())
    digest.update(repr(dataclasses.astuple(results.round)).encode())
    digest.update(repr((results.first_answer, results.last_answer)).encode())
    digest.update(repr((results.as_of, results.final, results.snapshot_id)).encode())
    seen: dict[int, tuple] = {}  # answers are shared objects: each is worked out once
    for groups, answers in results.respondents:
        canonical = [
            (item, seen.get(id(answer)) or seen.setdefault(id(answer), _answer(answer)))
            for item, answer in answers.items()
        ]
        digest.update(repr((sorted(groups.items()), sorted(canonical))).encode())
    digest.update(b"invitations")
    for groups, answered in results.invitations:
        digest.update(repr((sorted(groups.items()), answered)).encode())
    return digest.hexdigest()


def _answer(answer: Answer) -> tuple:
    value = answer.value
    kind = type(value).__name__
    shown = tuple(sorted(value)) if isinstance(value, frozenset) else value
    return (kind, shown, tuple(sorted(answer.details.items())))


def made_with() -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of every template, asset and module that renders a
    report: a new release must not serve the PDFs its predecessor cached."""
    return tuple(
        (str(path.relative_to(folder.parent)), stat.st_size, stat.st_mtime_ns)
        for folder, pattern in _MADE_WITH
        for path in sorted(folder.glob(pattern))
        if path.is_file() and (stat := path.stat())
    )
