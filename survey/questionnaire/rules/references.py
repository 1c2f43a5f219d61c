"""References between parts of a file: scales, choice lists, roles, index and pair items."""

from __future__ import annotations

from typing import Any

from survey.questionnaire.rules.context import Context, did_you_mean, listing
from survey.questionnaire.yamlsource import Path


def check(ctx: Context) -> None:
    _scales(ctx)
    for name, choices in ctx.data.get("choice_lists", {}).items():
        if not choices:
            ctx.error(
                ("choice_lists", name),
                f"choice list '{name}' is empty",
                "add at least two options with 'code:' and 'label:'",
            )
    roles = ctx.roles()
    if not ctx.data["pages"]:
        ctx.error(("pages",), "the questionnaire has no pages", "add a page with questions")
    for p, page in enumerate(ctx.data["pages"]):
        _audience(ctx, ("pages", p), page, roles)
        if not page["questions"]:
            ctx.error(
                ("pages", p, "questions"),
                f"page '{page['id']}' has no questions",
                "add questions to it or remove the page",
            )
    for path, question, _ in ctx.questions():
        _audience(ctx, path, question, roles)
        _question(ctx, path, question)
    _role_question(ctx, roles)
    _residual_roles(ctx)
    _indexes(ctx)
    _pairs(ctx)


def _residual_roles(ctx: Context) -> None:
    declared = ctx.data.get("roles", [])
    if declared and all(role.get("residual") is True for role in declared):
        ctx.error(
            ("roles", 0, "residual"),
            "every role is residual, so no answer would ever be reported",
            "mark only a catch-all role such as 'annet' as residual",
        )


def _scales(ctx: Context) -> None:
    for name, scale in ctx.data.get("scales", {}).items():
        path = ("scales", name)
        if scale["points"] < 2:
            ctx.error(
                path + ("points",),
                f"scale '{name}' has {scale['points']} point(s); a scale needs at least two",
                "set 'points:' to the number of scale steps, e.g. 6 for 1-6",
            )
            continue
        start = scale.get("start", 1)
        end = start + scale["points"] - 1
        for point in scale.get("labels", {}):
            if not start <= point <= end:
                ctx.error(
                    path + ("labels", point),
                    f"label for point {point} is outside scale '{name}' ({start}-{end})",
                    f"label only points {start} to {end}",
                )


def _audience(ctx: Context, path: Path, part: dict[str, Any], roles: list[str]) -> None:
    for i, role in enumerate(part.get("audience") or []):
        if role not in roles:
            ctx.error(
                path + ("audience", i),
                f"unknown role '{role}' in audience{did_you_mean(role, roles)}",
                f"declared roles: {listing(roles)}",
            )
    if part.get("audience") == []:
        ctx.error(
            path + ("audience",),
            "the audience is empty, so nobody would see this",
            "list the roles that should see it, or remove 'audience:'",
        )


def _question(ctx: Context, path: Path, q: dict[str, Any]) -> None:
    kind = q["type"]
    if kind in ("likert", "likert_matrix"):
        scales = list(ctx.data.get("scales", {}))
        if q["scale"] not in scales:
            ctx.error(
                path + ("scale",),
                f"unknown scale '{q['scale']}' in question '{q['id']}'"
                f"{did_you_mean(q['scale'], scales)}",
                f"define it under 'scales:'; defined scales: {listing(scales)}",
            )
        if kind == "likert_matrix" and not q["items"]:
            ctx.error(
                path + ("items",),
                f"likert matrix '{q['id']}' has no items",
                "add statements with 'id:' and 'text:'",
            )
    if kind in ("single_choice", "multiple_choice"):
        choices = q["choices"]
        if isinstance(choices, str):
            lists = list(ctx.data.get("choice_lists", {}))
            if choices not in lists:
                ctx.error(
                    path + ("choices",),
                    f"unknown choice list '{choices}' in question '{q['id']}'"
                    f"{did_you_mean(choices, lists)}",
                    f"define it under 'choice_lists:'; defined lists: {listing(lists)}",
                )
        elif not choices:
            ctx.error(
                path + ("choices",),
                f"question '{q['id']}' has an empty choice list",
                "add at least two options with 'code:' and 'label:'",
            )
        if kind == "single_choice" and isinstance(choices, list):
            for i, choice in enumerate(choices):
                if choice.get("exclusive"):
                    ctx.warning(
                        path + ("choices", i, "exclusive"),
                        f"'exclusive' has no effect in single choice question '{q['id']}'",
                        "only one option can be chosen anyway; remove it",
                    )


