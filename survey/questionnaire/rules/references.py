"""References between parts of a file: scales, choice lists, roles, index and pair items."""

from __future__ import annotations

from typing import Any

from survey.questionnaire.rules.context import (
    Context,
    did_you_mean,
    liste,
    listing,
    mente_du,
)
from survey.questionnaire.yamlsource import Path


def check(ctx: Context) -> None:
    _scales(ctx)
    for name, choices in ctx.data.get("choice_lists", {}).items():
        if not choices:
            ctx.error(
                ("choice_lists", name),
                f"choice list '{name}' is empty",
                "add at least two options with 'code:' and 'label:'",
                nb=f"svarlisten '{name}' er tom",
                hint_nb="legg til minst to svaralternativer med 'code:' og 'label:'",
            )
    roles = ctx.roles()
    if not ctx.data["pages"]:
        ctx.error(
            ("pages",),
            "the questionnaire has no pages",
            "add a page with questions",
            nb="spørreskjemaet har ingen sider",
            hint_nb="legg til en side med spørsmål",
        )
    for p, page in enumerate(ctx.data["pages"]):
        _audience(ctx, ("pages", p), page, roles)
        if not page["questions"]:
            ctx.error(
                ("pages", p, "questions"),
                f"page '{page['id']}' has no questions",
                "add questions to it or remove the page",
                nb=f"siden '{page['id']}' har ingen spørsmål",
                hint_nb="legg til spørsmål på den, eller fjern siden",
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
            nb="alle rollene er merket residual, så ingen svar ville noen gang bli rapportert",
            hint_nb="merk bare en samlerolle som 'annet' som residual",
        )


def _scales(ctx: Context) -> None:
    for name, scale in ctx.data.get("scales", {}).items():
        path = ("scales", name)
        if scale["points"] < 2:
            ctx.error(
                path + ("points",),
                f"scale '{name}' has {scale['points']} point(s); a scale needs at least two",
                "set 'points:' to the number of scale steps, e.g. 6 for 1-6",
                nb=f"skalaen '{name}' har {scale['points']} punkt; en skala trenger minst to",
                hint_nb="sett 'points:' til antall trinn på skalaen, for eksempel 6 for 1-6",
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
                    nb=f"etiketten for punkt {point} ligger utenfor skalaen '{name}' "
                    f"({start}-{end})",
                    hint_nb=f"gi etiketter bare til punktene {start} til {end}",
                )


