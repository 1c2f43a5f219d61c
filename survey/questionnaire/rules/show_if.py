"""show_if conditions: they parse, refer only to earlier questions, and can come true.

Referring only to earlier questions is what makes cycles impossible; checking literals
against the referenced question's scale or codes catches conditions that could never be
true (``q5 == 'ja'`` on a 1-6 item, a misspelt code).
"""

from __future__ import annotations

from typing import Any

from survey.questionnaire import conditions as cond
from survey.questionnaire.problems import Position, error, warning
from survey.questionnaire.rules.context import (
    Context,
    Entry,
    did_you_mean,
    liste,
    listing,
    mente_du,
)
from survey.questionnaire.schema import QUESTION_TYPES
from survey.questionnaire.yamlsource import Path

EXAMPLE = "e.g. show_if: q1 == 'prosjektleder' and q5 >= 4"
EXAMPLE_NB = "for eksempel show_if: q1 == 'prosjektleder' and q5 >= 4"
ORDER_HINT = "a condition may only use questions answered before it (this also rules out cycles)"
ORDER_HINT_NB = (
    "et vilkår kan bare bruke spørsmål som er besvart før det (det utelukker også sirkler)"
)


def check(ctx: Context) -> None:
    for p, page in enumerate(ctx.data["pages"]):
        if page.get("show_if") is not None:
            owner = (f"page '{page['id']}'", f"siden '{page['id']}'")
            _check_one(ctx, ("pages", p, "show_if"), owner, page=p, order=None)
    for path, question, p in ctx.questions():
        if question.get("show_if") is not None:
            entry = ctx.entries.get(question["id"])
            order = entry.order if entry else None
            owner = (f"question '{question['id']}'", f"spørsmålet '{question['id']}'")
            _check_one(ctx, path + ("show_if",), owner, page=p, order=order)


class _Checker:
    def __init__(self, ctx: Context, path: Path, owner: tuple[str, str], text: str):
        self.ctx, self.path, self.text = ctx, path, text
        self.owner, self.owner_nb = owner

    def at(self, offset: int) -> Position:
        token = self.text[offset:].split(" ", 1)[0] or self.text[offset : offset + 1]
        if not token:  # the problem is at the very end of the condition
            token = self.text.rstrip()[-1:] or self.text
            offset = self.text.rstrip().rfind(token)
            pos = self.ctx.source.locate(self.path, token, self.text[:offset].count(token))
            return Position(pos.file, pos.line, pos.column + len(token))
        return self.ctx.source.locate(self.path, token, self.text[:offset].count(token))

    def error(self, offset: int, message: str, hint: str, *, nb: str, hint_nb: str) -> None:
        problem = error(
            self.at(offset),
            f"show_if of {self.owner}: {message}",
            hint,
            nb=f"show_if for {self.owner_nb}: {nb}",
            hint_nb=hint_nb,
        )
        self.ctx.problems.append(problem)

    def warning(self, offset: int, message: str, hint: str, *, nb: str, hint_nb: str) -> None:
        problem = warning(
            self.at(offset),
            f"show_if of {self.owner}: {message}",
            hint,
            nb=f"show_if for {self.owner_nb}: {nb}",
            hint_nb=hint_nb,
        )
        self.ctx.problems.append(problem)