def _role_question(ctx: Context, roles: list[str]) -> None:
    role_q = ctx.data.get("role_question")
    if role_q is None:
        return
    entry = ctx.entries.get(role_q)
    if entry is None:
        ctx.error(
            ("role_question",),
            f"role_question refers to unknown question '{role_q}'"
            f"{did_you_mean(role_q, list(ctx.entries))}",
            "name the single choice question in which respondents state their role",
        )
        return
    if entry.kind != "single_choice":
        ctx.error(
            ("role_question",),
            f"role question '{role_q}' is a {entry.kind} question; it must be single_choice",
            "its options are the roles respondents choose between",
        )
        return
    page = ctx.data["pages"][entry.page]
    if any(part.get(key) for part in (entry.question, page) for key in ("audience", "show_if")):
        ctx.error(
            ("role_question",),
            f"role question '{role_q}' must be shown to everyone",
            "remove 'audience' and 'show_if' from it and from its page",
        )
    if entry.question.get("required") is False:
        ctx.error(
            ("role_question",),
            f"role question '{role_q}' must be required",
            "reports are broken down by role, so every respondent must state it",
        )
    for path, question, p in ctx.questions():
        own = entry.order if question is entry.question else None
        if own is not None:
            continue
        target = question if question.get("audience") else page_of(ctx, p)
        if target.get("audience") and p <= entry.page:
            where = path + ("audience",) if question.get("audience") else ("pages", p, "audience")
            ctx.warning(
                where,
                f"the audience of '{question['id']}' depends on the role, which "
                f"'{role_q}' asks on the same page or later",
                "move the question to a page after the role question (in anonymous rounds "
                "the role is only known from that answer)",
            )
    codes = [c["code"] for c in ctx.choices_of(entry.question)]
    choices = entry.question["choices"]
    base = ("choice_lists", choices) if isinstance(choices, str) else entry.path[:-1] + ("choices",)
    for i, code in enumerate(codes):
        if code not in roles:
            ctx.error(
                base + (i, "code"),
                f"option '{code}' of role question '{role_q}' is not a declared role"
                f"{did_you_mean(code, roles)}",
                f"add it under 'roles:' or use one of: {listing(roles)}",
            )
    for i, role in enumerate(roles):
        if role not in codes:
            ctx.warning(
                ("roles", i, "code"),
                f"role '{role}' is not an option of role question '{role_q}'",
                "respondents of this role can then only be identified by invitation",
            )


def page_of(ctx: Context, page: int) -> dict[str, Any]:
    found: dict[str, Any] = ctx.data["pages"][page]
    return found


def _likert_ref(ctx: Context, path: Path, ref: str, what: str) -> dict[str, Any] | None:
    entry = ctx.entries.get(ref)
    if entry is None:
        ctx.error(
            path,
            f"{what} refers to unknown item '{ref}'{did_you_mean(ref, list(ctx.entries))}",
            "use the id of a likert question or a likert matrix statement",
        )
        return None
    if entry.kind == "likert_matrix":
        statements = [item["id"] for item in entry.question.get("items", [])]
        ctx.error(
            path,
            f"{what} includes '{ref}', a likert matrix; list its statements instead",
            f"its statements are: {listing(statements)}",
        )
        return None
    if entry.kind not in ("likert",):
        ctx.error(
            path,
            f"{what} includes '{ref}', a {entry.kind} question; only likert items can be scored",
            "remove it, or make it a likert question",
        )
        return None
    return entry.question


def _indexes(ctx: Context) -> None:
    for i, index in enumerate(ctx.data.get("indexes", [])):
        path = ("indexes", i)
        what = f"index '{index['id']}'"
        if not index["items"]:
            ctx.error(
                path + ("items",), f"{what} has no items", "list the likert item ids it averages"
            )
            continue
        scales = set()
        for j, ref in enumerate(index["items"]):
            if index["items"].index(ref) != j:
                ctx.error(path + ("items", j), f"{what} lists '{ref}' twice", "list each item once")
            question = _likert_ref(ctx, path + ("items", j), ref, what)
            if question is not None:
                scales.add(question["scale"])
        if len(scales) > 1:
            ctx.error(
                path + ("items",),
                f"{what} mixes scales ({', '.join(sorted(scales))})",
                "an index averages items on one scale",
            )
        n = len(index["items"])
        minimum = index.get("min_answered")
        if minimum is not None and not 1 <= minimum <= n:
            ctx.error(
                path + ("min_answered",),
                f"min_answered {minimum} of {what} must be between 1 and {n} (its number of items)",
                "it is how many items a respondent must answer to get an index score",
            )
        scale = ctx.data.get("scales", {}).get(next(iter(scales))) if len(scales) == 1 else None
        target = index.get("target")
        if scale and target is not None and scale["points"] >= 2:
            low = scale.get("start", 1)
            high = low + scale["points"] - 1
            if not low <= target <= high:
                ctx.error(
                    path + ("target",),
                    f"target {target} of {what} is outside its scale ({low}-{high})",
                    f"set a target between {low} and {high}, e.g. 4.5",
                )


def _pairs(ctx: Context) -> None:
    for i, pair in enumerate(ctx.data.get("quality_pairs", [])):
        path = ("quality_pairs", i)
        what = f"quality pair '{pair['id']}'"
        f = _likert_ref(ctx, path + ("expectation",), pair["expectation"], what)
        lev = _likert_ref(ctx, path + ("experience",), pair["experience"], what)
        if f is not None and lev is not None and _span(ctx, f) != _span(ctx, lev):
            ctx.error(
                path,
                f"{what} pairs items on scales of different range ({f['scale']}, {lev['scale']})",
                "K = L / F divides one by the other: both scales need the same points",
            )
        for ref, question in (("expectation", f), ("experience", lev)):
            if not question:
                continue
            scale = ctx.scale_of(question)
            if scale and scale.get("start", 1) < 1:
                ctx.error(
                    path + (ref,),
                    f"{what} uses scale '{question['scale']}', which includes 0 or below",
                    "K = L / F divides by the expectation: use a scale starting at 1",
                )
        if pair["expectation"] == pair["experience"]:
            ctx.error(
                path + ("experience",),
                f"{what} uses the same item for expectation and experience",
                "expectation (F) and experience (L) are two different statements",
            )


def _span(ctx: Context, question: dict[str, Any]) -> tuple[int, int] | None:
    """Scales with the same points may carry different labels ("viktig", "fornøyd")."""
    scale = ctx.scale_of(question)
    return (scale.get("start", 1), scale["points"]) if scale else None
