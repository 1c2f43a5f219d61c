"""Every measure's n per finest cell of the whole round: what ``scoring.linked`` audits.

A figure released for one group is, to an attacker, the sum of the finest cells inside it
(every dimension of the round crossed). The counts per cell come from the same building
blocks the tables are made from (an item's scored answers, index scores, who counts in a
choice's n, numbers given, quality pairs rated both ways), so a cell's count is exactly
what that measure's n would be for it. Each kind is counted once, and only when a table
of that kind needs it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import pandas as pd

from survey.questionnaire.model import ChoiceQuestion, Questionnaire
from survey.scoring.breakdown import group_key
from survey.scoring.choices import (
    choice_bases,
    choice_points,
    choice_reading,
    number_measure,
    number_order,
    number_records,
)
from survey.scoring.indexes import respondent_index_scores
from survey.scoring.likert import Respondent, likert_frame
from survey.scoring.linked import (
    MEAN_ONLY,
    Bound,
    Cell,
    Counts,
    Group,
    Invitations,
    Path,
    Positioned,
    PositionedBound,
    Reading,
    Released,
)
from survey.scoring.quality import quality_people
from survey.scoring.rates import Invited, invited_groups

KINDS = ("item", "answered", "index", "choice", "number", "quality", "respondents")
"""The measures counted here (response rates, days and texts have audits of their own)."""

CellCounts = Mapping[Cell, int]

CellPoints = Mapping[Cell, Sequence[int]]
"""An item's counts per scale point in each cell."""

T = TypeVar("T")

Version = tuple[int, int]
"""A response's version: (response, revision)."""


@dataclass(frozen=True)
class History:
    """What earlier snapshots released and who they counted: ``groups`` per measure as
    (position, group) (and ``stated``, the reasons given); ``snapshots``, each snapshot's
    responses as response -> version, earliest first and the snapshot being reported on
    last (positions index it); and ``versions``, every such version's groups and answers
    (residual roles' left out)."""

    groups: Mapping[str, Sequence[Positioned]]
    snapshots: Sequence[Mapping[int, Version]]
    versions: Mapping[Version, Respondent]
    stated: Mapping[str, Sequence[PositionedBound]] = field(default_factory=dict)
    """The reasons they gave for hidden groups, per measure, positioned like ``groups``."""


def released_before(
    questionnaire: Questionnaire,
    before: Mapping[str, Sequence[Group]],
    by: Sequence[str],
    respondents: Sequence[Respondent] | Callable[[], Sequence[Respondent]] = (),
    within: Group | None = None,
    likert: Callable[[Sequence[str]], pd.DataFrame] | None = None,
    history: History | None = None,
    stated: Mapping[str, Sequence[Bound]] | None = None,
    invited: Sequence[Invited] | None = None,
) -> Released:
    """The groups released ``before`` (per measure, from the ledger) as ``Released`` for
    tables by ``by`` (within ``within``), counted over the whole round's ``respondents``
    (or a function reading them, called only when a count needs them)
    (or, for Likert items and indexes, the frame ``likert`` reads). Cells are split by
    every dimension those groups and the tables use, and no other: a dimension nothing
    splits by cannot tell cells apart.

    ``stated`` are the reasons released for hidden groups of the snapshot (per measure:
    group, statistic, k), inequalities every table is audited with too.

    Each item's counts per scale point are counted beside its counts (``points``), per
    cell, or per path at the snapshot being reported on.

    With a ``history`` of earlier snapshots that released figures, respondents are counted
    per path through them instead (``path_counts``), and the groups they released, and
    the reasons they gave, are audited too.

    ``invited``: an invited round's whole invitation list (residual roles' left out), whose
    numbers invited, shown beside the response rates, bound the tables' counts too."""
    within = dict(within or {})
    summed = {  # means shown without their counts: read as count and sum
        m.removeprefix(MEAN_ONLY): groups
        for m, groups in before.items()
        if m.startswith(MEAN_ONLY) and m.removeprefix(MEAN_ONLY).partition(":")[0] in KINDS
    }
    before = {m: groups for m, groups in before.items() if m.partition(":")[0] in KINDS}
    said = {m: bounds for m, bounds in (stated or {}).items() if m.partition(":")[0] in KINDS}
    earlier = {
        m: groups
        for m, groups in (history.groups if history else {}).items()
        if m.partition(":")[0] in KINDS
    }
    said_before = {
        m: bounds
        for m, bounds in (history.stated if history else {}).items()
        if m.partition(":")[0] in KINDS
    }
    names = sorted(
        set(by)
        | set(within)
        | {name for groups in before.values() for g in groups for name in g}
        | {name for groups in summed.values() for g in groups for name in g}
        | {name for groups in earlier.values() for _, g in groups for name in g}
        | {name for bounds in said.values() for g, _, _ in bounds for name in g}
        | {name for bounds in said_before.values() for _, g, _, _ in bounds for name in g}
        | {name for groups, _ in invited or () for name in groups}
    )
    listed = Invitations(*invited_groups(invited, names)) if invited else None
    if history is None or not (earlier or said_before):
        cells, points, reading = _finest(questionnaire, respondents, names, likert)
        return Released(
            tuple(names),
            before,
            lambda m: _alone(cells(m)),
            within,
            stated=said,
            points=lambda m: _alone(points(m)),
            reading=reading,
            summed=summed,
            invitations=listed,
        )
    counts, per_path, reading = _paths(questionnaire, history, names)
    position = len(history.snapshots) - 1
    return Released(
        tuple(names),
        before,
        counts,
        within,
        earlier,
        position,
        said,
        said_before,
        per_path,
        reading=reading,
        summed=summed,
        invitations=listed,
    )