def _check_one(
    ctx: Context, path: Path, owner: tuple[str, str], *, page: int, order: int | None
) -> None:
    text = ctx.source.data
    for segment in path:
        text = text[segment]
    checker = _Checker(ctx, path, owner, text)
    try:
        tree = cond.parse(text)
    except cond.ConditionSyntaxError as exc:
        checker.error(
            exc.offset,
            exc.message,
            exc.hint or EXAMPLE,
            nb=exc.message_nb,
            hint_nb=exc.hint_nb or EXAMPLE_NB,
        )
        return
    known = True
    for name in cond.names(tree):
        entry = ctx.entries.get(name.id)
        if entry is None and name.id in _all_codes(ctx):
            checker.error(
                name.offset,
                f"'{name.id}' is not a question id; codes need quotes",
                f"write '{name.id}' (with quotes)",
                nb=f"'{name.id}' er ikke en spørsmåls-id; koder må stå i anførselstegn",
                hint_nb=f"skriv '{name.id}' (med anførselstegn)",
            )
            known = False
        elif entry is None:
            checker.error(
                name.offset,
                f"unknown question '{name.id}'{did_you_mean(name.id, list(ctx.entries))}",
                "use the id of an earlier question",
                nb=f"ukjent spørsmål '{name.id}'{mente_du(name.id, list(ctx.entries))}",
                hint_nb="bruk id-en til et spørsmål som kommer før",
            )
            known = False
        elif order is not None and entry.order == order:
            checker.error(
                name.offset,
                f"'{name.id}' refers to the question itself",
                ORDER_HINT,
                nb=f"'{name.id}' viser til spørsmålet selv",
                hint_nb=ORDER_HINT_NB,
            )
            known = False
        elif (order is not None and entry.order > order) or (order is None and entry.page >= page):
            where = "later in the questionnaire" if order is not None else "on this page or later"
            hvor = "senere i spørreskjemaet" if order is not None else "på denne siden eller senere"
            checker.error(
                name.offset,
                f"'{name.id}' comes {where}",
                ORDER_HINT,
                nb=f"'{name.id}' kommer {hvor}",
                hint_nb=ORDER_HINT_NB,
            )
            known = False
        elif entry.kind not in QUESTION_TYPES:  # reported by the shape check; nothing to test
            known = False
        elif entry.kind == "likert_matrix":
            statements = [item["id"] for item in entry.question.get("items", [])]
            checker.error(
                name.offset,
                f"'{name.id}' is a likert matrix; a condition tests one of its statements",
                f"its statements are: {listing(statements)}",
                nb=f"'{name.id}' er en likert-matrise; et vilkår tester én av påstandene i den",
                hint_nb=f"påstandene er: {liste(statements)}",
            )
            known = False
        elif order is not None and entry.page == page:
            checker.error(
                name.offset,
                f"'{name.id}' is on the same page",
                "move the question to a later page: a page is shown and checked as a whole, "
                "so it can only depend on answers from earlier pages",
                nb=f"'{name.id}' står på samme side",
                hint_nb="flytt spørsmålet til en senere side: en side vises og kontrolleres "
                "som en helhet, så den kan bare avhenge av svar fra tidligere sider",
            )
    if known:
        _types(ctx, checker, tree)


def _all_codes(ctx: Context) -> set[str]:
    codes = {c["code"] for cs in ctx.data.get("choice_lists", {}).values() for c in cs}
    for _, question, _ in ctx.questions():
        if isinstance(question.get("choices"), list):
            codes |= {c["code"] for c in question["choices"]}
    for scale in ctx.data.get("scales", {}).values():
        codes |= {c["code"] for c in scale.get("not_scored", [])}
    return codes


def _types(ctx: Context, checker: _Checker, node: cond.Condition) -> None:
    if isinstance(node, cond.BoolOp):
        for operand in node.operands:
            _types(ctx, checker, operand)
    elif isinstance(node, cond.Not):
        _types(ctx, checker, node.operand)
    elif isinstance(node, cond.Compare):
        _compare(ctx, checker, node)
    else:
        _in(ctx, checker, node)


