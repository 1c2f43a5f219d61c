"""Read questionnaire YAML into plain data while remembering where every value came from.

PyYAML's own loaders either build arbitrary objects (unsafe) or forget positions (useless
for an editor fixing a file). We compose the node graph, which never executes anything, and
convert it ourselves so that:

- explicit tags that construct objects (``!!python/object``) are reported, never honoured;
- anchors and aliases are refused, which also defuses "billion laughs" alias bombs;
- duplicate keys are reported instead of silently keeping the last one;
- plain scalars follow YAML 1.2's core schema: ``no``, ``ja`` and ``NO`` stay text, so a
  choice code or Norway's country code never turns into a boolean.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from survey.questionnaire.problems import Position, Problem, error

Path = tuple[str | int, ...]

MAX_SOURCE_BYTES = 1_000_000
MAX_DIGITS = 15
"""The most digits a number in a file may have: a float holds 15 exactly, and no point,
limit or length of a questionnaire needs more. Checked before converting, so a pasted
5,000-digit number is a problem at its line, never Python's int() refusing it."""

_TAG = "tag:yaml.org,2002:"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")


@dataclass
class Source:
    """Parsed YAML data plus the position of every value and mapping key in it."""

    file: str
    text: str
    data: Any = None
    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)
    spans: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path, *, key: bool = False) -> Position:
        """The closest known position for ``path`` (falling back to its parents)."""
        table = self.keys if key else self.values
        while path:
            if path in table:
                return table[path]
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), Position(self.file, 1, 1))

    def locate(self, path: Path, token: str, occurrence: int) -> Position:
        """Where the ``occurrence``-th ``token`` inside the scalar at ``path`` is written.

        A scalar's value and its text in the file differ for quoted, escaped, folded (>)
        and literal (|) scalars, so we search the file's own characters rather than add
        offsets to the scalar's start."""
        start, end = self.spans.get(path, (0, 0))
        raw = self.text[start:end]
        found = -1
        for _ in range(occurrence + 1):
            found = raw.find(token, found + 1)
            if found < 0:
                return self.position(path)
        index = start + found
        line_start = self.text.rfind("\n", 0, index) + 1
        return Position(self.file, self.text.count("\n", 0, index) + 1, index - line_start + 1)


