"""Problems found in a questionnaire file, each pinned to a line and column.

Every stage of loading (YAML, schema, rules) reports through this one type so the linter
can print them all, sorted, in the ``FILE:LINE:COLUMN: error|warning: message`` form that
editors and CI annotate.

Each problem is told twice: in English for the operator's CLI (``message``, ``hint``) and in
bokmål for the secretariat's pages (``message_nb``, ``hint_nb``). Whoever reports one writes
both texts side by side, so neither can be forgotten (``nb`` is a required argument); the
YAML's own names (keys, ids, types) stay as written in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from survey.errors import InvalidInput

Severity = Literal["error", "warning"]
SEVERITY_NB: dict[str, str] = {"error": "feil", "warning": "advarsel"}


@dataclass(frozen=True, order=True)
class Position:
    file: str
    line: int
    column: int


@dataclass(frozen=True, order=True)
class Problem:
    position: Position
    severity: Severity
    message: str
    hint: str = ""
    message_nb: str = field(default="", compare=False)
    hint_nb: str = field(default="", compare=False)

    @property
    def severity_nb(self) -> str:
        return SEVERITY_NB[self.severity]

    def __str__(self) -> str:
        p = self.position
        text = f"{p.file}:{p.line}:{p.column}: {self.severity}: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


def error(
    position: Position, message: str, hint: str = "", *, nb: str, hint_nb: str = ""
) -> Problem:
    return Problem(position, "error", message, hint, nb, hint_nb)


def warning(
    position: Position, message: str, hint: str = "", *, nb: str, hint_nb: str = ""
) -> Problem:
    return Problem(position, "warning", message, hint, nb, hint_nb)


class QuestionnaireError(InvalidInput):
    """Raised when a questionnaire with errors is asked to become a model."""

    problems: list[Problem]

    def __init__(self, problems: list[Problem]):
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "invalid questionnaire", problems)
