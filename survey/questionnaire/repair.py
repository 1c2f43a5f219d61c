"""Let the cross-reference rules run on a file whose shape is still broken.

An editor should see every problem in one run, not fix a misspelt key only to be told
about an unknown scale next. So each shape error is patched in a copy of the data (unknown
keys dropped, missing or wrong values replaced by a placeholder of the right type), the
rules run on the copy, and whatever they report at a patched spot is thrown away, since
it would only be an echo of the shape error already reported there.
"""

from __future__ import annotations

import copy
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from survey.questionnaire.problems import Problem
from survey.questionnaire.schema import QUESTION_FIELDS, QuestionnaireDocument
from survey.questionnaire.shape import data_path
from survey.questionnaire.yamlsource import Path, Source

MAX_ROUNDS = 5

# Keys whose value no rule reasons about, so a placeholder cannot cause a false report.
# A wrong number, scale name or type is different: the rules would judge the placeholder.
INERT = frozenset(
    {
        "text",
        "label",
        "title",
        "introduction",
        "confidentiality",
        "closing",
        "lead_in",
        "help",
        "required_message",
    }
)


def patched(source: Source) -> tuple[Source, list[Path]] | None:
    """A copy of ``source`` whose data fits the schema, plus the paths that were patched;
    None when the file is too broken to patch."""
    data = copy.deepcopy(source.data)
    broken: list[Path] = []
    untyped: dict[Path, str] = {}
    for _ in range(MAX_ROUNDS):
        try:
            QuestionnaireDocument.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                path, holder = data_path(err["loc"], data)
                if err["type"] in UNTYPED and _is_question(path, data):
                    untyped[path] = _untype(data, path)
                elif not path or not _patch(data, path, holder, err["type"]):
                    return None
                broken.append(path)
            continue
        for path, kind in untyped.items():
            _at(data, path)["type"] = kind
        fixed = copy.copy(source)
        fixed.data = data
        return fixed, broken
    return None


UNTYPED = frozenset({"union_tag_invalid", "union_tag_not_found"})
"""A question of an unknown type (or none): pydantic checks nothing else in it."""


def _at(data: Any, path: Path) -> Any:
    for segment in path:
        data = data[segment]
    return data


def _is_question(path: Path, data: Any) -> bool:
    return len(path) >= 2 and path[-2] == "questions" and isinstance(_at(data, path), dict)


def _untype(data: Any, path: Path) -> str:
    """Keep what every question has (id, text, audience, show_if ...) so the rules still
    check it and the conditions naming it, and drop what depends on the type. It is checked
    as a text question and then given back its type, as a text no rule knows ("" if it had
    none): the rules then claim nothing about its answers. Returns that type."""
    question = _at(data, path)
    kind = question.get("type")
    for key in list(question):
        if key not in QUESTION_FIELDS:
            del question[key]
    question["type"] = "text"
    return kind if isinstance(kind, str) else ""


def _patch(data: Any, path: Path, holder: type[BaseModel] | None, kind: str) -> bool:
    parent = data
    for segment in path[:-1]:
        parent = parent[segment]
    key = path[-1]
    if kind == "extra_forbidden" and isinstance(parent, dict):
        del parent[key]
        return True
    if holder is None or key not in INERT or key not in holder.model_fields:
        return False  # a placeholder here could mislead the rules: report shape errors only
    parent[key] = placeholder(holder.model_fields[key].annotation)
    return True


def placeholder(annotation: Any) -> Any:
    """A value that satisfies ``annotation``; the rules never report on it (see above)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return placeholder(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = typing.get_args(annotation)
        return None if type(None) in members else placeholder(members[0])
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if origin is list or annotation is list:
        return []
    if origin is dict or annotation is dict:
        return {}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {
            name: placeholder(field.annotation)
            for name, field in annotation.model_fields.items()
            if field.is_required()
        }
    return {str: "", int: 2, float: 0.0, bool: False}.get(annotation, "")


def echoes(source: Source, patched_paths: list[Path], problem: Problem) -> bool:
    """Whether a rule's problem sits where a patch was made (or, for a missing key, on
    the part that lacks it), and so repeats a shape error."""
    spots = {source.position(path) for path in patched_paths}
    return problem.position in spots
