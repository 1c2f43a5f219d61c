"""The ``show_if`` language: comparisons, ``in``, ``and``/``or``/``not`` and parentheses.

Conditions are parsed once into a small tree and evaluated by walking it, never by Python
``eval``, so a questionnaire file cannot run code. The same tree decides what a page shows
and what a submission may contain, which is what keeps the two from disagreeing.

Semantics, chosen so that an unanswered or hidden question never shows anything by accident:
a comparison or ``in`` test that involves an unanswered question is false (also ``!=`` and
``not in``); ``not (...)`` negates a whole sub-condition as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeGuard

Value = int | float | str | frozenset[str] | None
"""An answer as conditions see it: a scale point, a code, a set of codes, a number, text."""

COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")
MAX_LENGTH = 2000
"""The most characters a condition may have (real ones have well under 200)."""
MAX_DEPTH = 32
"""The most parentheses and 'not's a condition may nest, so parsing, checking and
evaluating it (all recursive) stay far from Python's recursion limit."""
MAX_DIGITS = 15
"""The most digits a number in a condition may have, as in the rest of the file."""


class ConditionSyntaxError(ValueError):
    """What is wrong and where, in English for the CLI and in bokmål for the web."""

    def __init__(self, message: str, offset: int, hint: str = "", *, nb: str, hint_nb: str = ""):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint  # what to do instead, when the usual example does not help
        self.message_nb = nb
        self.hint_nb = hint_nb


@dataclass(frozen=True)
class Name:
    id: str
    offset: int


@dataclass(frozen=True)
class Literal:
    value: int | float | str
    offset: int


@dataclass(frozen=True)
class ListLiteral:
    values: tuple[Literal, ...]
    offset: int


@dataclass(frozen=True)
class Compare:
    op: str
    left: Name | Literal
    right: Name | Literal
    offset: int


@dataclass(frozen=True)
class In:
    needle: Name | Literal
    haystack: Name | ListLiteral
    negated: bool
    offset: int


@dataclass(frozen=True)
class Not:
    operand: Condition
    offset: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Condition, ...]
    offset: int


Condition = Compare | In | Not | BoolOp

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d+(?:\.\d+)?)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in"}
_BLANK = re.compile(r"\s*\Z")


@dataclass(frozen=True)
class _Token:
    kind: str  # number | string | name | keyword | op | end
    text: str
    offset: int


def _too_long(text: str) -> ConditionSyntaxError:
    return ConditionSyntaxError(
        f"the condition has {len(text):,} characters, more than the {MAX_LENGTH:,} allowed",
        0,
        "a condition tests a few earlier answers; split a long one by putting the "
        "questions on a page of their own with a show_if of its own",
        nb=f"vilkåret har {len(text):,} tegn, flere enn de {MAX_LENGTH:,} som er tillatt".replace(
            ",", "\u00a0"
        ),
        hint_nb="et vilkår tester noen få tidligere svar; del opp et langt vilkår ved å sette "
        "spørsmålene på en egen side med sin egen show_if",
    )


def _tokenize(text: str) -> Iterator[_Token]:
    """The tokens of ``text`` as the parser asks for them, so that a problem early in a
    long text (too deep, a stray character) is found without reading the rest."""
    pos = 0
    while pos < len(text):
        if _BLANK.match(text, pos):
            break
        if pos > MAX_LENGTH:
            raise _too_long(text)
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            start = len(text) - len(text[pos:].lstrip())
            char = text[start]
            hint = " (strings need matching quotes)" if char in "'\"" else ""
            hint_nb = " (tekster trenger anførselstegn i begge ender)" if hint else ""
            if char == "=":
                hint, hint_nb = " (use '==' to compare)", " (bruk '==' for å sammenligne)"
            raise ConditionSyntaxError(
                f"unexpected character {char!r}{hint}",
                start,
                nb=f"uventet tegn {char!r}{hint_nb}",
            )
        group = match.lastgroup or ""
        token_text = match.group(group)
        kind = "keyword" if group == "name" and token_text in _KEYWORDS else group
        digits = sum(c.isdigit() for c in token_text)
        if kind == "number" and digits > MAX_DIGITS:
            raise ConditionSyntaxError(
                f"a number with {digits} digits is longer than the {MAX_DIGITS} allowed",
                match.start(group),
                "compare with a scale point, a number within the question's range, or a "
                "'quoted code'",
                nb=f"et tall med {digits} sifre er lengre enn de {MAX_DIGITS} som er tillatt",
                hint_nb="sammenlign med et skalapunkt, et tall innenfor spørsmålets område "
                "eller en 'kode i anførselstegn'",
            )
        yield _Token(kind, token_text, match.start(group))
        pos = match.end()
    yield _Token("end", "", len(text))


