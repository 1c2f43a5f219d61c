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
    "dict_type": "one text per language ('nb: ...')",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list (lines starting with '- ')",
    "model_type": "a mapping ('key: value' lines)",
    "model_attributes_type": "a mapping ('key: value' lines)",
}


_HINTS = {
    "string_type": "put a text that looks like a number or true/false in quotes: label: '10'",
    "int_type": "write a whole number without quotes, e.g. points: 6",
    "int_from_float": "write a whole number without quotes, e.g. points: 6",
    "float_type": "write a number without quotes, with a decimal point: target: 4.5",
    "bool_type": "write true or false, without quotes",
    "list_type": "write a list: [a, b], or one '- ' line per entry",
    "dict_type": "write 'nb: ...' lines, one per language",
    "model_type": "write 'key: value' lines indented under it",
}


def check_shape(source: Source) -> tuple[QuestionnaireDocument | None, list[Problem]]:
    try:
        return QuestionnaireDocument.model_validate(source.data), []
    except ValidationError as exc:
        located = []
        for err in exc.errors():
            path, model = data_path(err["loc"], source.data)
            located.append((path, model, err))
        return None, _explain(located, source)


def _explain(
    located: list[tuple[Path, type[BaseModel] | None, Any]], source: Source
) -> list[Problem]:
    """One message per place: a union (text or translations, list name or options) fails
    once per member, and a deeper error inside one member says more than the others."""
    paths = {path for path, _, _ in located}
    by_path: dict[Path, list[tuple[type[BaseModel] | None, Any]]] = {}
    for path, model, err in located:
        deeper = any(other[: len(path)] == path and other != path for other in paths)
        if not deeper or err["type"] in ("extra_forbidden", "missing"):
            by_path.setdefault(path, []).append((model, err))
    problems: list[Problem] = []
    for path, errs in by_path.items():
        kinds = [e for _, e in errs if e["type"] in _KINDS]
        if len(kinds) > 1:
            expected = " or ".join(dict.fromkeys(_KINDS[e["type"]] for e in kinds))
            key = path[-1] if path else ""
            problems.append(
                error(
                    source.position(path),
                    f"'{key}' in {describe(path[:-1], source.data)} must be {expected}, "
                    f"not {_kind_of(kinds[0]['input'])}",
                    "see docs/questionnaire-format.md for examples",
                )
            )
            errs = [(m, e) for m, e in errs if e not in kinds]
        problems += [_translate(err, path, model, source) for model, err in errs]
    return list({(p.position, p.message): p for p in problems}.values())


def data_path(loc: tuple[Any, ...], data: Any) -> tuple[Path, type[BaseModel] | None]:
    """Drop pydantic's union-member segments from ``loc``; also find the model holding
    the last key (for "unknown key" suggestions)."""
    path: list[str | int] = []
    annotation: Any = QuestionnaireDocument
    holder: Any = None
    previous: Any = None
    for segment in loc:
        if isinstance(previous, int) and _is_question_tag(segment, data, path):
            previous = segment
            continue
        previous = segment
        present = (isinstance(data, dict) and segment in data) or (
            isinstance(data, list) and isinstance(segment, int) and segment < len(data)
        )
        if not present:
            if isinstance(segment, str) and segment in QUESTION_TYPES:
                annotation = QUESTION_TYPES[segment]
            if isinstance(data, dict) and _is_field(annotation, segment):
                holder = annotation
                path.append(segment)  # a missing key: the key itself ends the path
                data = None
            continue
        path.append(segment)
        data = data[segment]
        holder = annotation
        annotation = _step(annotation, segment, data)
    model = holder if isinstance(holder, type) and issubclass(holder, BaseModel) else None
    return tuple(path), model


def _is_question_tag(segment: Any, data: Any, path: list[str | int]) -> bool:
    """pydantic puts a question's type into the location ("text" for a text question),
    which must not be mistaken for the question's ``text`` key."""
    return (
        len(path) >= 2
        and path[-2] == "questions"
        and isinstance(data, dict)
        and segment == data.get("type")
        and segment in QUESTION_TYPES
    )


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
        if isinstance(node, list):
            node = node[segment] if isinstance(segment, int) else None
        else:
            node = node[segment] if isinstance(node, dict) else None
        parent = path[i - 1] if i else None
        if isinstance(segment, int) and isinstance(parent, str):
            kind = names.get(parent, "entry")
            ident = node.get("id") or node.get("code") if isinstance(node, dict) else None
            described = f"{kind} '{ident}'" if isinstance(ident, str) else f"{kind} {segment + 1}"
        elif parent == "scales":
            described = f"scale '{segment}'"
        elif parent == "choice_lists":
            described = f"choice list '{segment}'"
        if isinstance(segment, int) and i >= 2 and path[i - 2] == "choice_lists":
            ident = node.get("code") if isinstance(node, dict) else None
            described = f"choice '{ident}'" if isinstance(ident, str) else f"choice {segment + 1}"
    return described


def _translate(err: Any, path: Path, model: type[BaseModel] | None, source: Source) -> Problem:
    kind = err["type"]
    key = path[-1] if path else ""
    where = describe(path[:-1], source.data)
    if kind == "extra_forbidden":
        allowed = sorted(model.model_fields) if model else []
        guess = difflib.get_close_matches(str(key), allowed, n=1)
        suggestion = f"; did you mean '{guess[0]}'?" if guess else ""
        hint = f"valid keys here: {', '.join(allowed)}"
        if " " in str(key):
            hint = "a ',' inside {...} starts a new key: put the whole text in quotes; " + hint
        return error(
            source.position(path, key=True), f"unknown key '{key}' in {where}{suggestion}", hint
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
    if kind == "literal_error" and "[key]" in err["loc"]:
        expected = err.get("ctx", {}).get("expected", "")
        return error(
            source.position(path, key=True),
            f"'{key}' is not a language code",
            f"use one of: {expected}",
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
        label = f"'{key}'" if isinstance(key, str) and key else f"entry {key}"
        return error(
            source.position(path),
            f"{label} in {where} must be {expected}, not {_kind_of(err['input'])}",
            _HINTS.get(kind, "see docs/questionnaire-format.md for examples"),
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
