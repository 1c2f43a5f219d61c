"""Limits on answers (ranges, lengths, how many options: each must leave room for an
answer), and the bounds on every number and size in a file.

The bounds are generous for a real questionnaire and keep a hostile or mistyped one from
breaking the app: a scale of 3,000,000 points once made one page view build 497 MB of HTML.
docs/questionnaire-format.md lists each of them; the digits of a number are bounded as the
YAML is read (yamlsource.MAX_DIGITS), a condition's length and nesting as it is parsed
(conditions.MAX_LENGTH, MAX_DEPTH).
"""

from __future__ import annotations

from typing import Any

from survey.questionnaire import conditions
from survey.questionnaire.rules.context import Context, tall
from survey.questionnaire.shape import describe
from survey.questionnaire.yamlsource import MAX_DIGITS, MAX_SOURCE_BYTES, Path

NUMBER_ONLY = ("min", "max", "unit")

MAX_POINTS = 20  # points of a scale (0-10 needs 11)
MAX_START = 100  # how far from 0 a scale may start
MAX_NOT_SCORED = 10  # 'Vet ikke' and the like, per scale
MAX_CHOICES = 100  # options of a question or a choice list
MAX_ITEMS = 100  # statements of a likert matrix
MAX_QUESTIONS = 500  # questions in the whole questionnaire (also the items of an index)
MAX_PAGES = 100
MAX_PARTS = 100  # each of: roles, scales, choice lists, indexes, quality pairs
MAX_TEXT = 5000  # characters of any text
MAX_NAME = 64  # characters of an id, a code, a scale's or choice list's name, a version text
MAX_VERSION = 1_000_000  # a version number: 0 to this
MAX_ANSWER_LENGTH = 10_000  # max_length of a text answer (long_text defaults to 5,000)
MAX_NUMBER = 1_000_000_000_000  # min and max of a number answer: within -this..this

BOUNDS: list[tuple[str, str]] = [
    ("size of the file", f"at most {MAX_SOURCE_BYTES // 1000:,} kB"),
    ("digits of any number", f"at most {MAX_DIGITS}"),
    ("`points` of a scale", f"2 to {MAX_POINTS}"),
    ("`start` of a scale", f"-{MAX_START} to {MAX_START}"),
    ("`not_scored` options of a scale", f"at most {MAX_NOT_SCORED}"),
    ("options of a question or choice list", f"at most {MAX_CHOICES}"),
    ("statements (`items`) of a likert matrix", f"at most {MAX_ITEMS}"),
    ("questions in the questionnaire", f"at most {MAX_QUESTIONS}"),
    ("`items` of an index", f"at most {MAX_QUESTIONS}"),
    ("pages", f"at most {MAX_PAGES}"),
    ("roles, scales, choice lists, indexes, quality pairs", f"at most {MAX_PARTS} of each"),
    ("characters of a text (each language)", f"at most {MAX_TEXT:,}"),
    (
        "characters of an id, a code, a scale's or choice list's name, a `version` text",
        f"at most {MAX_NAME}",
    ),
    ("`version` as a number", f"0 to {MAX_VERSION:,}"),
    ("`max_length`", f"1 to {MAX_ANSWER_LENGTH:,}"),
    ("`max_choices`", "1 to the number of options"),
    ("`min` and `max` of a number question or specify", f"-{MAX_NUMBER:,} to {MAX_NUMBER:,}"),
    ("characters of a `show_if` condition", f"at most {conditions.MAX_LENGTH:,}"),
    ("parentheses and `not` nested in a condition", f"at most {conditions.MAX_DEPTH} levels"),
]
"""Every bound, as docs/questionnaire-format.md lists them (also those checked as the file
is read and as conditions are parsed)."""

_NAMES = ("id", "code")
_PARTS_NB = {
    "roles": "roller",
    "scales": "skalaer",
    "choice_lists": "svarlister",
    "indexes": "indekser",
    "quality_pairs": "kvalitetspar",
}