def _compare(ctx: Context, checker: _Checker, node: cond.Compare) -> None:
    left, right = node.left, node.right
    if isinstance(left, cond.Literal) and isinstance(right, cond.Literal):
        checker.warning(
            node.offset,
            "compares two fixed values, so it never changes",
            "compare a question id with a value",
            nb="sammenligner to faste verdier, så det endrer seg aldri",
            hint_nb="sammenlign en spørsmåls-id med en verdi",
        )
        return
    if isinstance(left, cond.Name) and isinstance(right, cond.Name):
        kinds = {ctx.entries[left.id].kind, ctx.entries[right.id].kind}
        numeric = kinds <= {"likert", "number"}
        if not numeric and (len(kinds) > 1 or "multiple_choice" in kinds):
            checker.error(
                node.offset,
                f"cannot compare {left.id} with {right.id} (different kinds of answer)",
                "compare each with a value instead",
                nb=f"kan ikke sammenligne {left.id} med {right.id} (ulike slags svar)",
                hint_nb="sammenlign hver av dem med en verdi i stedet",
            )
        return
    name, literal = (left, right) if isinstance(left, cond.Name) else (right, left)
    assert isinstance(name, cond.Name) and isinstance(literal, cond.Literal)
    entry = ctx.entries[name.id]
    if entry.kind == "multiple_choice":
        checker.error(
            node.offset,
            f"{name.id} is multiple choice, so it holds several options",
            f"test one option with: '{literal.value}' in {name.id}",
            nb=f"{name.id} er flervalg, så svaret kan ha flere svaralternativer",
            hint_nb=f"test ett svaralternativ med: '{literal.value}' in {name.id}",
        )
        return
    if node.op not in ("==", "!=") and entry.kind in ("single_choice", "text", "long_text"):
        checker.error(
            node.offset,
            f"'{node.op}' cannot order the answers of {name.id} ({entry.kind})",
            f"use == or in, e.g. {name.id} in ['a', 'b']",
            nb=f"'{node.op}' kan ikke ordne svarene på {name.id} ({entry.kind}) etter størrelse",
            hint_nb=f"bruk == eller in, for eksempel {name.id} in ['a', 'b']",
        )
        return
    if node.op not in ("==", "!=") and isinstance(literal.value, str):
        checker.error(
            literal.offset,
            f"'{node.op}' needs a number, not '{literal.value}'",
            "only numbers and scale points can be ordered",
            nb=f"'{node.op}' trenger et tall, ikke '{literal.value}'",
            hint_nb="bare tall og skalapunkter kan ordnes etter størrelse",
        )
        return
    _value_fits(ctx, checker, entry, literal)


def _in(ctx: Context, checker: _Checker, node: cond.In) -> None:
    if isinstance(node.haystack, cond.ListLiteral):
        if not isinstance(node.needle, cond.Name):
            checker.warning(
                node.offset,
                "tests a fixed value against a fixed list, so it never changes",
                "put a question id before 'in'",
                nb="tester en fast verdi mot en fast liste, så det endrer seg aldri",
                hint_nb="sett en spørsmåls-id foran 'in'",
            )
            return
        entry = ctx.entries[node.needle.id]
        if entry.kind == "multiple_choice":
            checker.error(
                node.offset,
                f"{node.needle.id} is multiple choice, so it holds several options",
                f"test one option with: 'code' in {node.needle.id}",
                nb=f"{node.needle.id} er flervalg, så svaret kan ha flere svaralternativer",
                hint_nb=f"test ett svaralternativ med: 'kode' in {node.needle.id}",
            )
            return
        for literal in node.haystack.values:
            _value_fits(ctx, checker, entry, literal)
        return
    entry = ctx.entries[node.haystack.id]
    if entry.kind != "multiple_choice":
        checker.error(
            node.haystack.offset,
            f"'in {node.haystack.id}' needs a multiple choice question, "
            f"and {node.haystack.id} is {entry.kind}",
            f"to test several values write: {node.haystack.id} in ['a', 'b']",
            nb=f"'in {node.haystack.id}' krever et flervalgsspørsmål, og {node.haystack.id} "
            f"er {entry.kind}",
            hint_nb=f"for å teste flere verdier, skriv: {node.haystack.id} in ['a', 'b']",
        )
        return
    if isinstance(node.needle, cond.Name):
        checker.error(
            node.needle.offset,
            f"test a 'quoted code' in {node.haystack.id}, not a question id",
            f"e.g. 'code' in {node.haystack.id}",
            nb=f"test en 'kode i anførselstegn' in {node.haystack.id}, ikke en spørsmåls-id",
            hint_nb=f"for eksempel 'kode' in {node.haystack.id}",
        )
        return
    _value_fits(ctx, checker, entry, node.needle)