def _alone(cells: Mapping[Cell, T]) -> Mapping[Path, T]:
    """Counts (or counts per point) per cell as paths through one snapshot."""
    return {(cell,): n for cell, n in cells.items()}


VERSION = "\x00version"
"""A dimension no questionnaire can name (ids are letters, digits and _): each version."""


def path_counts(
    questionnaire: Questionnaire, history: History, names: Sequence[str]
) -> Callable[[str], Counts]:
    """Per measure, the respondents per path: where each was counted in it at every
    snapshot of the history (their version's cell, or None if that version was not
    counted in the measure, or they were not in the snapshot). Each version is counted
    once, by the same building blocks as the tables, so a path's position is exactly
    where that snapshot's tables counted them."""
    return _paths(questionnaire, history, names)[0]


def _paths(
    questionnaire: Questionnaire, history: History, names: Sequence[str]
) -> tuple[Callable[[str], Counts], Callable[[str], Mapping[Path, Sequence[int]]], Readings]:
    """``path_counts``, and beside it each item's (and choice's) counts per point per
    path: the answers of the versions in the snapshot being reported on (the last), since
    a path is read at that position only (``linked.Released.points``); {} for other
    measures; and what a shown group prints of them (``_finest``)."""
    order = list(history.versions)
    place = {version: str(i) for i, version in enumerate(order)}
    keyed = [
        ({**groups, VERSION: place[version]}, answers)
        for version, (groups, answers) in history.versions.items()
    ]
    per_version, version_points, reading = _finest(questionnaire, keyed, [*names, VERSION])
    responses = sorted({r for members in history.snapshots for r in members})

    def path_of(response: int, cell_of: Mapping[str, Cell]) -> Path:
        return tuple(
            cell_of.get(place.get(members[response], "")) if response in members else None
            for members in history.snapshots
        )

    def counts(measure: str) -> Counts:
        cell_of = {cell[-1]: cell[:-1] for cell in per_version(measure)}
        paths: Counter[Path] = Counter()
        for response in responses:
            path = path_of(response, cell_of)
            if any(cell is not None for cell in path):
                paths[path] += 1
        return paths

    def points(measure: str) -> Mapping[Path, Sequence[int]]:
        vectors = {cell[-1]: vector for cell, vector in version_points(measure).items()}
        if not vectors:
            return {}
        cell_of = {cell[-1]: cell[:-1] for cell in per_version(measure)}
        size = len(next(iter(vectors.values())))
        now = history.snapshots[-1]
        found: dict[Path, list[int]] = {}
        for response in responses:
            path = path_of(response, cell_of)
            if not any(cell is not None for cell in path):
                continue
            total = found.setdefault(path, [0] * size)
            if path[-1] is not None:
                vector = vectors.get(place.get(now[response], ""), ())
                for p, n in enumerate(vector):
                    total[p] += n
        return {path: tuple(total) for path, total in found.items()}

    return counts, points, reading