def check(ctx: Context) -> None:
    _sizes(ctx)
    _texts(ctx, (), ctx.data)
    version = ctx.data["version"]
    if isinstance(version, int) and not 0 <= version <= MAX_VERSION:
        ctx.error(
            ("version",),
            f"version {version} is outside 0 to {MAX_VERSION:,}",
            "number versions 1, 2, 3 ... or write a short text such as '2024-1'",
            nb=f"versjon {version} ligger utenfor 0 til {tall(MAX_VERSION)}",
            hint_nb="nummerer versjonene 1, 2, 3 ... eller skriv en kort tekst som '2024-1'",
        )
    for path, question, _ in ctx.questions():
        kind = question["type"]
        if kind == "number":
            _bounds(ctx, path, question)
        if kind in ("text", "long_text"):
            _max_length(ctx, path, question)
        if kind == "multiple_choice" and question.get("max_choices") is not None:
            n = len(ctx.choices_of(question))
            if not 1 <= question["max_choices"] <= max(n, 1):
                ctx.error(
                    path + ("max_choices",),
                    f"max_choices {question['max_choices']} of question '{question['id']}' "
                    f"must be between 1 and {n} (its number of options)",
                    "it is the most options a respondent may tick; leave it out for no limit",
                    nb=f"max_choices {question['max_choices']} i spørsmålet "
                    f"'{question['id']}' må være mellom 1 og {n} (antall svaralternativer)",
                    hint_nb="det er hvor mange svaralternativer en kan krysse av for; utelat "
                    "den for ingen grense",
                )
        if isinstance(question.get("choices"), list):
            _specifies(ctx, path + ("choices",), question["choices"])
    for name, choices in ctx.data.get("choice_lists", {}).items():
        _specifies(ctx, ("choice_lists", name), choices)
    for name, scale in ctx.data.get("scales", {}).items():
        for i, choice in enumerate(scale.get("not_scored", [])):
            for key in ("specify", "exclusive"):
                if choice.get(key):
                    ctx.error(
                        ("scales", name, "not_scored", i, key),
                        f"'{key}' has no effect on a not-scored option of scale '{name}'",
                        "a not-scored option is a plain answer like 'Vet ikke'; remove it",
                        nb=f"'{key}' har ingen virkning på et svaralternativ som ikke gir "
                        f"poeng (not_scored) i skalaen '{name}'",
                        hint_nb="et slikt svaralternativ er et enkelt svar som 'Vet ikke'; "
                        "fjern den",
                        key=True,
                    )


def _specifies(ctx: Context, path: Path, choices: list[dict[str, Any]]) -> None:
    for i, choice in enumerate(choices):
        spec = choice.get("specify")
        if not isinstance(spec, dict):
            continue
        where = path + (i, "specify")
        kind = spec.get("type", "text")
        wrong = [k for k in (NUMBER_ONLY if kind == "text" else ("max_length",)) if k in spec]
        for key in wrong:
            other = "number" if kind == "text" else "text"
            ctx.error(
                where + (key,),
                f"'{key}' applies to a specify of type {other}, and this one is {kind}",
                f"remove '{key}', or set 'type: {other}'",
                nb=f"'{key}' gjelder specify av typen {other}, og denne er {kind}",
                hint_nb=f"fjern '{key}', eller sett 'type: {other}'",
                key=True,
            )
        if kind == "number":
            _bounds(ctx, where, spec)
        else:
            _max_length(ctx, where, spec)


def _at_most(
    ctx: Context,
    path: Path,
    items: Any,
    limit: int,
    whats: tuple[str, str],
    nouns: tuple[str, str],
    hints: tuple[str, str],
) -> None:
    """An error at the first of ``items`` (a list or mapping at ``path``) over ``limit``."""
    if len(items) <= limit:
        return
    first = list(items)[limit] if isinstance(items, dict) else limit
    (what, what_nb), (noun, noun_nb), (hint, hint_nb) = whats, nouns, hints
    ctx.error(
        path + (first,),
        f"{what} has {len(items):,} {noun}, more than the {limit} allowed",
        hint,
        nb=f"{what_nb} har {tall(len(items))} {noun_nb}, flere enn de {limit} som er tillatt",
        hint_nb=hint_nb,
        key=isinstance(items, dict),
    )


