"""What every rule needs: the file, its positions, and lookup tables built once."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from survey.questionnaire.problems import Problem, error, warning
from survey.questionnaire.yamlsource import Path, Source


@dataclass
class Entry:
    """A question or matrix statement: something an answer is stored under."""

    id: str
    path: Path
    question: dict[str, Any]
    order: int  # position of its question in the questionnaire
    page: int
    kind: str  # the question type; matrix statements are "likert"


@dataclass
class Context:
    """The rules run on data whose shape the schema has checked (or on a patched copy
    that fits it), so the annotations below say what the schema guarantees."""

    source: Source
    problems: list[Problem] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.source.data
        return data

    def error(
        self,
        path: Path,
        message: str,
        hint: str = "",
        *,
        nb: str,
        hint_nb: str = "",
        key: bool = False,
    ) -> None:
        position = self.source.position(path, key=key)
        self.problems.append(error(position, message, hint, nb=nb, hint_nb=hint_nb))

    def warning(
        self,
        path: Path,
        message: str,
        hint: str = "",
        *,
        nb: str,
        hint_nb: str = "",
        key: bool = False,
    ) -> None:
        position = self.source.position(path, key=key)
        self.problems.append(warning(position, message, hint, nb=nb, hint_nb=hint_nb))

    def questions(self) -> list[tuple[Path, dict[str, Any], int]]:
        """(path, question, page index) for every question, in order."""
        return [
            (("pages", p, "questions", q), question, p)
            for p, page in enumerate(self.data["pages"])
            for q, question in enumerate(page["questions"])
        ]

    def roles(self) -> list[str]:
        return [r["code"] for r in self.data.get("roles", [])]

    def choices_of(self, question: dict[str, Any]) -> list[dict[str, Any]]:
        choices = question.get("choices")
        if isinstance(choices, str):
            return self.data.get("choice_lists", {}).get(choices) or []
        return choices or []

    def scale_of(self, question: dict[str, Any]) -> dict[str, Any] | None:
        scale: dict[str, Any] | None = self.data.get("scales", {}).get(question.get("scale"))
        return scale


def did_you_mean(name: str, known: list[str]) -> str:
    guess = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean '{guess[0]}'?" if guess else ""


def mente_du(name: str, known: list[str]) -> str:
    """did_you_mean in bokmål."""
    guess = difflib.get_close_matches(name, known, n=1)
    return f"; mente du '{guess[0]}'?" if guess else ""


def listing(known: list[str]) -> str:
    return ", ".join(known) if known else "(none defined)"


def liste(known: list[str]) -> str:
    """listing in bokmål."""
    return ", ".join(known) if known else "(ingen er definert)"


def tall(number: float) -> str:
    """A number as bokmål writes it: a space between thousands (3 000 000)."""
    return f"{number:,}".replace(",", "\u00a0")