def _audience(ctx: Context, path: Path, part: dict[str, Any], roles: list[str]) -> None:
    for i, role in enumerate(part.get("audience") or []):
        if role not in roles:
            ctx.error(
                path + ("audience", i),
                f"unknown role '{role}' in audience{did_you_mean(role, roles)}",
                f"declared roles: {listing(roles)}",
                nb=f"ukjent rolle '{role}' i audience{mente_du(role, roles)}",
                hint_nb=f"rollene som er definert: {liste(roles)}",
            )
    if part.get("audience") == []:
        ctx.error(
            path + ("audience",),
            "the audience is empty, so nobody would see this",
            "list the roles that should see it, or remove 'audience:'",
            nb="audience er tom, så ingen ville se dette",
            hint_nb="list opp rollene som skal se det, eller fjern 'audience:'",
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
                nb=f"ukjent skala '{q['scale']}' i spørsmålet '{q['id']}'"
                f"{mente_du(q['scale'], scales)}",
                hint_nb=f"definer den under 'scales:'; skalaer som er definert: {liste(scales)}",
            )
        if kind == "likert_matrix" and not q["items"]:
            ctx.error(
                path + ("items",),
                f"likert matrix '{q['id']}' has no items",
                "add statements with 'id:' and 'text:'",
                nb=f"likert-matrisen '{q['id']}' har ingen påstander (items)",
                hint_nb="legg til påstander med 'id:' og 'text:'",
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
                    nb=f"ukjent svarliste '{choices}' i spørsmålet '{q['id']}'"
                    f"{mente_du(choices, lists)}",
                    hint_nb="definer den under 'choice_lists:'; svarlister som er definert: "
                    f"{liste(lists)}",
                )
        elif not choices:
            ctx.error(
                path + ("choices",),
                f"question '{q['id']}' has an empty choice list",
                "add at least two options with 'code:' and 'label:'",
                nb=f"spørsmålet '{q['id']}' har en tom liste med svaralternativer",
                hint_nb="legg til minst to svaralternativer med 'code:' og 'label:'",
            )
        if kind == "single_choice" and isinstance(choices, list):
            for i, choice in enumerate(choices):
                if choice.get("exclusive"):
                    ctx.warning(
                        path + ("choices", i, "exclusive"),
                        f"'exclusive' has no effect in single choice question '{q['id']}'",
                        "only one option can be chosen anyway; remove it",
                        nb=f"'exclusive' har ingen virkning i enkeltvalgsspørsmålet '{q['id']}'",
                        hint_nb="det kan uansett bare velges ett svaralternativ; fjern den",
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
            nb=f"role_question viser til et ukjent spørsmål '{role_q}'"
            f"{mente_du(role_q, list(ctx.entries))}",
            hint_nb="oppgi enkeltvalgsspørsmålet (single_choice) der den som svarer, "
            "oppgir rollen sin",
        )
        return
    if entry.kind != "single_choice":
        ctx.error(
            ("role_question",),
            f"role question '{role_q}' is a {entry.kind} question; it must be single_choice",
            "its options are the roles respondents choose between",
            nb=f"rollespørsmålet '{role_q}' er et {entry.kind}-spørsmål; det må være single_choice",
            hint_nb="svaralternativene er rollene de som svarer, velger mellom",
        )
        return
    page = ctx.data["pages"][entry.page]
    if any(part.get(key) for part in (entry.question, page) for key in ("audience", "show_if")):
        ctx.error(
            ("role_question",),
            f"role question '{role_q}' must be shown to everyone",
            "remove 'audience' and 'show_if' from it and from its page",
            nb=f"rollespørsmålet '{role_q}' må vises til alle",
            hint_nb="fjern 'audience' og 'show_if' fra spørsmålet og fra siden det står på",
        )
    if entry.question.get("required") is False:
        ctx.error(
            ("role_question",),
            f"role question '{role_q}' must be required",
            "reports are broken down by role, so every respondent must state it",
            nb=f"rollespørsmålet '{role_q}' må være obligatorisk (required)",
            hint_nb="rapportene deles opp etter rolle, så alle som svarer, må oppgi den",
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
                nb=f"hvem som ser '{question['id']}' (audience), avhenger av rollen, som "
                f"'{role_q}' spør om på samme side eller senere",
                hint_nb="flytt spørsmålet til en side etter rollespørsmålet (i anonyme runder "
                "er rollen bare kjent fra det svaret)",
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
                nb=f"svaralternativet '{code}' i rollespørsmålet '{role_q}' er ikke en "
                f"definert rolle{mente_du(code, roles)}",
                hint_nb=f"legg den til under 'roles:' eller bruk en av: {liste(roles)}",
            )
    for i, role in enumerate(roles):
        if role not in codes:
            ctx.warning(
                ("roles", i, "code"),
                f"role '{role}' is not an option of role question '{role_q}'",
                "respondents of this role can then only be identified by invitation",
                nb=f"rollen '{role}' er ikke et svaralternativ i rollespørsmålet '{role_q}'",
                hint_nb="de som svarer i denne rollen, kan da bare kjennes igjen på invitasjonen",
            )


def page_of(ctx: Context, page: int) -> dict[str, Any]:
    found: dict[str, Any] = ctx.data["pages"][page]
    return found


def _likert_ref(
    ctx: Context, path: Path, ref: str, what: str, what_nb: str
) -> dict[str, Any] | None:
    entry = ctx.entries.get(ref)
    if entry is None:
        ctx.error(
            path,
            f"{what} refers to unknown item '{ref}'{did_you_mean(ref, list(ctx.entries))}",
            "use the id of a likert question or a likert matrix statement",
            nb=f"{what_nb} viser til et ukjent element '{ref}'{mente_du(ref, list(ctx.entries))}",
            hint_nb="bruk id-en til et likert-spørsmål eller en påstand i en likert-matrise",
        )
        return None
    if entry.kind == "likert_matrix":
        statements = [item["id"] for item in entry.question.get("items", [])]
        ctx.error(
            path,
            f"{what} includes '{ref}', a likert matrix; list its statements instead",
            f"its statements are: {listing(statements)}",
            nb=f"{what_nb} tar med '{ref}', som er en likert-matrise; list opp påstandene i stedet",
            hint_nb=f"påstandene er: {liste(statements)}",
        )
        return None
    if entry.kind not in ("likert",):
        ctx.error(
            path,
            f"{what} includes '{ref}', a {entry.kind} question; only likert items can be scored",
            "remove it, or make it a likert question",
            nb=f"{what_nb} tar med '{ref}', som er et {entry.kind}-spørsmål; bare "
            "likert-elementer kan regnes ut",
            hint_nb="fjern det, eller gjør det til et likert-spørsmål",
        )
        return None
    return entry.question