def _sizes(ctx: Context) -> None:
    data = ctx.data
    split = "split it into several questionnaires"
    split_nb = "del det opp i flere spørreskjemaer"
    whole = ("the questionnaire", "spørreskjemaet")
    for key in ("roles", "scales", "choice_lists", "indexes", "quality_pairs"):
        noun = (key.replace("_", " "), _PARTS_NB[key])
        items = data.get(key, [])
        _at_most(ctx, (key,), items, MAX_PARTS, whole, noun, (split, split_nb))
    _at_most(
        ctx, ("pages",), data["pages"], MAX_PAGES, whole, ("pages", "sider"), (split, split_nb)
    )
    questions = ctx.questions()
    if len(questions) > MAX_QUESTIONS:
        ctx.error(
            questions[MAX_QUESTIONS][0],
            f"the questionnaire has {len(questions):,} questions, more than the "
            f"{MAX_QUESTIONS} allowed",
            split,
            nb=f"spørreskjemaet har {tall(len(questions))} spørsmål, flere enn de {MAX_QUESTIONS} "
            "som er tillatt",
            hint_nb=split_nb,
        )
    for name, scale in data.get("scales", {}).items():
        path: Path = ("scales", name)
        if scale["points"] > MAX_POINTS:
            ctx.error(
                path + ("points",),
                f"scale '{name}' has {scale['points']:,} points, more than the "
                f"{MAX_POINTS} allowed",
                "a rating scale has a handful of steps, e.g. 6 for 1-6 or 11 for 0-10",
                nb=f"skalaen '{name}' har {tall(scale['points'])} punkter, flere enn de "
                f"{MAX_POINTS} som er tillatt",
                hint_nb="en vurderingsskala har en håndfull trinn, for eksempel 6 for 1-6 "
                "eller 11 for 0-10",
            )
        if abs(scale.get("start", 1)) > MAX_START:
            ctx.error(
                path + ("start",),
                f"scale '{name}' starts at {scale['start']:,}, outside -{MAX_START} to {MAX_START}",
                "a scale starts at 1 (or 0), and 'start:' can usually be left out",
                nb=f"skalaen '{name}' begynner på {tall(scale['start'])}, utenfor -{MAX_START} "
                f"til {MAX_START}",
                hint_nb="en skala begynner på 1 (eller 0), og 'start:' kan som regel utelates",
            )
        _at_most(
            ctx,
            path + ("not_scored",),
            scale.get("not_scored", []),
            MAX_NOT_SCORED,
            (f"scale '{name}'", f"skalaen '{name}'"),
            ("not-scored options", "svaralternativer uten poeng (not_scored)"),
            (
                "keep one or two, such as 'Vet ikke' and 'Ikke aktuelt'",
                "behold ett eller to, som 'Vet ikke' og 'Ikke aktuelt'",
            ),
        )
    fewer = (
        "a respondent reads every option: group them, or ask in several questions",
        "den som svarer, leser hvert svaralternativ: slå dem sammen i grupper, eller spør i "
        "flere spørsmål",
    )
    options = ("options", "svaralternativer")
    for name, choices in data.get("choice_lists", {}).items():
        _at_most(
            ctx,
            ("choice_lists", name),
            choices,
            MAX_CHOICES,
            (f"choice list '{name}'", f"svarlisten '{name}'"),
            options,
            fewer,
        )
    for path, question, _ in questions:
        what = (f"question '{question['id']}'", f"spørsmålet '{question['id']}'")
        if isinstance(question.get("choices"), list):
            _at_most(
                ctx, path + ("choices",), question["choices"], MAX_CHOICES, what, options, fewer
            )
        if question["type"] == "likert_matrix":
            _at_most(
                ctx,
                path + ("items",),
                question["items"],
                MAX_ITEMS,
                (f"likert matrix '{question['id']}'", f"likert-matrisen '{question['id']}'"),
                ("statements", "påstander"),
                (
                    "split the matrix into several, one per topic",
                    "del matrisen opp i flere, én per tema",
                ),
            )
    for i, index in enumerate(data.get("indexes", [])):
        _at_most(
            ctx,
            ("indexes", i, "items"),
            index["items"],
            MAX_QUESTIONS,
            (f"index '{index['id']}'", f"indeksen '{index['id']}'"),
            ("items", "elementer"),
            ("list each item once", "ta med hvert element én gang"),
        )


