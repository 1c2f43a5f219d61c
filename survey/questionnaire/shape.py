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


_KINDS_NB = {
    "string_type": "en tekst",
    "dict_type": "én tekst per språk ('nb: ...')",
    "int_type": "et heltall",
    "int_from_float": "et heltall",
    "float_type": "et tall",
    "bool_type": "true eller false",
    "list_type": "en liste (linjer som begynner med '- ')",
    "model_type": "'nøkkel: verdi'-linjer",
    "model_attributes_type": "'nøkkel: verdi'-linjer",
}


_HINTS_NB = {
    "string_type": "sett en tekst som ser ut som et tall eller true/false, i anførselstegn: "
    "label: '10'",
    "int_type": "skriv et heltall uten anførselstegn, for eksempel points: 6",
    "int_from_float": "skriv et heltall uten anførselstegn, for eksempel points: 6",
    "float_type": "skriv et tall uten anførselstegn, med desimalpunktum: target: 4.5",
    "bool_type": "skriv true eller false, uten anførselstegn",
    "list_type": "skriv en liste: [a, b], eller én '- '-linje per oppføring",
    "dict_type": "skriv 'nb: ...'-linjer, én per språk",
    "model_type": "skriv 'nøkkel: verdi'-linjer med innrykk under den",
}
FORMAT_HINT = "see docs/questionnaire-format.md for examples"
FORMAT_HINT_NB = "se eksemplene i docs/questionnaire-format.md"


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
            expected_nb = " eller ".join(dict.fromkeys(_KINDS_NB[e["type"]] for e in kinds))
            key = path[-1] if path else ""
            value = kinds[0]["input"]
            problems.append(
                error(
                    source.position(path),
                    f"'{key}' in {describe(path[:-1], source.data)} must be {expected}, "
                    f"not {_kind_of(value)}",
                    FORMAT_HINT,
                    nb=f"'{key}' i {describe(path[:-1], source.data, 'nb')} må være "
                    f"{expected_nb}, ikke {_kind_of(value, 'nb')}",
                    hint_nb=FORMAT_HINT_NB,
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


_NAMES = {
    "pages": "page",
    "questions": "question",
    "items": "item",
    "roles": "role",
    "indexes": "index",
    "quality_pairs": "quality pair",
    "choices": "choice",
    "not_scored": "option",
    "": "entry",
    "scale": "scale",
    "choice list": "choice list",
}
# bokmål: (with a name: definite form, with a number: indefinite form)
_NAMES_NB = {
    "pages": ("siden", "side"),
    "questions": ("spørsmålet", "spørsmål"),
    "items": ("påstanden", "påstand"),
    "roles": ("rollen", "rolle"),
    "indexes": ("indeksen", "indeks"),
    "quality_pairs": ("kvalitetsparet", "kvalitetspar"),
    "choices": ("svaralternativet", "svaralternativ"),
    "not_scored": ("svaralternativet", "svaralternativ"),
    "": ("oppføringen", "oppføring"),
    "scale": ("skalaen", "skala"),
    "choice list": ("svarlisten", "svarliste"),
}


def _name(kind: str, ident: object, number: int, lang: str) -> str:
    if lang == "nb":
        named, numbered = _NAMES_NB.get(kind, _NAMES_NB[""])
        return f"{named} '{ident}'" if isinstance(ident, str) else f"{numbered} {number}"
    noun = _NAMES.get(kind, "entry")
    return f"{noun} '{ident}'" if isinstance(ident, str) else f"{noun} {number}"


def describe(path: Path, data: Any, lang: str = "en") -> str:
    """Name the part of the file at ``path`` the way its author thinks of it, in English
    or (``lang="nb"``) in bokmål."""
    described = "spørreskjemaet" if lang == "nb" else "the questionnaire"
    node = data
    for i, segment in enumerate(path):
        if isinstance(node, list):
            node = node[segment] if isinstance(segment, int) else None
        else:
            node = node[segment] if isinstance(node, dict) else None
        parent = path[i - 1] if i else None
        if isinstance(segment, int) and isinstance(parent, str):
            kind = parent if parent in _NAMES else ""
            ident = node.get("id") or node.get("code") if isinstance(node, dict) else None
            described = _name(kind, ident, segment + 1, lang)
        elif parent == "scales":
            described = _name("scale", str(segment), 0, lang)
        elif parent == "choice_lists":
            described = _name("choice list", str(segment), 0, lang)
        if isinstance(segment, int) and i >= 2 and path[i - 2] == "choice_lists":
            ident = node.get("code") if isinstance(node, dict) else None
            described = _name("choices", ident, segment + 1, lang)
    return described


def _translate(err: Any, path: Path, model: type[BaseModel] | None, source: Source) -> Problem:
    kind = err["type"]
    key = path[-1] if path else ""
    where = describe(path[:-1], source.data)
    hvor = describe(path[:-1], source.data, "nb")
    if kind == "extra_forbidden":
        allowed = sorted(model.model_fields) if model else []
        guess = difflib.get_close_matches(str(key), allowed, n=1)
        suggestion = f"; did you mean '{guess[0]}'?" if guess else ""
        forslag = f"; mente du '{guess[0]}'?" if guess else ""
        hint = f"valid keys here: {', '.join(allowed)}"
        hint_nb = f"gyldige nøkler her: {', '.join(allowed)}"
        if " " in str(key):
            hint = "a ',' inside {...} starts a new key: put the whole text in quotes; " + hint
            hint_nb = (
                "en ',' inne i {...} begynner en ny nøkkel: sett hele teksten i "
                "anførselstegn; " + hint_nb
            )
        return error(
            source.position(path, key=True),
            f"unknown key '{key}' in {where}{suggestion}",
            hint,
            nb=f"ukjent nøkkel '{key}' i {hvor}{forslag}",
            hint_nb=hint_nb,
        )
    if kind == "missing":
        return error(
            source.position(path[:-1], key=True),
            f"{where} is missing the required key '{key}'",
            f"add '{key}: ...' to {where}",
            nb=f"{hvor} mangler den obligatoriske nøkkelen '{key}'",
            hint_nb=f"legg til '{key}: ...' i {hvor}",
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        types_ = sorted(QUESTION_TYPES)
        given = err.get("ctx", {}).get("tag")
        where = describe(path, source.data)
        hvor = describe(path, source.data, "nb")
        if kind == "union_tag_not_found":
            return error(
                source.position(path),
                f"{where} has no 'type'",
                f"add 'type:' with one of: {', '.join(types_)}",
                nb=f"{hvor} har ingen 'type'",
                hint_nb=f"legg til 'type:' med en av: {', '.join(types_)}",
            )
        guess = difflib.get_close_matches(str(given), types_, n=1)
        suggestion = f"; did you mean '{guess[0]}'?" if guess else ""
        forslag = f"; mente du '{guess[0]}'?" if guess else ""
        return error(
            source.position(path + ("type",)),
            f"unknown question type '{given}' in {where}{suggestion}",
            f"valid types: {', '.join(types_)}",
            nb=f"ukjent spørsmålstype '{given}' i {hvor}{forslag}",
            hint_nb=f"gyldige typer: {', '.join(types_)}",
        )
    if kind == "literal_error" and "[key]" in err["loc"]:
        expected = err.get("ctx", {}).get("expected", "")
        return error(
            source.position(path, key=True),
            f"'{key}' is not a language code",
            f"use one of: {expected}",
            nb=f"'{key}' er ikke en språkkode",
            hint_nb=f"bruk en av: {_or_nb(expected)}",
        )
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return error(
            source.position(path),
            f"'{key}' in {where} cannot be {err['input']!r}",
            f"use one of: {expected}",
            nb=f"'{key}' i {hvor} kan ikke være {err['input']!r}",
            hint_nb=f"bruk en av: {_or_nb(expected)}",
        )
    if kind in _KINDS or kind.endswith("_type"):
        expected = _KINDS.get(kind, kind.removesuffix("_type"))
        expected_nb = _KINDS_NB.get(kind, kind.removesuffix("_type"))
        label = f"'{key}'" if isinstance(key, str) and key else f"entry {key}"
        label_nb = f"'{key}'" if isinstance(key, str) and key else f"oppføring {key}"
        value = err["input"]
        return error(
            source.position(path),
            f"{label} in {where} must be {expected}, not {_kind_of(value)}",
            _HINTS.get(kind, FORMAT_HINT),
            nb=f"{label_nb} i {hvor} må være {expected_nb}, ikke {_kind_of(value, 'nb')}",
            hint_nb=_HINTS_NB.get(kind, FORMAT_HINT_NB),
        )
    return error(
        source.position(path),
        f"{where}: {err['msg']}",
        "see docs/questionnaire-format.md",
        nb=f"{hvor}: {err['msg']} (pydantics beskrivelse)",
        hint_nb="se docs/questionnaire-format.md",
    )


def _or_nb(expected: str) -> str:
    """pydantic's list of allowed values ("'nb', 'nn' or 'en'") in bokmål."""
    return expected.replace(" or ", " eller ")


def _kind_of(value: Any, lang: str = "en") -> str:
    nb = lang == "nb"
    if value is None:
        return "tom" if nb else "empty"
    if isinstance(value, bool):
        return f"{'den logiske verdien' if nb else 'the boolean'} {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"{'tallet' if nb else 'the number'} {value}"
    if isinstance(value, str):
        return f"{'teksten' if nb else 'the text'} {value!r}"
    if isinstance(value, list):
        return "en liste" if nb else "a list"
    return "'nøkkel: verdi'-linjer" if nb else "a mapping"