def _value_fits(ctx: Context, checker: _Checker, entry: Entry, literal: cond.Literal) -> None:
    value = literal.value
    q: dict[str, Any] = entry.question
    if entry.kind == "likert":
        scale = ctx.scale_of(q)
        if scale is None:
            return
        low = scale.get("start", 1)
        high = low + scale["points"] - 1
        extra = [c["code"] for c in scale.get("not_scored", [])]
        alternatives = f"a number from {low} to {high}" + (
            f" or one of: {', '.join(extra)}" if extra else ""
        )
        alternativer = f"et tall fra {low} til {high}" + (
            f" eller en av: {', '.join(extra)}" if extra else ""
        )
        if isinstance(value, str):
            if value not in extra:
                checker.error(
                    literal.offset,
                    f"{entry.id} is a likert item on a {low}-{high} scale "
                    f"and can never be '{value}'",
                    f"compare it with {alternatives}",
                    nb=f"{entry.id} er et likert-element på en skala fra {low} til {high} "
                    f"og kan aldri være '{value}'",
                    hint_nb=f"sammenlign det med {alternativer}",
                )
        elif not (low <= value <= high and float(value).is_integer()):
            checker.error(
                literal.offset,
                f"{entry.id} is on a {low}-{high} scale and can never be {value}",
                f"compare it with {alternatives}",
                nb=f"{entry.id} er på en skala fra {low} til {high} og kan aldri være {value}",
                hint_nb=f"sammenlign det med {alternativer}",
            )
    elif entry.kind in ("single_choice", "multiple_choice"):
        codes = [c["code"] for c in ctx.choices_of(q)]
        if not isinstance(value, str):
            checker.error(
                literal.offset,
                f"{entry.id} answers with option codes, not the number {value}",
                f"use a quoted code: {listing(codes)}",
                nb=f"{entry.id} svarer med koder for svaralternativer, ikke tallet {value}",
                hint_nb=f"bruk en kode i anførselstegn: {liste(codes)}",
            )
        elif value not in codes:
            checker.error(
                literal.offset,
                f"{entry.id} has no option '{value}'{did_you_mean(value, codes)}",
                f"its options are: {listing(codes)}",
                nb=f"{entry.id} har ikke svaralternativet '{value}'{mente_du(value, codes)}",
                hint_nb=f"svaralternativene er: {liste(codes)}",
            )
    elif entry.kind == "number":
        if isinstance(value, str):
            checker.error(
                literal.offset,
                f"{entry.id} is a number question and can never be '{value}'",
                "compare it with a number",
                nb=f"{entry.id} er et tallspørsmål og kan aldri være '{value}'",
                hint_nb="sammenlign det med et tall",
            )
        elif (q.get("min") is not None and value < q["min"]) or (
            q.get("max") is not None and value > q["max"]
        ):
            checker.warning(
                literal.offset,
                f"{value} is outside the allowed range of {entry.id}",
                f"answers lie between {q.get('min')} and {q.get('max')}",
                nb=f"{value} ligger utenfor det tillatte området for {entry.id}",
                hint_nb=f"svarene ligger mellom {q.get('min')} og {q.get('max')}",
            )
    elif not isinstance(value, str):
        checker.error(
            literal.offset,
            f"{entry.id} is a text question and can never be the number {value}",
            "compare it with a quoted text",
            nb=f"{entry.id} er et tekstspørsmål og kan aldri være tallet {value}",
            hint_nb="sammenlign det med en tekst i anførselstegn",
        )
