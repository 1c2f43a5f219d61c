"""Ids and codes: well-formed and unique, since answers are stored and reported by them."""

from __future__ import annotations

import re
from typing import Any

from survey.questionnaire.rules.context import Context, Entry
from survey.questionnaire.yamlsource import Path

ID = re.compile(r"^[a-z][a-z0-9_]*$")
QUESTIONNAIRE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
ID_HINT = (
    "use lowercase a-z, digits and '_', starting with a letter (write 'o' for 'ø', 'aa' for 'å')"
)
ID_HINT_NB = (
    "bruk små bokstaver a-z, sifre og '_', og begynn med en bokstav (skriv 'o' for 'ø', 'aa' "
    "for 'å')"
)
# What _unique is given, in bokmål: the thing (definite form) and what each needs its own of
_NB = {
    "page id": ("side-id-en", "id"),
    "role code": ("rollekoden", "kode"),
    "index id": ("indeks-id-en", "id"),
    "quality pair id": ("kvalitetspar-id-en", "id"),
    "respondent attribute id": ("id-en til opplysningen om den som svarer", "id"),
}


def check(ctx: Context) -> None:
    if not QUESTIONNAIRE_ID.match(ctx.data["id"]):
        ctx.error(
            ("id",),
            f"questionnaire id '{ctx.data['id']}' is not a valid id",
            "use lowercase a-z, digits, '-' and '_', e.g. kvalitetskommune-2009",
            nb=f"spørreskjemaets id '{ctx.data['id']}' er ikke en gyldig id",
            hint_nb="bruk små bokstaver a-z, sifre, '-' og '_', for eksempel kvalitetskommune-2009",
        )
    _register_entries(ctx)
    _unique(
        ctx, "page id", [(("pages", i, "id"), p["id"]) for i, p in enumerate(ctx.data["pages"])]
    )
    _unique(
        ctx,
        "role code",
        [(("roles", i, "code"), r["code"]) for i, r in enumerate(ctx.data.get("roles", []))],
    )
    _unique(
        ctx,
        "index id",
        [(("indexes", i, "id"), x["id"]) for i, x in enumerate(ctx.data.get("indexes", []))],
    )
    _unique(
        ctx,
        "quality pair id",
        [
            (("quality_pairs", i, "id"), x["id"])
            for i, x in enumerate(ctx.data.get("quality_pairs", []))
        ],
    )
    _unique(
        ctx,
        "respondent attribute id",
        [
            (("respondent_attributes", i, "id"), x["id"])
            for i, x in enumerate(ctx.data.get("respondent_attributes", []))
        ],
    )
    for name, choices in ctx.data.get("choice_lists", {}).items():
        _codes(ctx, ("choice_lists", name), choices)
    for name, scale in ctx.data.get("scales", {}).items():
        _codes(ctx, ("scales", name, "not_scored"), scale.get("not_scored", []))
    for path, question, _ in ctx.questions():
        if isinstance(question.get("choices"), list):
            _codes(ctx, path + ("choices",), question["choices"])


def _register_entries(ctx: Context) -> None:
    """Questions and matrix statements share one namespace: both are answer columns."""
    order = 0
    for path, question, page in ctx.questions():
        ids = [(path + ("id",), question["id"], question["type"])]
        for i, item in enumerate(
            question.get("items", []) if question["type"] == "likert_matrix" else []
        ):
            ids.append((path + ("items", i, "id"), item["id"], "likert"))
        for id_path, ident, kind in ids:
            if not ID.match(ident):
                ctx.error(
                    id_path,
                    f"id '{ident}' is not a valid id",
                    ID_HINT,
                    nb=f"id-en '{ident}' er ikke en gyldig id",
                    hint_nb=ID_HINT_NB,
                )
            if ident in ctx.entries:
                first = ctx.source.position(ctx.entries[ident].path)
                ctx.error(
                    id_path,
                    f"duplicate id '{ident}' (first used at line {first.line})",
                    "every question and matrix statement needs its own id",
                    nb=f"id-en '{ident}' er brukt før (første gang på linje {first.line})",
                    hint_nb="hvert spørsmål og hver påstand i en matrise trenger sin egen id",
                )
                continue
            ctx.entries[ident] = Entry(ident, id_path, question, order, page, kind)
        order += 1


def _unique(ctx: Context, what: str, ids: list[tuple[Path, str]]) -> None:
    seen: dict[str, Path] = {}
    what_nb, own_nb = _NB[what]
    for path, ident in ids:
        if not ID.match(ident):
            ctx.error(
                path,
                f"{what} '{ident}' is not valid",
                ID_HINT,
                nb=f"{what_nb} '{ident}' er ikke gyldig",
                hint_nb=ID_HINT_NB,
            )
        if ident in seen:
            line = ctx.source.position(seen[ident]).line
            ctx.error(
                path,
                f"duplicate {what} '{ident}' (first used at line {line})",
                f"each one needs its own {what.split()[-1]}",
                nb=f"{what_nb} '{ident}' er brukt før (første gang på linje {line})",
                hint_nb=f"hver av dem trenger sin egen {own_nb}",
            )
        seen.setdefault(ident, path)


def _codes(ctx: Context, path: Path, choices: list[dict[str, Any]]) -> None:
    seen: dict[str, int] = {}
    for i, choice in enumerate(choices):
        code = choice["code"]
        if not ID.match(code):
            ctx.error(
                path + (i, "code"),
                f"choice code '{code}' is not a valid code",
                ID_HINT,
                nb=f"svarkoden '{code}' er ikke en gyldig kode",
                hint_nb=ID_HINT_NB,
            )
        if code in seen:
            line = ctx.source.position(path + (seen[code], "code")).line
            ctx.error(
                path + (i, "code"),
                f"duplicate choice code '{code}' (first used at line {line})",
                "codes are stored with the answers, so each option needs its own",
                nb=f"svarkoden '{code}' er brukt før (første gang på linje {line})",
                hint_nb="kodene lagres med svarene, så hvert svaralternativ trenger sin egen",
            )
        seen.setdefault(code, i)
