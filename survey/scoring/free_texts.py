"""Free-text comments and "specify" texts, released only where no one can be recognised.

A text is listed under its group only when the group's figures are shown. A group below
the minimum releases no text at all: a comment can name its writer by its content, and a
pool would still say "one of these few people". Groups hidden only to protect a small
neighbour (complementary suppression) meet the minimum each; their texts are pooled under
one heading, since listing them under their own name would tell which group was hidden.
If the round as a whole is below the minimum, no text is released. Within a heading,
texts are sorted alphabetically: the order of answers could tell who wrote first.

Texts are matched by their words, so every text set ever released can be intersected with
every other: the comments under "Ordfører" in a report by role and those under "Kommune A"
in a report by unit have in common exactly what the one mayor of Kommune A wrote. So each
release is checked against the text sets released before (``earlier``, from the release
ledger): respondents are grouped by the sets that cover them (their *signature*: a text in
exactly those sets can only be theirs), and a text is released only if its writer's class
holds at least the minimum number of respondents (disclosure-control.md §3.8). Headings
are held back whole (a single missing text would itself say its writer's class is
small), which only merges classes, so the check holds for what is finally shown. Texts
added after an earlier release can still be told apart by time; that is for snapshots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey.questionnaire.model import Questionnaire, TextQuestion
from survey.scoring.breakdown import group_key, reading_order
from survey.scoring.likert import Respondent
from survey.scoring.suppression import ALL, suppressed_groups


@dataclass(frozen=True)
class ReleasedText:
    question: str
    code: str  # the choice a "specify" text belongs to; "" for a text question
    group: tuple[str, ...]  # ALL in every place for the pool of hidden groups
    text: str
    origin: tuple[str, ...] = ()  # the writer's group (in the pool, not the heading's)
    pool: tuple[tuple[str, ...], ...] = ()  # for a pooled text: every group the pool covers

    @property
    def measure(self) -> str:
        return text_measure(self.question, self.code)


EarlierSet = tuple[str, Sequence[Mapping[str, str]]]
"""A text set released before: its measure (``text_measure``) and the groups it covered
(each a mapping of dimension to value; a pool covers several)."""


def text_measure(question: str, code: str = "") -> str:
    """The name of a question's texts ("q14"), or of a choice's "specify" texts ("q2:annet")."""
    return f"{question}:{code}" if code else question


def released_texts(
    questionnaire: Questionnaire,
    respondents: Sequence[Respondent],
    by: Sequence[str],
    min_group_size: int,
    earlier: Sequence[EarlierSet] = (),
) -> list[ReleasedText]:
    """Texts in questionnaire order, per shown group, then the pool; each sorted. None
    that ``earlier`` releases would let anyone attribute to fewer than the minimum."""
    text_questions = {q.id for q in questionnaire.questions if isinstance(q, TextQuestion)}
    sizes: dict[tuple[str, ...], int] = {}
    found: list[tuple[tuple[str, ...], str, str, str, int]] = []
    for writer, (groups, answers) in enumerate(respondents):
        key = group_key(groups, by)
        sizes[key] = sizes.get(key, 0) + 1
        for answer_id, answer in answers.items():
            if answer_id in text_questions and isinstance(answer.value, str):
                found.append((key, answer_id, "", answer.value, writer))
            for code, detail in answer.details.items():
                if isinstance(detail, str):
                    found.append((key, answer_id, code, detail, writer))
    hidden = suppressed_groups(sizes, min_group_size)
    pool = tuple(ALL for _ in by)
    if pool in hidden:  # the round as a whole is below the minimum
        return []
    written = [f for f in found if f[3].strip()]  # every writer, shown now or not
    found = [f for f in written if sizes[f[0]] >= min_group_size]
    keys = [group_key(groups, by) for groups, _ in respondents]
    pooled = {key for key in hidden if sizes.get(key, 0) >= min_group_size}
    withheld = _withheld(respondents, keys, hidden, pooled, found, written, earlier, min_group_size)
    found = [f for f in found if (f[4], text_measure(f[1], f[2])) not in withheld]
    order = {q.id: rank for rank, q in enumerate(questionnaire.questions)}
    ranks = [
        {
            value: rank
            for rank, value in enumerate(reading_order(questionnaire, name, {k[i] for k in sizes}))
        }
        for i, name in enumerate(by)
    ]

    def group_rank(group: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(rank[value] for rank, value in zip(ranks, group, strict=True))

    covered = tuple(sorted(pooled))  # hidden groups of at least k: with a text or not
    released = [
        ReleasedText(question, code, pool, text.strip(), key, covered)
        if key in hidden
        else ReleasedText(question, code, key, text.strip(), key)
        for key, question, code, text, _ in found
    ]
    return sorted(
        released,
        key=lambda t: (
            order[t.question],
            t.code,
            t.group == pool,
            () if t.group == pool else group_rank(t.group),
            *_alphabetical(t.text),
        ),
    )


def _withheld(
    respondents: Sequence[Respondent],
    keys: Sequence[tuple[str, ...]],
    hidden: set[tuple[str, ...]],
    pooled: set[tuple[str, ...]],
    found: Sequence[tuple[tuple[str, ...], str, str, str, int]],
    written: Sequence[tuple[tuple[str, ...], str, str, str, int]],
    earlier: Sequence[EarlierSet],
    k: int,
) -> set[tuple[int, str]]:
    """(writer, measure) of the texts this release must hold back. Respondents are grouped
    by their *signature* for a measure: which released sets cover them, the earlier ones
    and this release's headings (their group's, or the pool of groups hidden only to
    protect others). Every class holding a writer must hold at least ``k`` respondents.
    A heading of this release that splits an earlier class too finely is held back whole:
    holding back single texts would itself tell whose class is small. Every writer
    counts (``written``), also one whose text this release does not show because their
    group is small here: an earlier set may hold their text, and this release's headings
    may leave them alone outside every one of them. Signatures are worked out once per
    finest group (every dimension), not per respondent."""
    writers: dict[str, set[int]] = {}
    for _, question, code, _, writer in written:
        writers.setdefault(text_measure(question, code), set()).add(writer)
    released: dict[str, set[int]] = {}
    for _, question, code, _, writer in found:
        released.setdefault(text_measure(question, code), set()).add(writer)
    cell_of: list[int] = []
    cells: dict[tuple[tuple[str, str | None], ...], int] = {}
    for groups, _ in respondents:
        cell_of.append(cells.setdefault(tuple(sorted(groups.items())), len(cells)))
    members = [dict(cell) for cell in cells]
    heading = [
        None if key in hidden and key not in pooled else ("pool",) if key in hidden else key
        for key in keys
    ]
    withheld: set[tuple[int, str]] = set()
    for measure, wrote in writers.items():
        before = [covered for name, covered in earlier if name == measure]
        old = [
            tuple(any(_covers(spec, groups) for spec in covered) for covered in before)
            for groups in members
        ]
        shown = {heading[w] for w in released.get(measure, set())} - {None}
        while True:
            classes: dict[tuple[tuple[bool, ...], object], tuple[int, bool]] = {}
            for person, cell in enumerate(cell_of):
                mine = heading[person] if heading[person] in shown else None
                size, any_writer = classes.get((old[cell], mine), (0, False))
                classes[(old[cell], mine)] = (size + 1, any_writer or person in wrote)
            small = {
                signature
                for (signature, mine), (size, any_writer) in classes.items()
                if size < k and any_writer and (any(signature) or mine is not None)
            }
            # hold back every heading of this release that splits such an earlier class
            split = {heading[p] for p, cell in enumerate(cell_of) if old[cell] in small}
            if not shown & split:
                break  # nothing left to hold back: what remains was released before
            shown -= split
        withheld |= {(w, measure) for w in released.get(measure, set()) if heading[w] not in shown}
    return withheld


def _covers(spec: Mapping[str, str], groups: Mapping[str, str | None]) -> bool:
    return all(group_key(groups, [name])[0] == value for name, value in spec.items())


_NORWEGIAN = str.maketrans({"æ": "z\U0010fffd", "ø": "z\U0010fffe", "å": "z\U0010ffff"})
"""Bokmål order puts æ, ø, å after z (code points would give å, æ, ø)."""


def _alphabetical(text: str) -> tuple[str, str]:
    """A sort key for the text alone: letters in bokmål order, case ignored, and the text
    itself to break ties ("Bra" and "bra"), so no order of submission survives."""
    return text.casefold().translate(_NORWEGIAN), text
