"""Check a file's shape against the schema and say what is wrong in an editor's words.

pydantic finds the problems; this module finds where they are (via the YAML positions) and
rewrites its messages for a quality adviser rather than a programmer: which key is unknown
and what was probably meant, which required key is missing, what kind of value is expected.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from survey.questionnaire.problems import Problem, error
from survey.questionnaire.schema import QUESTION_TYPES, QuestionnaireDocument
from survey.questionnaire.yamlsource import Path, Source

_KINDS = {
    "string_type": "a text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping ('key: value' lines)",
    "model_type": "a mapping ('key: value' lines)",
    "model_attributes_type": "a mapping ('key: value' lines)",
}


def check_shape(source: Source) -> tuple[QuestionnaireDocument | None, list[Problem]]:
    try:
        return QuestionnaireDocument.model_validate(source.data), []
    except ValidationError as exc:
        problems: dict[tuple[Path, str], Problem] = {}
        for err in exc.errors():
            path, model = _data_path(err["loc"], source.data)
            problem = _translate(err, path, model, source)
            # A union (text or translations) fails once per member: keep one message.
            problems.setdefault((path, err["type"] if model else ""), problem)
        unique = {(p.position, p.message): p for p in problems.values()}
        return None, list(unique.values())


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[Path, type | None]:
    """Drop pydantic's union-member segments from ``loc``; also find the model at the end."""
    path: list[str | int] = []
    annotation: Any = QuestionnaireDocument
    for segment in loc:
        present = (isinstance(data, dict) and segment in data) or (
            isinstance(data, list) and isinstance(segment, int) and segment < len(data)
        )
        if not present:
            if isinstance(segment, str) and segment in QUESTION_TYPES:
                annotation = QUESTION_TYPES[segment]
            if isinstance(data, dict) and segment not in data and _is_field(annotation, segment):
                path.append(segment)  # a missing or extra key: the key itself ends the path
                data = None
            continue
        path.append(segment)
        data = data[segment]
        annotation = _step(annotation, segment, data)
    model = (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )
    return tuple(path), model


def _is_field(annotation: Any, name: str) -> bool:
    return (
        isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
        and (name in annotation.model_fields)
    )


def _step(annotation: Any, segment: str | int, value: Any) -> Any:
    """The annotation of ``annotation[segment]``, choosing union members by the value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(segment))
        return _pick(field.annotation if field else None, value)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list and args:
        return _pick(args[0], value)
    if origin is dict and len(args) == 2:
        return _pick(args[1], value)
    return None


def _pick(annotation: Any, value: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = typing.get_args(annotation)
        if isinstance(value, dict) and isinstance(value.get("type"), str):
            tagged = QUESTION_TYPES.get(value["type"])
            if tagged in members:
                return tagged
        for member in members:
            if (
                isinstance(value, dict)
                and isinstance(member, type)
                and issubclass(member, BaseModel)
            ):
                return member
            if isinstance(value, dict) and typing.get_origin(member) is dict:
                return member
            if isinstance(value, list) and typing.get_origin(member) is list:
                return member
        return None
    return annotation


def describe(path: Path, data: Any) -> str:
    """Name the part of the file at ``path`` the way its author thinks of it."""
    names = {
        "pages": "page",
        "questions": "question",
        "items": "item",
        "roles": "role",
        "indexes": "index",
        "quality_pairs": "quality pair",
        "choices": "choice",
        "not_scored": "option",
    }
    described = "the questionnaire"
    node = data
    for i, segment in enumerate(path):
        node = node[segment] if isinstance(node, (dict, list)) else None
        parent = path[i - 1] if i else None
        if isinstance(segment, int) and isinstance(parent, str):
            kind = names.get(parent, "entry")
            ident = node.get("id") or node.get("code") if isinstance(node, dict) else None
            described = f"{kind} '{ident}'" if isinstance(ident, str) else f"{kind} {segment + 1}"
        elif parent == "scales":
            described = f"scale '{segment}'"
        elif parent == "choice_lists":
            described = f"choice list '{segment}'"
    return described


def _translate(err: Any, path: Path, model: type | None, source: Source) -> Problem:
    kind = err["type"]
    key = path[-1] if path else ""
    where = describe(path[:-1], source.data)
    if kind == "extra_forbidden":
        allowed = sorted(model.model_fields) if model else []
        guess = difflib.get_close_matches(str(key), allowed, n=1)
        suggestion = f"; did you mean '{guess[0]}'?" if guess else ""
        return error(
            source.position(path, key=True),
            f"unknown key '{key}' in {where}{suggestion}",
            f"valid keys here: {', '.join(allowed)}",
        )
    if kind == "missing":
        return error(
            source.position(path[:-1], key=True),
            f"{where} is missing the required key '{key}'",
            f"add '{key}: ...' to {where}",
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        types_ = sorted(QUESTION_TYPES)
        given = err.get("ctx", {}).get("tag")
        where = describe(path, source.data)
        if kind == "union_tag_not_found":
            return error(
                source.position(path),
                f"{where} has no 'type'",
                f"add 'type:' with one of: {', '.join(types_)}",
            )
        guess = difflib.get_close_matches(str(given), types_, n=1)
        suggestion = f"; did you mean '{guess[0]}'?" if guess else ""
        return error(
            source.position(path + ("type",)),
            f"unknown question type '{given}' in {where}{suggestion}",
            f"valid types: {', '.join(types_)}",
        )
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return error(
            source.position(path),
            f"'{key}' in {where} cannot be {err['input']!r}",
            f"use one of: {expected}",
        )
    if kind in _KINDS or kind.endswith("_type"):
        expected = _KINDS.get(kind, kind.removesuffix("_type"))
        if model is None and kind in ("string_type", "dict_type"):
            expected = "a text (or one text per language, e.g. 'nb: ...')"
        label = f"'{key}'" if isinstance(key, str) and key else f"entry {key}"
        return error(
            source.position(path),
            f"{label} in {where} must be {expected}, not {_kind_of(err['input'])}",
            "quote texts that look like numbers, e.g. code: '10'",
        )
    return error(
        source.position(path), f"{where}: {err['msg']}", "see docs/questionnaire-format.md"
    )


def _kind_of(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    return "a mapping"