class _Tokens:
    """A list of the tokens read so far, reading more on demand; past the end, the end."""

    def __init__(self, text: str):
        self._source = _tokenize(text)
        self._read: list[_Token] = []

    def __getitem__(self, index: int) -> _Token:
        while len(self._read) <= index and (not self._read or self._read[-1].kind != "end"):
            self._read.append(next(self._source))
        return self._read[min(index, len(self._read) - 1)]


class _Parser:
    def __init__(self, text: str):
        self.tokens = _Tokens(text)
        self.i = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.i]

    def take(self, text: str | None = None, kind: str | None = None) -> _Token | None:
        tok = self.token
        if (text is None or tok.text == text) and (kind is None or tok.kind == kind):
            if tok.kind != "end":
                self.i += 1
            return tok
        return None

    def expect(self, text: str, what: str) -> _Token:
        tok = self.take(text)
        if tok is None:
            raise ConditionSyntaxError(
                f"expected {what}, found {self._found()}",
                self.token.offset,
                nb=f"ventet {what}, fant {self._found_nb()}",
            )
        return tok

    def _found(self) -> str:
        return "the end of the condition" if self.token.kind == "end" else repr(self.token.text)

    def _found_nb(self) -> str:
        return "slutten av vilkåret" if self.token.kind == "end" else repr(self.token.text)

    def parse(self) -> Condition:
        if self.token.kind == "end":
            raise ConditionSyntaxError("the condition is empty", 0, nb="vilkåret er tomt")
        cond = self.or_()
        if self.token.kind != "end":
            previous, following = self.tokens[self.i - 1], self.tokens[self.i + 1]
            if self.token.text == "," and previous.kind == following.kind == "number":
                raise ConditionSyntaxError(
                    f"write decimals with a point: {previous.text}.{following.text}, "
                    f"not {previous.text},{following.text}",
                    self.token.offset,
                    nb=f"skriv desimaler med punktum: {previous.text}.{following.text}, "
                    f"ikke {previous.text},{following.text}",
                )
            raise ConditionSyntaxError(
                f"unexpected {self._found()}; join conditions with 'and' or 'or'",
                self.token.offset,
                nb=f"uventet {self._found_nb()}; sett sammen vilkår med 'and' eller 'or'",
            )
        return cond

    def or_(self) -> Condition:
        return self._chain("or", self.and_)

    def and_(self) -> Condition:
        return self._chain("and", self.not_)

    def _chain(self, op: str, operand: Callable[[], Condition]) -> Condition:
        first = self.token.offset
        parts = [operand()]
        while self.take(op, "keyword"):
            parts.append(operand())
        return parts[0] if len(parts) == 1 else BoolOp(op, tuple(parts), first)

    def nested(self, tok: _Token) -> None:
        """Enter one more level of parentheses or 'not' at ``tok``."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionSyntaxError(
                f"the condition nests parentheses and 'not' more than {MAX_DEPTH} levels deep",
                tok.offset,
                "join the parts with 'and' and 'or' instead, or show the page or question "
                "through fewer, simpler conditions",
                nb=f"vilkåret har parenteser og 'not' inni hverandre i mer enn {MAX_DEPTH} nivåer",
                hint_nb="sett heller sammen delene med 'and' og 'or', eller vis siden eller "
                "spørsmålet gjennom færre og enklere vilkår",
            )

    def not_(self) -> Condition:
        tok = self.take("not", "keyword")
        if tok:
            self.nested(tok)
            operand = self.not_()
            self.depth -= 1
            return Not(operand, tok.offset)
        return self.comparison()

    def comparison(self) -> Condition:
        if tok := self.take("("):
            self.nested(tok)
            inner = self.or_()
            self.expect(")", "')'")
            self.depth -= 1
            return inner
        left = self.operand()
        tok = self.token
        if tok.kind == "op" and tok.text in COMPARISONS:
            self.i += 1
            return Compare(tok.text, left, self.operand(), tok.offset)
        negated = bool(self.take("not", "keyword"))
        if self.take("in", "keyword"):
            if self.token.text == "[":
                return In(left, self.list_literal(), negated, tok.offset)
            right = self.operand()
            if not isinstance(right, Name):
                raise ConditionSyntaxError(
                    "'in' needs a list like ['a', 'b'] or a multiple-choice question",
                    right.offset,
                    nb="'in' trenger en liste som ['a', 'b'] eller et flervalgsspørsmål",
                )
            return In(left, right, negated, tok.offset)
        raise ConditionSyntaxError(
            f"expected a comparison (==, !=, <, <=, >, >=, in) after {_show(left)}, "
            f"found {self._found()}",
            tok.offset,
            nb=f"ventet en sammenligning (==, !=, <, <=, >, >=, in) etter {_show(left)}, "
            f"fant {self._found_nb()}",
        )

    def operand(self) -> Name | Literal:
        tok = self.token
        if tok.kind == "name":
            self.i += 1
            return Name(tok.text, tok.offset)
        if tok.kind in ("number", "string"):
            self.i += 1
            return Literal(_literal(tok), tok.offset)
        raise ConditionSyntaxError(
            f"expected a question id, a 'quoted code' or a number, found {self._found()}",
            tok.offset,
            nb="ventet en spørsmåls-id, en 'kode i anførselstegn' eller et tall, fant "
            f"{self._found_nb()}",
        )

    def list_literal(self) -> ListLiteral:
        start = self.expect("[", "'['").offset
        values: list[Literal] = []
        while True:
            tok = self.token
            if tok.kind not in ("number", "string"):
                raise ConditionSyntaxError(
                    f"a list holds 'quoted codes' or numbers, found {self._found()}",
                    tok.offset,
                    nb="en liste inneholder 'koder i anførselstegn' eller tall, fant "
                    f"{self._found_nb()}",
                )
            self.i += 1
            values.append(Literal(_literal(tok), tok.offset))
            if not self.take(","):
                break
        self.expect("]", "']' or ','")
        return ListLiteral(tuple(values), start)


def _literal(tok: _Token) -> int | float | str:
    if tok.kind == "string":
        return tok.text[1:-1]
    return float(tok.text) if "." in tok.text else int(tok.text)


def _show(node: Name | Literal) -> str:
    return node.id if isinstance(node, Name) else repr(node.value)


def parse(text: str) -> Condition:
    """Parse a condition, raising ConditionSyntaxError with the offending offset.

    Reading stops at the first problem: nesting too deep, or the text running past
    MAX_LENGTH, whichever comes first; either way no more than MAX_LENGTH characters are
    read."""
    tree = _Parser(text).parse()
    if len(text) > MAX_LENGTH:  # the last token ran past it (a long 'quoted code')
        raise _too_long(text)
    return tree


def names(cond: Condition) -> list[Name]:
    """Every question reference in a condition, in order of appearance."""
    found: list[Name] = []
    stack: list[object] = [cond]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            found.append(node)
        elif isinstance(node, Compare):
            stack += [node.right, node.left]
        elif isinstance(node, In):
            stack += [node.haystack, node.needle]
        elif isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, BoolOp):
            stack += reversed(node.operands)
    return sorted(found, key=lambda n: n.offset)


def evaluate(cond: Condition, answers: Mapping[str, Value]) -> bool:
    """Decide a condition on the answers given so far (missing = unanswered)."""
    if isinstance(cond, BoolOp):
        results = (evaluate(c, answers) for c in cond.operands)
        return all(results) if cond.op == "and" else any(results)
    if isinstance(cond, Not):
        return not evaluate(cond.operand, answers)
    if isinstance(cond, Compare):
        return _compare(cond.op, _value(cond.left, answers), _value(cond.right, answers))
    needle = _value(cond.needle, answers)
    if isinstance(cond.haystack, ListLiteral):
        haystack: object = [lit.value for lit in cond.haystack.values]
    else:
        haystack = answers.get(cond.haystack.id)
    if needle is None or haystack is None or isinstance(needle, frozenset):
        return False
    if not isinstance(haystack, (list, frozenset)):
        return False
    found = any(_same(needle, item) for item in haystack)
    return found != cond.negated


def _value(node: Name | Literal, answers: Mapping[str, Value]) -> Value:
    return answers.get(node.id) if isinstance(node, Name) else node.value


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same(a: Value, b: object) -> bool:
    if _number(a) and _number(b):
        return a == b
    return isinstance(a, str) and isinstance(b, str) and a == b


def _compare(op: str, a: Value, b: Value) -> bool:
    if a is None or b is None or isinstance(a, frozenset) or isinstance(b, frozenset):
        return False
    if op == "==":
        return _same(a, b)
    if op == "!=":
        return not _same(a, b)
    if _number(a) and _number(b):
        ordered = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}
        return ordered[op]
    return False