class _NodeLoader(yaml.BaseLoader):
    """Composes nodes only; BaseResolver keeps every plain scalar untyped (we type it).

    Also notes where anchors (&a) and aliases (*a) are written: the composed graph shares
    the anchored node, which would point the error at the anchor rather than the alias."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.anchor_marks: list[yaml.Mark] = []
        self.tagged: set[int] = set()  # ids of nodes written with an explicit tag

    # types-PyYAML's Composer.compose_node takes ``index: int``; PyYAML also passes None
    # (a document's root, a mapping's key) and the key node (a mapping's value).
    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # unannotated in types-PyYAML
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            self.anchor_marks.append(event.start_mark)
        node = super().compose_node(parent, index)  # type: ignore[arg-type]  # see above
        if getattr(event, "tag", None) not in (None, "!"):
            self.tagged.add(id(node))
        return node


def read_source(file: str, text: str) -> tuple[Source, list[Problem]]:
    """Parse ``text`` (the contents of ``file``) without constructing any object."""
    source = Source(file=file, text=text)
    problems: list[Problem] = []
    if len(text.encode("utf-8")) > MAX_SOURCE_BYTES:
        problems.append(
            error(
                Position(file, 1, 1),
                f"the file is larger than {MAX_SOURCE_BYTES // 1000} kB",
                "a questionnaire is a few hundred lines; split it or remove pasted data",
                nb=f"filen er større enn {MAX_SOURCE_BYTES // 1000} kB",
                hint_nb="et spørreskjema er noen hundre linjer; del det opp eller fjern "
                "innlimte data",
            )
        )
        return source, problems
    try:
        loader = _NodeLoader(text)  # which first checks every character is one YAML allows
    except yaml.reader.ReaderError as exc:
        index = exc.position  # a character index into the text
        line_start = text.rfind("\n", 0, index) + 1
        problems.append(
            error(
                Position(file, text.count("\n", 0, index) + 1, index - line_start + 1),
                f"the file contains a character YAML does not allow (U+{exc.character:04X})",
                "delete it: such characters are invisible in most editors and usually come"
                " with text pasted from other programs",
                nb=f"filen inneholder et tegn YAML ikke tillater (U+{exc.character:04X})",
                hint_nb="slett det: slike tegn er usynlige i de fleste redigeringsprogram og "
                "kommer som regel med tekst limt inn fra andre program",
            )
        )
        return source, problems
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        where = where_nb = ""
        if exc.context and exc.problem:
            start = exc.context_mark
            if start:
                where = f" that starts at line {start.line + 1}, column {start.column + 1}"
                where_nb = f" som begynner på linje {start.line + 1}, kolonne {start.column + 1}"
            what = f"{exc.problem} ({exc.context}{where})"
        what_nb = f"{exc.problem} ({exc.context}{where_nb})" if where_nb else what
        problems.append(
            error(
                Position(file, line, column),
                f"YAML syntax error: {what}",
                "check the indentation; put texts containing ': ', ' #', or (inside {...})"
                " ',' '?' '[' in quotes; a value that starts with a quote, like "
                "show_if: 'x' in q3, must be quoted whole: \"'x' in q3\"",
                nb=f"feil i YAML-syntaksen (PyYAMLs beskrivelse): {what_nb}",
                hint_nb="sjekk innrykket; sett tekster som inneholder ': ', ' #' eller (inne i"
                " {...}) ',' '?' '[' i anførselstegn; en verdi som begynner med et "
                "anførselstegn, som show_if: 'x' in q3, må stå i anførselstegn i sin helhet: "
                "\"'x' in q3\"",
            )
        )
        return source, problems
    except RecursionError:
        problems.append(
            error(
                Position(file, 1, 1),
                "the file is nested too deeply to read",
                "a questionnaire needs only a few levels of indentation; look for a run of"
                " '[' or '{'",
                nb="filen har for mange nivåer inni hverandre til å kunne leses",
                hint_nb="et spørreskjema trenger bare noen få nivåer med innrykk; se etter "
                "mange '[' eller '{' etter hverandre",
            )
        )
        return source, problems
    except yaml.YAMLError as exc:  # pragma: no cover - defensive, PyYAML marks its errors
        problems.append(
            error(
                Position(file, 1, 1),
                f"YAML error: {exc}",
                "fix the YAML syntax",
                nb=f"YAML-feil: {exc}",
                hint_nb="rett YAML-syntaksen",
            )
        )
        return source, problems
    finally:
        loader.dispose()
    if node is None:
        problems.append(
            error(
                Position(file, 1, 1),
                "the file is empty",
                "start with 'id:' and 'title:'",
                nb="filen er tom",
                hint_nb="begynn med 'id:' og 'title:'",
            )
        )
        return source, problems
    for mark in loader.anchor_marks:
        problems.append(
            error(
                Position(file, mark.line + 1, mark.column + 1),
                "anchors and aliases (&name / *name) are not supported",
                "write the repeated part out, or define a reusable scale or choice list",
                nb="ankere og aliaser (&navn / *navn) kan ikke brukes",
                hint_nb="skriv den gjentatte delen ut, eller definer en skala eller svarliste "
                "som kan brukes flere steder",
            )
        )
    if loader.anchor_marks:
        return source, problems  # never expand aliases: that is how alias bombs explode
    if not isinstance(node, yaml.MappingNode):
        problems.append(
            error(
                _pos(source, node),
                "the file must be a mapping of keys at the top level (id:, title:, pages: ...)",
                "see docs/questionnaire-format.md for a minimal complete questionnaire",
                nb="filen må ha nøkler på øverste nivå (id:, title:, pages: ...)",
                hint_nb="se docs/questionnaire-format.md for et minste komplette spørreskjema",
            )
        )
        return source, problems
    source.data = _convert(node, (), source, problems, loader.tagged)
    return source, problems


def _pos(source: Source, node: yaml.Node) -> Position:
    return Position(source.file, node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(
    node: yaml.Node, path: Path, source: Source, problems: list[Problem], tagged: set[int]
) -> Any:
    source.values[path] = _pos(source, node)
    source.spans[path] = (node.start_mark.index, node.end_mark.index)
    tag = node.tag
    explicit = id(node) in tagged
    if explicit and (tag != _TAG + "str" or not isinstance(node, yaml.ScalarNode)):
        short = tag.replace(_TAG, "!!")
        problems.append(
            error(
                _pos(source, node),
                f"the YAML tag '{short}' is not allowed",
                "remove the tag: write numbers and true/false plainly, and put texts in quotes",
                nb=f"YAML-merket '{short}' er ikke tillatt",
                hint_nb="fjern merket: skriv tall og true/false som de er, og sett tekster i "
                "anførselstegn",
            )
        )
        return None
    if isinstance(node, yaml.MappingNode):
        result: dict[str | int, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(
                    error(
                        _pos(source, key_node),
                        "a key must be a plain name",
                        "use 'name: value'",
                        nb="en nøkkel må være et enkelt navn",
                        hint_nb="skriv 'navn: verdi'",
                    )
                )
                continue
            key = key_node.value
            if key_node.style is None and _INT.match(key):
                if _too_long(key_node, source, problems):
                    continue
                key = int(key)  # scale point labels: "1: helt uenig"
            if key in result:
                first = source.keys[path + (key,)]
                problems.append(
                    error(
                        _pos(source, key_node),
                        f"duplicate key '{key}' (first at line {first.line})",
                        "remove one of them; YAML would silently keep only the last",
                        nb=f"nøkkelen '{key}' står to ganger (først på linje {first.line})",
                        hint_nb="fjern den ene; YAML ville i stillhet bare beholde den siste",
                    )
                )
                continue
            source.keys[path + (key,)] = _pos(source, key_node)
            result[key] = _convert(value_node, path + (key,), source, problems, tagged)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(child, path + (i,), source, problems, tagged)
            for i, child in enumerate(node.value)
        ]
    assert isinstance(node, yaml.ScalarNode)  # the composer makes no other kind of node
    if not explicit and node.style is None and _too_long(node, source, problems):
        return None
    return _scalar(node, explicit)


def _too_long(node: yaml.ScalarNode, source: Source, problems: list[Problem]) -> bool:
    """Report a plain number with more than MAX_DIGITS digits, or one too large for a float
    (1e999), before anything converts it."""
    value: str = node.value
    if not (_INT.match(value) or _FLOAT.match(value)):
        return False
    digits = sum(c.isdigit() for c in value)
    if digits > MAX_DIGITS:
        message = f"a number with {digits} digits is longer than the {MAX_DIGITS} allowed"
        message_nb = f"et tall med {digits} sifre er lengre enn de {MAX_DIGITS} som er tillatt"
    elif not _INT.match(value) and math.isinf(float(value)):
        message = f"the number {value} is too large"
        message_nb = f"tallet {value} er for stort"
    else:
        return False
    problems.append(
        error(
            _pos(source, node),
            message,
            "a questionnaire's numbers are points, limits and lengths; put a code or a text "
            "that is all digits in quotes",
            nb=message_nb,
            hint_nb="tallene i et spørreskjema er skalapunkter, grenser og lengder; sett en "
            "kode eller tekst som bare består av sifre, i anførselstegn",
        )
    )
    return True


def _scalar(node: yaml.ScalarNode, explicit: bool) -> Any:
    value: str = node.value
    if explicit or node.style is not None:  # !!str, quoted, literal (|) or folded (>): text
        return value
    if _NULL.match(value):
        return None
    if _BOOL.match(value):
        return value.lower() == "true"
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value
