"""Problems found in a questionnaire file, each pinned to a line and column.

Every stage of loading (YAML, schema, rules) reports through this one type so the linter
can print them all, sorted, in the ``FILE:LINE:COLUMN: error|warning: message`` form that
editors and CI annotate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from survey.errors import InvalidInput

Severity = Literal["error", "warning"]


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

    def __str__(self) -> str:
        p = self.position
        text = f"{p.file}:{p.line}:{p.column}: {self.severity}: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


def error(position: Position, message: str, hint: str = "") -> Problem:
    return Problem(position, "error", message, hint)


def warning(position: Position, message: str, hint: str = "") -> Problem:
    return Problem(position, "warning", message, hint)


class QuestionnaireError(InvalidInput):
    """Raised when a questionnaire with errors is asked to become a model."""

    problems: list[Problem]

    def __init__(self, problems: list[Problem]):
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "invalid questionnaire", problems)
