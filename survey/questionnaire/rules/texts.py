"""Texts with translations: the main language is required, declared translations expected."""

from __future__ import annotations

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
    wanted = ctx.data.get("translations", [])
    for path, text in _texts(ctx.data, ()):
        if isinstance(text, dict):
            if main not in text:
                ctx.error(
                    path,
                    f"this text has no '{main}' version, the questionnaire's language",
                    f"add '{main}: ...' to it",
                )
            missing = [lang for lang in wanted if lang not in text]
        else:
            missing = list(wanted)
        if missing:
            ctx.warning(
                path,
                f"no {', '.join(missing)} translation of this text",
                f"write it as a mapping, e.g. {main}: ... / {missing[0]}: ...",
            )


def _texts(node: Any, path: Path):
    if isinstance(node, dict):
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
