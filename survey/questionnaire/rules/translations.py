"""Texts with translations: the main language is required, declared translations expected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from survey.questionnaire.rules.context import Context
from survey.questionnaire.yamlsource import Path

TEXT_KEYS = {
    "title",
    "text",
    "label",
    "introduction",
    "confidentiality",
    "closing",
    "lead_in",
    "help",
    "required_message",
}


def check(ctx: Context) -> None:
    main = ctx.data.get("language", "nb")
    wanted = [lang for lang in ctx.data.get("translations", []) if lang != main]
    if main in ctx.data.get("translations", []):
        index = ctx.data["translations"].index(main)
        ctx.error(
            ("translations", index),
            f"'{main}' is the questionnaire's own language, not a translation",
            "list only the other languages offered, e.g. translations: [nn, en]",
            nb=f"'{main}' er spørreskjemaets eget språk, ikke en oversettelse",
            hint_nb="list bare opp de andre språkene som tilbys, for eksempel "
            "translations: [nn, en]",
        )
    for path, text in _texts(ctx.data, ()):
        if isinstance(text, dict):
            if main not in text:
                ctx.error(
                    path,
                    f"this text has no '{main}' version, the questionnaire's language",
                    f"add '{main}: ...' to it",
                    nb=f"denne teksten har ingen '{main}'-versjon, som er spørreskjemaets språk",
                    hint_nb=f"legg til '{main}: ...' i den",
                )
            missing = [lang for lang in wanted if lang not in text]
        else:
            missing = list(wanted)
        if missing:
            ctx.warning(
                path,
                f"no {', '.join(missing)} translation of this text",
                f"write it as a mapping, e.g. {main}: ... / {missing[0]}: ...",
                nb=f"denne teksten mangler oversettelse til {', '.join(missing)}",
                hint_nb=f"skriv den med én linje per språk, for eksempel {main}: ... / "
                f"{missing[0]}: ...",
            )


NAMED = {"scales", "choice_lists"}  # their keys are names chosen by the author, not fields


def _texts(node: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    if isinstance(node, dict) and path and path[-1] in NAMED and len(path) == 1:
        for name, value in node.items():
            yield from _texts(value, path + (name,))
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, (str, dict)):
                yield path + (key,), value
            elif key == "labels" and isinstance(value, dict):
                for point, label in value.items():
                    yield path + (key, point), label
            else:
                yield from _texts(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _texts(value, path + (i,))