def finest_counts(
    questionnaire: Questionnaire,
    given: Sequence[Respondent] | Callable[[], Sequence[Respondent]],
    names: Sequence[str],
    likert: Callable[[Sequence[str]], pd.DataFrame] | None = None,
) -> Callable[[str], CellCounts]:
    """A function from a ledger measure ("item:q5", "index:ledelse", "choice:q2",
    "number:q4", "quality:pair:hjelp" …) to its n per cell over ``names``. Likert answers
    come from ``likert(names)`` when given (a faster read), else from the respondents
    (``given``, or read by calling it, once and only when a count needs them)."""
    return _finest(questionnaire, given, names, likert)[0]


Readings = Callable[[str], Reading | None]


def _finest(
    questionnaire: Questionnaire,
    given: Sequence[Respondent] | Callable[[], Sequence[Respondent]],
    names: Sequence[str],
    likert: Callable[[Sequence[str]], pd.DataFrame] | None = None,
) -> tuple[Callable[[str], CellCounts], Callable[[str], CellPoints], Readings]:
    """``finest_counts``, and beside it each item's counts per scale point per cell (the
    questionnaire's scale's points in order, read from the same Likert frame) and each
    choice question's per option, or per pattern of ticks for a multiple choice
    (``choices.choice_points``; {} for every other measure); and what a shown group of a
    measure prints of its points where that is not each one exactly (``linked.Reading``:
    a multiple choice's options).

    The role question's answer is the respondent's role (``visibility.stated_role``: the
    stated role wins), so where the cells are split by role each cell's answers all lie
    at its own role's option: its counts per option are the cells' counts, read already,
    and it has no points here. Read as points, with the numbers invited as bounds, every
    mayor of a national report by role (1 of 1 invited) was "pinned" at "ordfører", one
    program each: 663 programs and 13 s for the report."""
    read: list[Sequence[Respondent]] = []

    def everyone() -> Sequence[Respondent]:
        if not read:
            read.append(given() if callable(given) else given)
        return read[0]

    by = list(names)
    counted: dict[str, dict[str, dict[tuple[str, ...], int]]] = {}
    bases: list[pd.DataFrame] = []
    frames: list[pd.DataFrame] = []

    def frame() -> pd.DataFrame:
        if not frames:
            read_frame = likert or (lambda by: likert_frame(questionnaire, everyone(), by))
            frames.append(read_frame(by))
        return frames[0]

    def kind_of(measure: str) -> str:
        kind = measure.partition(":")[0]
        if kind in counted:
            return kind
        if kind == "item":
            found = _per_cell(frame().dropna(subset=["point"]), by, "item", "item:{}")
        elif kind == "answered":  # scored or not ("vet ikke"): n + the not-scored column
            found = _per_cell(frame(), by, "item", "answered:{}")
        elif kind == "index":
            people = respondent_index_scores(questionnaire, frame(), by).dropna(subset=["score"])
            found = _per_cell(people, by, "index", "index:{}")
        elif kind == "choice":
            if not bases:
                bases.append(choice_bases(questionnaire, everyone(), by)[0])
            base = bases[0]
            found = _per_cell(base[base["n"] > 0], by, "question", "choice:{}")
        elif kind == "number":
            order = number_order(questionnaire)
            records = number_records(questionnaire, everyone(), by, order)
            raw = pd.DataFrame.from_records(records, columns=[*by, "question", "code", "value"])
            raw["number"] = raw["question"] + ":" + raw["code"]
            found = _per_cell(raw, by, "number", "{}", number_measure)
        elif kind == "quality":
            found = {}
            for part, people in quality_people(questionnaire, frame(), by):
                found |= _per_cell(people, by, "id", f"quality:{part}:{{}}")
        elif kind == "respondents":  # everyone: the number of answers a cover shows
            keys = [group_key(groups, by) for groups, _ in everyone()]
            columns = {name: [key[i] for key in keys] for i, name in enumerate(by)}
            people = pd.DataFrame(columns | {"everyone": [""] * len(keys)}, dtype=object)
            found = _per_cell(people, by, "everyone", "respondents")
        else:
            found = {}
        counted[kind] = found
        return kind

    def counts(measure: str) -> CellCounts:
        return counted[kind_of(measure)].get(measure, {})

    per_point: list[dict[str, dict[Cell, tuple[int, ...]]]] = []
    choices: dict[str, tuple[dict[Cell, tuple[int, ...]], Reading | None]] = {}

    def points(measure: str) -> CellPoints:
        kind = measure.partition(":")[0]
        if kind == "choice":
            return _choice(measure)[0]
        if kind != "item":
            return {}
        if not per_point:
            scale = questionnaire.items[0].scale if questionnaire.items else None
            values = [float(v) for v in scale.values] if scale else []
            found: dict[str, dict[Cell, tuple[int, ...]]] = {}
            scored = frame().dropna(subset=["point"])
            if values and not scored.empty:
                sizes = scored.groupby(["item", *by, "point"], observed=True).size()
                tally: dict[str, dict[Cell, list[int]]] = {}
                for key, n in sizes.items():
                    item, *cell, point = cast(tuple[Any, ...], key)
                    if float(point) in values:
                        vector = tally.setdefault(f"item:{item}", {}).setdefault(
                            tuple(str(v) for v in cell), [0] * len(values)
                        )
                        vector[values.index(float(point))] += int(n)
                found = {m: {c: tuple(v) for c, v in cells.items()} for m, cells in tally.items()}
            per_point.append(found)
        return per_point[0].get(measure, {})

    def _choice(measure: str) -> tuple[dict[Cell, tuple[int, ...]], Reading | None]:
        """A choice question's counts per point per cell (``choices.choice_points``) and
        what a shown group prints of them."""
        if measure not in choices:
            question = next(
                (
                    q
                    for q in questionnaire.questions
                    if isinstance(q, ChoiceQuestion) and f"choice:{q.id}" == measure
                ),
                None,
            )
            if question is None or (
                question.id == questionnaire.role_question_id and "role" in by
            ):  # the role question's options are the roles the cells are split by
                choices[measure] = ({}, None)
                return choices[measure]
            if not bases:
                bases.append(choice_bases(questionnaire, everyone(), by)[0])
            base = bases[0]
            patterns = choice_points([question], base)[question.id]
            place = {pattern: i for i, pattern in enumerate(patterns)}
            shown = base[(base["question"] == question.id) & (base["n"] > 0)]
            tally: dict[Cell, list[int]] = {}
            keys = zip(*(shown[b] for b in by), shown["pattern"], strict=True)
            for *cell, pattern in keys:
                vector = tally.setdefault(tuple(str(v) for v in cell), [0] * len(patterns))
                vector[place[pattern]] += 1
            rows, targets = choice_reading(question, patterns)
            choices[measure] = (
                {c: tuple(v) for c, v in tally.items()},
                (rows, targets) if question.multiple else None,
            )
        return choices[measure]

    def reading(measure: str) -> Reading | None:
        return _choice(measure)[1] if measure.partition(":")[0] == "choice" else None

    return counts, points, reading


def _per_cell(
    rows: pd.DataFrame,
    by: list[str],
    per: str,
    name: str,
    measure: Callable[[object], str] | None = None,
) -> dict[str, dict[tuple[str, ...], int]]:
    """Rows counted per ``per`` value and cell: {measure: {cell: n}}."""
    found: dict[str, dict[tuple[str, ...], int]] = {}
    if rows.empty:
        return found
    sizes = rows.groupby([per, *by], observed=True).size()
    index = sizes.index
    values = index.get_level_values(0) if by else index
    # each level's values as text at once: key by key, this was most of the cost of
    # reading a national round's counts for the ledger (ten thousand cells)
    # (as lists: iterating an Index reads it item by item through pandas)
    levels = [index.get_level_values(i).astype(str).tolist() for i in range(1, len(by) + 1)]
    cells = zip(*levels, strict=True) if by else [()] * len(sizes)
    labels: dict[object, str] = {}
    for value, cell, n in zip(values, cells, sizes.tolist(), strict=True):
        if value not in labels:
            labels[value] = measure(value) if measure else name.format(value)
        found.setdefault(labels[value], {})[cell] = n
    return found
