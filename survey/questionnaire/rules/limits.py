"""Limits on answers: ranges, lengths, how many options. Each must leave room for an answer."""

from __future__ import annotations

from typing import Any

from survey.questionnaire.rules.context import Context
from survey.questionnaire.yamlsource import Path

NUMBER_ONLY = ("min", "max", "unit")


def check(ctx: Context) -> None:
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
                key=True,
            )
        if kind == "number":
            _bounds(ctx, where, spec)
        else:
            _max_length(ctx, where, spec)


def _bounds(ctx: Context, path: Path, part: dict[str, Any]) -> None:
    low, high = part.get("min"), part.get("max")
    if low is not None and high is not None and low > high:
        ctx.error(path + ("min",), f"min {low} is greater than max {high}", "swap them")


def _max_length(ctx: Context, path: Path, part: dict[str, Any]) -> None:
    if part.get("max_length") is not None and part["max_length"] < 1:
        ctx.error(
            path + ("max_length",),
            f"max_length {part['max_length']} leaves no room for an answer",
            "set it to the most characters allowed, e.g. 500, or leave it out",
        )
