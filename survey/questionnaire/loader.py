"""One entry point from YAML text to a checked questionnaire: read, shape, rules, build.

Each stage only runs when the previous one left something to work on, and every stage's
problems are kept, so the linter shows all of them at once rather than one per run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from survey.questionnaire.build import build
from survey.questionnaire.model import Questionnaire
from survey.questionnaire.problems import Position, Problem, QuestionnaireError, error
from survey.questionnaire.repair import echoes, patched
from survey.questionnaire.rules import check_rules
from survey.questionnaire.shape import check_shape
from survey.questionnaire.yamlsource import read_source


@dataclass
class LoadResult:
    file: str
    text: str
    problems: list[Problem] = field(default_factory=list)
    questionnaire: Questionnaire | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def sha256(self) -> str:
        """Identifies a published version: the same text always gives the same hash."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def load_text(text: str, file: str = "<questionnaire>") -> LoadResult:
    result = LoadResult(file, text)
    source, problems = read_source(file, text)
    result.problems += problems
    if problems or not isinstance(source.data, dict):
        if not problems:
            result.problems += check_shape(source)[1]
        return _sorted(result)
    doc, problems = check_shape(source)
    result.problems += problems
    if doc is not None:
        result.problems += check_rules(source)
        if result.ok:
            result.questionnaire = build(doc)
    elif (repaired := patched(source)) is not None:
        fixed, spots = repaired
        result.problems += [p for p in check_rules(fixed) if not echoes(source, spots, p)]
    return _sorted(result)


def load_file(path: str | Path) -> LoadResult:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        result = LoadResult(str(path), "")
        result.problems.append(
            error(
                Position(str(path), 1, 1),
                f"cannot read file: {exc.strerror}",
                nb=f"filen kan ikke leses: {exc.strerror}",
            )
        )
        return result
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        result = LoadResult(str(path), "")
        result.problems.append(
            error(
                Position(str(path), line, 1),
                "the file is not UTF-8 text",
                "save it as UTF-8 (most editors: 'Save with encoding')",
                nb="filen er ikke UTF-8-tekst",
                hint_nb="lagre den som UTF-8 (i de fleste redigeringsprogram: «Lagre med koding»)",
            )
        )
        return result
    return load_text(text, str(path))


def load_questionnaire(path: str | Path) -> Questionnaire:
    """The model of a file, or QuestionnaireError listing every problem."""
    result = load_file(path)
    if result.questionnaire is None:
        raise QuestionnaireError(result.problems)
    return result.questionnaire


def _sorted(result: LoadResult) -> LoadResult:
    result.problems.sort(key=lambda p: (p.position.line, p.position.column, p.severity, p.message))
    return result