def _indexes(ctx: Context) -> None:
    for i, index in enumerate(ctx.data.get("indexes", [])):
        path = ("indexes", i)
        what = f"index '{index['id']}'"
        what_nb = f"indeksen '{index['id']}'"
        if not index["items"]:
            ctx.error(
                path + ("items",),
                f"{what} has no items",
                "list the likert item ids it averages",
                nb=f"{what_nb} har ingen elementer (items)",
                hint_nb="list opp id-ene til likert-elementene den er gjennomsnittet av",
            )
            continue
        scales = set()
        for j, ref in enumerate(index["items"]):
            if index["items"].index(ref) != j:
                ctx.error(
                    path + ("items", j),
                    f"{what} lists '{ref}' twice",
                    "list each item once",
                    nb=f"{what_nb} har med '{ref}' to ganger",
                    hint_nb="ta med hvert element én gang",
                )
            question = _likert_ref(ctx, path + ("items", j), ref, what, what_nb)
            if question is not None:
                scales.add(question["scale"])
        if len(scales) > 1:
            ctx.error(
                path + ("items",),
                f"{what} mixes scales ({', '.join(sorted(scales))})",
                "an index averages items on one scale",
                nb=f"{what_nb} blander skalaer ({', '.join(sorted(scales))})",
                hint_nb="en indeks er gjennomsnittet av elementer på én og samme skala",
            )
        n = len(index["items"])
        minimum = index.get("min_answered")
        if minimum is not None and not 1 <= minimum <= n:
            ctx.error(
                path + ("min_answered",),
                f"min_answered {minimum} of {what} must be between 1 and {n} (its number of items)",
                "it is how many items a respondent must answer to get an index score",
                nb=f"min_answered {minimum} i {what_nb} må være mellom 1 og {n} (antall elementer)",
                hint_nb="det er hvor mange elementer en som svarer, må svare på for å få en "
                "indeksverdi",
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
                    nb=f"målet (target) {target} for {what_nb} ligger utenfor skalaen "
                    f"({low}-{high})",
                    hint_nb=f"sett et mål mellom {low} og {high}, for eksempel 4.5",
                )


def _pairs(ctx: Context) -> None:
    for i, pair in enumerate(ctx.data.get("quality_pairs", [])):
        path = ("quality_pairs", i)
        what = f"quality pair '{pair['id']}'"
        what_nb = f"kvalitetsparet '{pair['id']}'"
        f = _likert_ref(ctx, path + ("expectation",), pair["expectation"], what, what_nb)
        lev = _likert_ref(ctx, path + ("experience",), pair["experience"], what, what_nb)
        if f is not None and lev is not None and _span(ctx, f) != _span(ctx, lev):
            ctx.error(
                path,
                f"{what} pairs items on scales of different range ({f['scale']}, {lev['scale']})",
                "K = L / F divides one by the other: both scales need the same points",
                nb=f"{what_nb} setter sammen elementer på skalaer med ulikt spenn "
                f"({f['scale']}, {lev['scale']})",
                hint_nb="K = L / F deler det ene på det andre: begge skalaene må ha like "
                "mange punkter",
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
                    nb=f"{what_nb} bruker skalaen '{question['scale']}', som har 0 eller lavere",
                    hint_nb="K = L / F deler på forventningen: bruk en skala som begynner på 1",
                )
        if pair["expectation"] == pair["experience"]:
            ctx.error(
                path + ("experience",),
                f"{what} uses the same item for expectation and experience",
                "expectation (F) and experience (L) are two different statements",
                nb=f"{what_nb} bruker samme element som forventning og erfaring",
                hint_nb="forventning (F) og erfaring (L) er to forskjellige påstander",
            )


def _span(ctx: Context, question: dict[str, Any]) -> tuple[int, int] | None:
    """Scales with the same points may carry different labels ("viktig", "fornøyd")."""
    scale = ctx.scale_of(question)
    return (scale.get("start", 1), scale["points"]) if scale else None