def _texts(ctx: Context, path: Path, value: Any) -> None:
    """Every text at most MAX_TEXT characters; ids, codes, names and versions MAX_NAME."""
    if isinstance(value, dict):
        for key, item in value.items():
            if path in (("scales",), ("choice_lists",)) and len(str(key)) > MAX_NAME:
                kind = "scale" if path == ("scales",) else "choice list"
                kind_nb = "skala" if path == ("scales",) else "svarliste"
                ctx.error(
                    path + (key,),
                    f"a {kind} name has {len(str(key)):,} characters, more than the "
                    f"{MAX_NAME} allowed",
                    "use a short name such as 'enighet' or 'ja_nei'",
                    nb=f"et navn på en {kind_nb} har {tall(len(str(key)))} tegn, flere enn de "
                    f"{MAX_NAME} som er tillatt",
                    hint_nb="bruk et kort navn som 'enighet' eller 'ja_nei'",
                    key=True,
                )
            _texts(ctx, path + (key,), item)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _texts(ctx, path + (i,), item)
    elif isinstance(value, str) and path and path[-1] != "show_if":
        if path[-1] in _NAMES or path == ("version",):
            if len(value) > MAX_NAME:
                ctx.error(
                    path,
                    f"this {path[-1]} has {len(value):,} characters, more than the "
                    f"{MAX_NAME} allowed",
                    "use a short id or code, e.g. 'q12' or 'ja'",
                    nb=f"denne {path[-1]} har {tall(len(value))} tegn, flere enn de {MAX_NAME} "
                    "som er tillatt",
                    hint_nb="bruk en kort id eller kode, for eksempel 'q12' eller 'ja'",
                )
        elif len(value) > MAX_TEXT:
            ctx.error(
                path,
                f"a text of {describe(path[:-1], ctx.data)} has {len(value):,} characters, "
                f"more than the {MAX_TEXT:,} allowed",
                "shorten it; link to a document for long background material",
                nb=f"en tekst i {describe(path[:-1], ctx.data, 'nb')} har {tall(len(value))} "
                f"tegn, flere enn de {tall(MAX_TEXT)} som er tillatt",
                hint_nb="gjør den kortere; lenk til et dokument for lengre bakgrunnsstoff",
            )


def _bounds(ctx: Context, path: Path, part: dict[str, Any]) -> None:
    outside = [
        key
        for key in ("min", "max")
        if part.get(key) is not None and not -MAX_NUMBER <= part[key] <= MAX_NUMBER
    ]
    for key in outside:
        ctx.error(
            path + (key,),
            f"{key} {part[key]} is outside -{MAX_NUMBER:,} to {MAX_NUMBER:,}",
            "set the smallest and largest answer that makes sense, e.g. min: 0, max: 100",
            nb=f"{key} {part[key]} ligger utenfor -{tall(MAX_NUMBER)} til {tall(MAX_NUMBER)}",
            hint_nb="sett det minste og største svaret som gir mening, for eksempel min: 0, "
            "max: 100",
        )
    if outside:
        return
    low, high = part.get("min"), part.get("max")
    if low is not None and high is not None and low > high:
        ctx.error(
            path + ("min",),
            f"min {low} is greater than max {high}",
            "swap them",
            nb=f"min {low} er større enn max {high}",
            hint_nb="bytt om på dem",
        )


def _max_length(ctx: Context, path: Path, part: dict[str, Any]) -> None:
    if part.get("max_length") is not None and part["max_length"] < 1:
        ctx.error(
            path + ("max_length",),
            f"max_length {part['max_length']} leaves no room for an answer",
            "set it to the most characters allowed, e.g. 500, or leave it out",
            nb=f"max_length {part['max_length']} gir ikke plass til noe svar",
            hint_nb="sett den til det største antallet tegn som er tillatt, for eksempel 500, "
            "eller utelat den",
        )
    elif part.get("max_length") is not None and part["max_length"] > MAX_ANSWER_LENGTH:
        ctx.error(
            path + ("max_length",),
            f"max_length {part['max_length']:,} is more than the {MAX_ANSWER_LENGTH:,} allowed",
            "long_text allows 5,000 characters without a max_length; leave it out, or set "
            "a smaller one",
            nb=f"max_length {tall(part['max_length'])} er mer enn de {tall(MAX_ANSWER_LENGTH)} "
            "som er tillatt",
            hint_nb="long_text tillater 5 000 tegn uten max_length; utelat den, eller sett "
            "en mindre",
        )
